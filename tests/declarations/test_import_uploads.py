"""The safe reader of uploaded hour files: good XLSX and CSV files become a header and rows;
every hostile or broken file (the corpus of ``hostile.py`` and hypothesis' random ones) is
refused with a code and a message, and never crashes the reader."""

import io
import random
import zipfile
from datetime import date, datetime

import hypothesis
import openpyxl
import pytest
from defusedxml import DefusedXmlException
from hypothesis import given
from hypothesis import strategies as st
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from declarations.imports import uploads
from declarations.imports.problems import ImportRefused, UploadRefused
from declarations.imports.uploads import Table, max_upload_bytes, read_upload

from . import hostile
from .hostile import HEADER, Case, csv_bytes, raw_xlsx, rezip, sheet_data, xlsx

CORPUS = hostile.corpus()
VALUE_TYPES = (str, int, float, bool, datetime, date, type(None))


def outcome(name: str, content: bytes) -> Table | ImportRefused:
    """What the reader makes of a file: a Table or a refusal that explains itself; any other
    exception fails the test."""
    try:
        table = read_upload(name, content)
    except ImportRefused as error:
        refused = error
    else:
        refused = None
    if refused is not None:
        assert refused.problems
        for found in refused.problems:
            assert found.code, found
            assert str(found.message).strip(), found
        return refused
    assert isinstance(table, Table)
    assert table.kind in ("xlsx", "csv")
    assert 1 <= table.header_row <= uploads.HEADER_ROWS
    assert {"agreement", "date"} <= set(table.columns)
    numbers = list(table.numbers)
    assert len(numbers) == len(table.rows)
    assert numbers == sorted(set(numbers))
    assert all(number > table.header_row for number in numbers)
    for _, values in table.records():
        assert set(values) == set(table.columns)
        assert all(isinstance(value, VALUE_TYPES) for value in values.values())
    return table


def refusal(name: str, content: bytes) -> list[str]:
    with pytest.raises(ImportRefused) as caught:
        read_upload(name, content)
    return [found.code for found in caught.value.problems]


@pytest.fixture
def limits(settings):
    for name, value in hostile.LIMITS.items():
        setattr(settings, name, value)
    return settings


# --- good files -----------------------------------------------------------------------------


def test_a_good_xlsx_is_read_with_rows_numbered_as_in_the_sheet():
    monday = datetime(2026, 10, 5)  # noqa: DTZ001 - a spreadsheet date has no zone

    def fill(workbook):
        sheet = workbook["Uren"]
        sheet["C4"] = monday  # a real date cell stays a datetime
        sheet.append([])  # row 5: empty
        sheet.append(["Klaas", None, None, None, None, 5])  # row 6: no known column filled
        sheet.append([None, 102, "6-10-2026", "7,5", "  avond "])

    content = xlsx(
        [
            [],
            ["Naam", " zorgovereenkomst ", "DATUM", "Quantity", "Opmerking", "Totaal"],
            ["Jan", 101, "2026-10-05", 8, None, 99],
            ["Piet", 101, None, 7.25, "ochtend", 1],
        ],
        setup=fill,
    )
    table = read_upload("uren.xlsx", content)
    assert (table.sheet, table.kind, table.header_row) == ("Uren", "xlsx", 2)
    assert table.columns == {"agreement": "B", "date": "C", "quantity": "D", "note": "E"}
    assert table.records() == [
        (3, {"agreement": 101, "date": "2026-10-05", "quantity": 8, "note": None}),
        (4, {"agreement": 101, "date": monday, "quantity": 7.25, "note": "ochtend"}),
        (7, {"agreement": 102, "date": "6-10-2026", "quantity": "7,5", "note": "  avond "}),
    ]


@pytest.mark.parametrize(
    ("delimiter", "encoding"),
    [(";", "utf-8-sig"), (",", "utf-8-sig"), (";", "utf-8"), ("\t", "utf-8"), (";", "utf-16")],
)
def test_a_good_csv_is_read_with_columns_labelled_by_their_header(delimiter, encoding):
    content = csv_bytes(
        [
            ["Zorgovereenkomst", "Datum", "Aantal", " Opmerking ", "Iets anders"],
            ["101", "2026-10-05", "7,5", "ochtend; laat", "x"],
            ["", "", "", "", "niet bekend"],
            [],
            ["102", "5-10-2026", "", "", ""],
        ],
        delimiter=delimiter,
        encoding=encoding,
    )
    table = read_upload("uren.csv", content)
    assert (table.sheet, table.kind, table.header_row) == ("", "csv", 1)
    assert table.columns == {
        "agreement": "Zorgovereenkomst",
        "date": "Datum",
        "quantity": "Aantal",
        "note": "Opmerking",
    }
    assert table.records() == [
        (2, {"agreement": "101", "date": "2026-10-05", "quantity": "7,5", "note": "ochtend; laat"}),
        (5, {"agreement": "102", "date": "5-10-2026", "quantity": None, "note": None}),
    ]


def test_the_kind_is_decided_by_the_content_not_the_name():
    assert read_upload("uren.csv", xlsx()).kind == "xlsx"
    assert read_upload("uren.xlsx", csv_bytes()).kind == "csv"
    assert read_upload("", csv_bytes()).kind == "csv"


def test_excel_sep_line_sets_the_delimiter_and_is_not_a_row():
    content = b"sep=,\r\nZorgovereenkomst,Datum,Uitleg;a;b;c\r\n101,2026-10-05,x\r\n"
    table = read_upload("uren.csv", content)
    assert table.columns == {"agreement": "Zorgovereenkomst", "date": "Datum"}
    assert table.header_row == 1
    assert table.records() == [(2, {"agreement": "101", "date": "2026-10-05"})]


def test_the_hours_sheet_is_chosen_else_the_first_visible_one():
    other = [["Uitleg"], ["Vul het blad Uren in"]]

    def with_front_sheet(name):
        def setup(workbook):
            front = workbook.create_sheet("Uitleg", 0)
            for row in other:
                front.append(row)
            workbook[name].title = name

        return setup

    assert read_upload("a.xlsx", xlsx(setup=with_front_sheet("Uren"))).sheet == "Uren"
    assert read_upload("a.xlsx", xlsx(title="Hours", setup=with_front_sheet("Hours"))).sheet == (
        "Hours"
    )
    first = xlsx(title="Blad1", extra_sheets=[("Blad2", "visible")])
    assert read_upload("a.xlsx", first).sheet == "Blad1"
    hidden_first = xlsx(title="Oud", hidden="hidden", extra_sheets=[("Nieuw", "visible")])
    with pytest.raises(UploadRefused) as caught:
        read_upload("a.xlsx", hidden_first)  # the visible sheet is empty: no header
    assert caught.value.problems[0].code == "no_header"
    assert caught.value.problems[0].sheet == "Nieuw"


def test_the_dimension_a_file_claims_is_not_trusted():
    data = sheet_data([HEADER, [101, "2026-10-05", 8]], dimension="A1:B1")
    table = read_upload("a.xlsx", raw_xlsx([("Uren", data, "visible")]))
    assert table.records() == [
        (2, {"agreement": 101, "date": "2026-10-05", "quantity": 8, "note": None})
    ]


# --- refusals -------------------------------------------------------------------------------


@pytest.mark.filterwarnings("ignore::UserWarning")  # openpyxl: "a date out of range", say
@pytest.mark.parametrize("case", CORPUS, ids=hostile.ids())
def test_hostile_corpus(case: Case, limits):
    result = outcome(case.name, case.content)
    if case.expected is None:
        assert isinstance(result, Table), result.problems
    else:
        assert isinstance(result, ImportRefused), f"read: {result}"
        assert case.expected in [found.code for found in result.problems]
        if case.expected != "formula":
            assert isinstance(result, UploadRefused)


def test_the_corpus_is_big_and_covers_every_refusal():
    assert len(CORPUS) >= 200
    assert len({case.name for case in CORPUS}) == len(CORPUS)
    assert {case.expected for case in CORPUS} >= {
        None,
        "empty",
        "too_large",
        "macro_workbook",
        "old_excel",
        "not_a_spreadsheet",
        "zip_bomb",
        "unreadable",
        "xml_entities",
        "no_sheet",
        "no_header",
        "missing_columns",
        "duplicate_column",
        "too_many_columns",
        "too_many_rows",
        "encoding",
        "formula",
    }


def test_defusedxml_refuses_entities_inside_openpyxl():
    """The second line of defence: even past the DOCTYPE scan, openpyxl parses with
    defusedxml and the reader turns its refusal into ``xml_entities``."""
    assert openpyxl.xml.DEFUSEDXML is True
    bomb = next(case for case in CORPUS if case.name == "xml-laughs-in-xl-workbook.xml.xlsx")
    with pytest.raises(Exception) as caught:  # noqa: PT011 - openpyxl wraps it in ValueError
        openpyxl.load_workbook(io.BytesIO(bomb.content), read_only=True, data_only=True)
    assert uploads.refusals.defused(caught.value)
    assert isinstance(caught.value.__cause__ or caught.value, DefusedXmlException)


@pytest.mark.parametrize(
    "name",
    [
        case.name
        for case in CORPUS
        if case.name.startswith(("xml-laughs-in", "xml-xxe-file-in", "xml-parameter-in"))
        and ("sheet1" in case.name or "sharedStrings" in case.name or "workbook.xml." in case.name)
    ],
)
def test_entities_are_refused_without_the_doctype_scan(name, monkeypatch):
    monkeypatch.setattr(uploads.xlsx, "XML_PROLOG_BYTES", 0)
    case = next(case for case in CORPUS if case.name == name)
    assert refusal(case.name, case.content) == ["xml_entities"]


def test_size_limits_come_from_the_settings(settings):
    settings.IMPORT_MAX_BYTES = 1000
    assert max_upload_bytes() == 1000
    with pytest.raises(UploadRefused) as caught:
        read_upload("a.csv", b"x" * 1001)
    assert caught.value.problems[0].code == "too_large"
    assert "MB" in caught.value.problems[0].message
    assert read_upload("a.csv", b"Zorgovereenkomst;Datum\n1;2\n").rows


def test_too_large_names_the_size_and_the_limit():
    content = b"x" * (uploads.IMPORT_MAX_BYTES + 1)
    with pytest.raises(UploadRefused) as caught:
        read_upload("a.csv", content)
    message = caught.value.problems[0].message
    assert "10,1 MB" in message or "10.1 MB" in message
    assert "10 MB" in message


@pytest.mark.parametrize(
    ("setting", "value"),
    [
        ("IMPORT_MAX_ZIP_MEMBERS", 5),
        ("IMPORT_MAX_UNPACKED_BYTES", 5000),
        ("IMPORT_MAX_COMPRESSION_RATIO", 1),
    ],
)
def test_zip_limits_come_from_the_settings(settings, setting, value):
    noise = random.Random(1).randbytes(MB_AND_A_BIT // 2).hex().encode()  # packs about 2:1
    content = rezip(xlsx(), add={"xl/media/big.xml": noise})
    assert isinstance(read_upload("a.xlsx", content), Table)
    setattr(settings, setting, value)
    assert refusal("a.xlsx", content) == ["zip_bomb"]


MB_AND_A_BIT = 1024 * 1024 + 4096


def test_small_members_may_be_packed_tightly():
    content = rezip(xlsx(), add={"xl/media/small.xml": b"\0" * (1024 * 1024)})
    assert isinstance(read_upload("a.xlsx", content), Table)


def test_reading_stops_as_soon_as_there_are_too_many_rows(settings):
    settings.IMPORT_MAX_ROWS = 3
    rows = [HEADER, *([[1, "2026-10-05", 8]] * 4)]
    # past the limit comes a cell too long for the csv module: it is never reached
    content = csv_bytes(rows) + b'1;"' + b"x" * 200_000 + b'";8\r\n'
    with pytest.raises(UploadRefused) as caught:
        read_upload("a.csv", content)
    (found,) = caught.value.problems
    assert (found.code, found.row) == ("too_many_rows", 5)
    settings.IMPORT_MAX_ROWS = 4
    assert refusal("a.csv", content) == ["unreadable"]


def test_empty_rows_do_not_count_against_the_row_limit(settings):
    settings.IMPORT_MAX_ROWS = 2
    rows = [HEADER, [1, "2026-10-05", 8], *([[None, None, None, None, "x"]] * 50)]
    rows.append([2, "2026-10-06", 8])
    assert len(read_upload("a.csv", csv_bytes(rows)).rows) == 2
    assert len(read_upload("a.xlsx", xlsx(rows)).rows) == 2


def test_header_problems_are_listed_together():
    content = csv_bytes([["Aantal", "Aantal", "Opmerking", "Note"], [1, 2, 3, 4]])
    with pytest.raises(UploadRefused) as caught:
        read_upload("a.csv", content)
    problems = caught.value.problems
    assert [found.code for found in problems] == [
        "missing_columns",
        "duplicate_column",
        "duplicate_column",
    ]
    assert "Zorgovereenkomst (Agreement)" in problems[0].message
    assert "Datum (Date)" in problems[0].message
    assert all(found.row == 1 for found in problems)


def test_duplicate_columns_are_named_by_their_letters():
    with pytest.raises(UploadRefused) as caught:
        read_upload("a.xlsx", xlsx([["Zorgovereenkomst", "Datum", "Naam", "date"], [1, 2]]))
    assert "B, D" in caught.value.problems[0].message


def test_every_formula_cell_is_listed_with_its_place(settings):
    rows = [
        HEADER,
        [101, "2026-10-05", "-7,5", "-"],
        [101, "=TODAY()", 8, "@SUM(A1)"],
        [101, "2026-10-07", "+8", "\t=1+1"],
        ["=1+1", "2026-10-08", "-2+3", "ok"],
    ]
    with pytest.raises(ImportRefused) as caught:
        read_upload("a.csv", csv_bytes(rows))
    assert not isinstance(caught.value, UploadRefused)
    found = [(p.code, p.sheet, p.row, p.column, p.value) for p in caught.value.problems]
    assert found == [
        ("formula", "", 2, "Opmerking", "-"),
        ("formula", "", 3, "Datum", "=TODAY()"),
        ("formula", "", 3, "Opmerking", "@SUM(A1)"),
        ("formula", "", 4, "Opmerking", "\t=1+1"),
        ("formula", "", 5, "Zorgovereenkomst", "=1+1"),
        ("formula", "", 5, "Aantal", "-2+3"),
    ]
    shared = [*HEADER, "@SUM(A1)"]
    data = [[("s", 0), ("s", 1), ("s", 2), ("s", 3)], [101, "2026-10-05", 8, ("s", 4)]]
    content = raw_xlsx([("Uren", sheet_data(data), "visible")], shared=shared)
    with pytest.raises(ImportRefused) as caught:
        read_upload("a.xlsx", content)
    (problem,) = caught.value.problems
    assert (problem.sheet, problem.row, problem.column, problem.value) == (
        "Uren",
        2,
        "D",
        "@SUM(A1)",
    )
    settings.IMPORT_MAX_PROBLEMS = 3
    with pytest.raises(ImportRefused) as caught:
        read_upload("a.csv", csv_bytes(rows))
    codes = [p.code for p in caught.value.problems]
    assert codes == ["formula", "formula", "formula", "too_many_problems"]
    assert "3" in caught.value.problems[-1].message


@pytest.mark.parametrize("text", ["-1", "-7,5", "+3", "-0.25", "-1.234,50", "1e5", "-2E-3"])
def test_signed_numbers_are_not_formulas(text):
    assert not uploads.table.looks_like_formula(text)


@pytest.mark.parametrize(
    "text", ["=1+1", "+cmd", "@SUM(A1)", "-2+3", "\t7", "\r7", " =1", "-", "+31 6 12345678"]
)
def test_formula_starts_are_formulas(text):
    assert uploads.table.looks_like_formula(text)


# --- big and sparse files -------------------------------------------------------------------


def test_a_million_empty_csv_rows_are_skipped():
    content = (
        csv_bytes([HEADER, [1, "2026-10-05", 8]])
        + b"\r\n" * 500_000
        + b";;;\r\n" * 500_000
        + b"2;2026-10-06;7\r\n"
    )
    table = read_upload("a.csv", content)
    assert list(table.numbers) == [2, 1_000_003]


def test_a_far_away_cell_is_found_without_reading_a_million_rows():
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Uren"
    sheet.append(HEADER)
    sheet.append([101, "2026-10-05", 8])
    sheet["A1048576"] = 102
    sheet["B1048576"] = "2026-10-06"
    out = io.BytesIO()
    workbook.save(out)
    table = read_upload("a.xlsx", out.getvalue())
    assert list(table.numbers) == [2, 1_048_576]
    assert table.records()[-1][1]["agreement"] == 102


def test_a_million_empty_rows_written_by_openpyxl_write_only_are_skipped():
    """write_only writes every row it is given, so the cell in A1048576 comes after a
    million empty ``<row>`` elements that are all parsed (a few seconds)."""
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet("Uren")
    sheet.append(HEADER)
    sheet.append([101, "2026-10-05", 8])
    for _ in range(1_048_573):
        sheet.append([])
    sheet.append([102, "2026-10-06", 7])
    out = io.BytesIO()
    workbook.save(out)
    table = read_upload("a.xlsx", out.getvalue())
    assert list(table.numbers) == [2, 1_048_576]


# --- random files ---------------------------------------------------------------------------

NAMES = ("uren.xlsx", "uren.csv", "uren.txt", "uren", "uren.xls", "uren.xlsm", "UREN.XLSX")
CELL_TEXT = st.text(
    alphabet=st.one_of(
        st.sampled_from("=+-@\t\r\n;,\"' 0123456789.,:/#%"),
        st.characters(codec="utf-8", exclude_categories=("Cs",)),
    ),
    max_size=12,
)
CELL = st.one_of(
    st.none(),
    CELL_TEXT,
    st.sampled_from(["=1+1", "+cmd|' /C calc'!A0", "@SUM(A1)", "-2+3", "-1", "7,5", "\x00"]),
    st.integers(-(10**12), 10**12),
    st.floats(allow_nan=False, allow_infinity=False),
)
HEADERS = st.lists(
    st.sampled_from([*HEADER, "Date", "Agreement", "Naam", "", "Bedrag", "=1"]),
    min_size=0,
    max_size=7,
)
BASES = (
    xlsx(),
    csv_bytes(),
    csv_bytes(delimiter=","),
    raw_xlsx(shared=["a", "b"]),
    csv_bytes(encoding="utf-16"),
)


@st.composite
def mutated(draw):
    content = bytearray(draw(st.sampled_from(BASES)))
    for _ in range(draw(st.integers(1, 4))):
        operation = draw(st.sampled_from(["flip", "truncate", "insert", "delete"]))
        position = draw(st.integers(0, max(len(content) - 1, 0)))
        if operation == "flip" and content:
            content[position] ^= draw(st.integers(1, 255))
        elif operation == "truncate":
            del content[position:]
        elif operation == "insert":
            content[position:position] = draw(st.binary(min_size=1, max_size=64))
        elif content:
            del content[position : position + draw(st.integers(1, 64))]
    return bytes(content)


@st.composite
def mutated_xml(draw):
    """A valid ZIP whose sheet XML is garbled: the damage reaches openpyxl's parser."""
    base = draw(st.sampled_from(BASES[::3]))
    part = draw(st.sampled_from(["xl/worksheets/sheet1.xml", "xl/workbook.xml"]))
    with zipfile.ZipFile(io.BytesIO(base)) as archive:
        xml = bytearray(archive.read(part))
    for _ in range(draw(st.integers(1, 3))):
        position = draw(st.integers(0, len(xml) - 1))
        garbage = draw(
            st.one_of(
                st.binary(max_size=16),
                st.sampled_from([b"<", b">", b"&", b'"', b"<row r='9999999'>", b"</c>", b"\xff"]),
            )
        )
        xml[position : position + draw(st.integers(0, 8))] = garbage
    return rezip(base, replace={part: bytes(xml)})


@st.composite
def random_table(draw):
    header = draw(HEADERS)
    rows = draw(st.lists(st.lists(CELL, max_size=8), max_size=12))
    as_xlsx = draw(st.booleans())
    if as_xlsx:

        def clean(value):
            return ILLEGAL_CHARACTERS_RE.sub("", value) if isinstance(value, str) else value

        return "uren.xlsx", xlsx([[clean(value) for value in row] for row in [header, *rows]])
    delimiter = draw(st.sampled_from([";", ",", "\t"]))
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "utf-16"]))
    text_rows = [header, *rows]
    return "uren.csv", csv_bytes(text_rows, delimiter=delimiter, encoding=encoding)


@hypothesis.settings(max_examples=300, deadline=None)
@given(
    name=st.sampled_from(NAMES),
    content=st.one_of(
        st.binary(max_size=2048),
        st.binary(max_size=64).map(lambda garbage: b"PK\x03\x04" + garbage),
        mutated(),
        mutated(),
        mutated_xml(),
    ),
)
def test_random_malformed_files_never_crash(name, content):
    outcome(name, content)


@hypothesis.settings(max_examples=150, deadline=None)
@given(upload=random_table())
def test_random_cells_are_read_or_refused_cell_by_cell(upload):
    name, content = upload
    result = outcome(name, content)
    if isinstance(result, Table):
        for _, values in result.records():
            for value in values.values():
                assert not (isinstance(value, str) and uploads.table.looks_like_formula(value))


def test_random_bytes_with_a_fixed_seed_never_crash():
    generator = random.Random(7)
    for size in range(1, 400, 3):
        outcome("x.xlsx", generator.randbytes(size))
        outcome("x.csv", b"Zorgovereenkomst;Datum\r\n" + generator.randbytes(size))
