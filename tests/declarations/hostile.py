"""A corpus of hostile and broken uploads for the reader of hour files, generated
deterministically (no files in the repository): zip bombs, XML entity bombs, wrong magic bytes,
macro workbooks, formulas, hidden sheets, broken headers, huge sheets, bad encodings, and a few
awkward files that must be read (merged cells, dates as text, Dutch decimal commas).

Each generator returns :class:`Case` tuples ``(name, content, expected)``: ``name`` is the
uploaded file's name and unique in the corpus (use it as the test id); ``expected`` is the
refusal code the reader must give, or ``None`` when the file must be read. The cases about
limits assume the settings in :data:`LIMITS`.

``corpus()`` returns all of them (``ids()`` their names, for test ids); ``xlsx()``,
``raw_xlsx()``, ``rezip()`` and ``csv_bytes()`` build files for other tests.
"""

import io
import random
import re
import struct
import zipfile
from functools import cache
from typing import NamedTuple
from xml.sax.saxutils import escape

import openpyxl
import openpyxl.chart

MB = 1024 * 1024
LIMITS = {"IMPORT_MAX_ROWS": 50, "IMPORT_MAX_COLUMNS": 50, "IMPORT_MAX_PART_BYTES": 2 * MB}
MAX_ROWS = LIMITS["IMPORT_MAX_ROWS"]
MAX_COLUMNS = LIMITS["IMPORT_MAX_COLUMNS"]

HEADER = ["Zorgovereenkomst", "Datum", "Aantal", "Opmerking"]
ROWS = [
    [101, "2026-10-05", 7.5, "ochtend"],
    [101, "2026-10-06", 8, None],
    [102, "5-10-2026", "7,25", "avond"],
]


class Case(NamedTuple):
    name: str
    content: bytes
    expected: str | None  # the refusal code, or None: the file is read


# --- builders -------------------------------------------------------------------------------


def xlsx(rows=None, *, title="Uren", extra_sheets=(), hidden="", setup=None) -> bytes:
    """A workbook written by openpyxl: ``rows`` on the first sheet (header and data), then
    ``extra_sheets`` (name, state); ``hidden`` is the state of the first sheet."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = title
    for row in [HEADER, *ROWS] if rows is None else rows:
        sheet.append(list(row))
    states = {name: state for name, state in extra_sheets}
    for name in states:
        workbook.create_sheet(name)
    if hidden:
        states[title] = hidden
    if setup:
        setup(workbook)
    out = io.BytesIO()
    workbook.save(out)
    if not any(state != "visible" for state in states.values()):
        return out.getvalue()

    # openpyxl will not save a workbook without a visible sheet: hide them afterwards
    def hide(data: bytes) -> bytes:
        text = data.decode()
        for name, state in states.items():
            # the attributes' order is the serialiser's (lxml puts a namespace first)
            found = re.search(rf'<sheet\b[^>]*\bname="{re.escape(name)}"', text)
            assert found, name
            start = found.start()
            end = text.index("/>", start)
            text = text[:start] + text[start:end].replace('"visible"', f'"{state}"') + text[end:]
        return text.encode()

    return rezip(out.getvalue(), replace={"xl/workbook.xml": hide})


def csv_bytes(rows=None, *, delimiter=";", encoding="utf-8-sig", newline="\r\n") -> bytes:
    lines = []
    for row in [HEADER, *ROWS] if rows is None else rows:
        cells = ["" if value is None else str(value) for value in row]
        lines.append(delimiter.join(_quoted(cell, delimiter) for cell in cells))
    return (newline.join(lines) + newline).encode(encoding)


def _quoted(cell: str, delimiter: str) -> str:
    if any(char in cell for char in (delimiter, '"', "\n", "\r")):
        return '"' + cell.replace('"', '""') + '"'
    return cell


def rezip(content: bytes, *, replace=None, add=None, drop=(), method=zipfile.ZIP_DEFLATED):
    """The ZIP ``content`` with members replaced (a dict of bytes, or of functions of the old
    bytes), added or dropped."""
    replace, add = replace or {}, add or {}
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(content)) as source,
        zipfile.ZipFile(out, "w", method) as target,
    ):
        for member in source.infolist():
            if member.filename in drop:
                continue
            data = source.read(member.filename)
            new = replace.get(member.filename, data)
            target.writestr(member.filename, new(data) if callable(new) else new)
        for name, data in add.items():
            target.writestr(name, data)
    return out.getvalue()


MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
DOC_RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
WORKBOOK_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
MACRO_WORKBOOK_TYPE = "application/vnd.ms-excel.sheet.macroEnabled.main+xml"


def raw_xlsx(
    sheets=None, *, shared=None, prolog="", workbook_type=WORKBOOK_TYPE, add=None
) -> bytes:
    """A workbook written by hand, for what openpyxl will not write. ``sheets`` is a list of
    ``(name, sheetData xml, state)``; ``shared`` the shared strings (cells ``t="s"``);
    ``prolog`` is put before the root element of every XML part (a DOCTYPE, say)."""
    if sheets is None:
        sheets = [("Uren", sheet_data([HEADER, *ROWS]), "visible")]
    shared = shared or []
    overrides = [f'<Override PartName="/xl/workbook.xml" ContentType="{workbook_type}"/>']
    entries, rels = [], []
    parts = {}
    for number, (name, data, state) in enumerate(sheets, 1):
        overrides.append(
            f'<Override PartName="/xl/worksheets/sheet{number}.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        )
        entries.append(
            f'<sheet name="{escape(name)}" sheetId="{number}" state="{state}" r:id="rId{number}"/>'
        )
        rels.append(
            f'<Relationship Id="rId{number}" Type="{DOC_RELS}/worksheet" '
            f'Target="worksheets/sheet{number}.xml"/>'
        )
        parts[f"xl/worksheets/sheet{number}.xml"] = f'<worksheet xmlns="{MAIN}">{data}</worksheet>'
    overrides.append(
        '<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
    )
    rels.append(
        f'<Relationship Id="rId{len(sheets) + 1}" Type="{DOC_RELS}/sharedStrings" '
        'Target="sharedStrings.xml"/>'
    )
    strings = "".join(f"<si><t>{escape(text)}</t></si>" for text in shared)
    parts["xl/sharedStrings.xml"] = (
        f'<sst xmlns="{MAIN}" count="{len(shared)}" uniqueCount="{len(shared)}">{strings}</sst>'
    )
    parts["[Content_Types].xml"] = (
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        f'<Default Extension="rels" ContentType="application/'
        'vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        f"{''.join(overrides)}</Types>"
    )
    parts["_rels/.rels"] = (
        f'<Relationships xmlns="{RELS}"><Relationship Id="rId1" '
        f'Type="{DOC_RELS}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
    )
    parts["xl/workbook.xml"] = (
        f'<workbook xmlns="{MAIN}" xmlns:r="{DOC_RELS}"><sheets>{"".join(entries)}</sheets>'
        "</workbook>"
    )
    parts["xl/_rels/workbook.xml.rels"] = (
        f'<Relationships xmlns="{RELS}">{"".join(rels)}</Relationships>'
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in parts.items():
            archive.writestr(name, '<?xml version="1.0" encoding="UTF-8"?>' + prolog + text)
        for name, data in (add or {}).items():
            archive.writestr(name, data)
    return out.getvalue()


def sheet_data(rows, *, start=1, dimension=None) -> str:
    """``<sheetData>`` with inline strings and numbers; ``rows`` may hold ``(number, row)``
    pairs to place rows anywhere, or ``("s", index)`` for a shared string."""
    xml = []
    for offset, row in enumerate(rows):
        number, row = row if isinstance(row, tuple) else (start + offset, row)
        cells = []
        for column, value in enumerate(row, 1):
            ref = f"{openpyxl.utils.get_column_letter(column)}{number}"
            if value is None:
                continue
            if isinstance(value, tuple):
                cells.append(f'<c r="{ref}" t="s"><v>{value[1]}</v></c>')
            elif isinstance(value, int | float):
                cells.append(f'<c r="{ref}"><v>{value}</v></c>')
            else:
                cells.append(f'<c r="{ref}" t="inlineStr"><is><t>{escape(str(value))}</t></is></c>')
        xml.append(f'<row r="{number}">{"".join(cells)}</row>')
    head = f'<dimension ref="{dimension}"/>' if dimension else ""
    return f"{head}<sheetData>{''.join(xml)}</sheetData>"


def header_and(cells: str) -> bytes:
    """A hand-written workbook: the header in row 1, then row 2 holding the XML ``cells``."""
    data = sheet_data([HEADER]).replace("</sheetData>", f'<row r="2">{cells}</row></sheetData>')
    return raw_xlsx([("Uren", data, "visible")])


def patch_sizes(content: bytes, *, file_size: int) -> bytes:
    """Claim ``file_size`` as the unpacked size of every member, in the local headers and in
    the central directory (what a crafted zip bomb does)."""
    data = bytearray(content)
    for signature, offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        start = data.find(signature)
        while start != -1:
            struct.pack_into("<I", data, start + offset, file_size)
            start = data.find(signature, start + 4)
    return bytes(data)


def corrupt(content: bytes, member: str) -> bytes:
    """``content`` with the packed data of ``member`` garbled (a bad CRC or deflate stream)."""
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        info = archive.getinfo(member)
    data = bytearray(content)
    name_length, extra_length = struct.unpack_from("<HH", data, info.header_offset + 26)
    start = info.header_offset + 30 + name_length + extra_length
    middle = start + info.compress_size // 2
    data[middle : middle + 4] = bytes(byte ^ 0x55 for byte in data[middle : middle + 4])
    return bytes(data)


def _zip(members: dict[str, bytes], method=zipfile.ZIP_DEFLATED) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", method) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return out.getvalue()


# --- the corpus -----------------------------------------------------------------------------


def zip_bombs() -> list[Case]:
    cases = []
    base = xlsx()
    for size_mb, filler in ((2, b"\0"), (5, b"\0"), (20, b"\0"), (5, b" "), (8, b"<row/>")):
        data = filler * (size_mb * MB // len(filler))
        for member in ("xl/worksheets/sheet1.xml", "xl/sharedStrings.xml", "bomb.bin"):
            name = member.rsplit("/", 1)[-1].replace(".", "-")
            filler_name = {b"\0": "zeros", b" ": "spaces", b"<row/>": "rows"}[filler]
            cases.append(
                Case(
                    f"zip-ratio-{size_mb}mb-{filler_name}-{name}.xlsx",
                    rezip(
                        base,
                        replace={member: data},
                        add={} if member in _names(base) else {member: data},
                    ),
                    "zip_bomb",
                )
            )
    for count in (101, 150, 500, 2000, 10_000):
        members = {f"xl/media/part{i}.xml": b"<a/>" for i in range(count)}
        cases.append(Case(f"zip-members-{count}.xlsx", rezip(base, add=members), "zip_bomb"))
        cases.append(Case(f"zip-members-{count}-plain.zip.xlsx", _zip(members), "zip_bomb"))
    for claimed in (251 * MB, 1024 * MB, 0xFFFFFFFF):
        for method, label in ((zipfile.ZIP_DEFLATED, "deflated"), (zipfile.ZIP_STORED, "stored")):
            content = patch_sizes(rezip(base, method=method), file_size=claimed)
            cases.append(Case(f"zip-claims-{claimed // MB}mb-{label}.xlsx", content, "zip_bomb"))
    return cases


def _names(content: bytes) -> set[str]:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return set(archive.namelist())


LAUGHS = (
    '<!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(
        f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10 if i > 1 else "&lol;" * 10}">'
        for i in range(1, 10)
    )
    + "]>"
)
EXTERNAL_FILE = '<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
EXTERNAL_HTTP = '<!DOCTYPE x [<!ENTITY xxe SYSTEM "http://127.0.0.1:9/x">]>'
PARAMETER = '<!DOCTYPE x [<!ENTITY % p SYSTEM "http://127.0.0.1:9/p.dtd"> %p;]>'
EXTERNAL_DTD = '<!DOCTYPE worksheet SYSTEM "http://127.0.0.1:9/x.dtd">'
XML_PARTS = (
    "xl/worksheets/sheet1.xml",
    "xl/sharedStrings.xml",
    "xl/workbook.xml",
    "[Content_Types].xml",
    "_rels/.rels",
    "xl/_rels/workbook.xml.rels",
)


def xml_bombs() -> list[Case]:
    cases = []
    header_strings = [*HEADER, "ochtend"]
    rows = [[("s", 0), ("s", 1), ("s", 2), ("s", 3)], [101, "2026-10-05", 7.5, ("s", 4)]]
    base = raw_xlsx([("Uren", sheet_data(rows), "visible")], shared=header_strings)
    for dtd_name, dtd in (
        ("laughs", LAUGHS),
        ("xxe-file", EXTERNAL_FILE),
        ("xxe-http", EXTERNAL_HTTP),
        ("parameter", PARAMETER),
        ("external-dtd", EXTERNAL_DTD),
    ):
        for part in XML_PARTS:
            label = part.replace("/", "-").replace("[", "").replace("]", "")
            uses = "&lol9;" if dtd_name == "laughs" else "&xxe;" if "xxe" in dtd_name else ""

            def bomb(data, dtd=dtd, uses=uses, part=part):
                text = data.decode()
                declaration, body = text.split("?>", 1)
                if uses and part == "xl/sharedStrings.xml":
                    body = body.replace("ochtend", uses)
                if uses and part == "xl/worksheets/sheet1.xml":
                    body = body.replace("2026-10-05", uses)
                return (declaration + "?>" + dtd + body).encode()

            cases.append(
                Case(
                    f"xml-{dtd_name}-in-{label}.xlsx",
                    rezip(base, replace={part: bomb}),
                    "xml_entities",
                )
            )
        # the DOCTYPE in UTF-16, and past the first 64 KB (then defusedxml itself refuses it)
    for part in ("xl/worksheets/sheet1.xml", "xl/workbook.xml"):
        label = part.rsplit("/", 1)[-1].replace(".", "-")

        def utf16(data):
            body = data.decode().split("?>", 1)[1]
            return ('<?xml version="1.0" encoding="UTF-16"?>' + LAUGHS + body).encode("utf-16")

        def late(data):
            declaration, body = data.decode().split("?>", 1)
            return (declaration + "?>" + "<!--" + "x" * 70_000 + "-->" + LAUGHS + body).encode()

        cases.append(
            Case(
                f"xml-utf16-laughs-in-{label}.xlsx",
                rezip(base, replace={part: utf16}),
                "xml_entities",
            )
        )
        cases.append(
            Case(
                f"xml-late-laughs-in-{label}.xlsx",
                rezip(base, replace={part: late}),
                "xml_entities",
            )
        )
    return cases


def wrong_magic() -> list[Case]:
    good = xlsx()
    cases = [
        Case(
            "pdf.xlsx",
            b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n",
            "not_a_spreadsheet",
        ),
        Case(
            "ascii-pdf.xlsx",
            b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\n%%EOF\n",
            "not_a_spreadsheet",
        ),
        Case("png.xlsx", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(64), "not_a_spreadsheet"),
        Case("jpeg.xlsx", b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(64), "not_a_spreadsheet"),
        Case("gif.xlsx", b"GIF89a\x01\x00\x01\x00\x00\x00\x00;", "not_a_spreadsheet"),
        Case("gzip.xlsx", b"\x1f\x8b\x08\x00" + bytes(32), "not_a_spreadsheet"),
        Case("seven-zip.xlsx", b"7z\xbc\xaf\x27\x1c\x00\x04" + bytes(32), "not_a_spreadsheet"),
        Case("rar.xlsx", b"Rar!\x1a\x07\x00" + bytes(32), "not_a_spreadsheet"),
        Case("rtf.csv", b"{\\rtf1\\ansi Zorgovereenkomst;Datum}", "not_a_spreadsheet"),
        Case(
            "html-saved-as.xls",
            b"<html><body><table><tr><td>Datum</td></tr></table></body></html>",
            "not_a_spreadsheet",
        ),
        Case(
            "xml-spreadsheet-2003.xls",
            b'<?xml version="1.0"?>\n<Workbook xmlns="urn:schemas-microsoft-com:office:'
            b'spreadsheet"/>',
            "not_a_spreadsheet",
        ),
        Case("exe.xlsx", b"MZ\x90\x00\x03\x00\x00\x00" + bytes(64), "not_a_spreadsheet"),
        Case("empty.xlsx", b"", "empty"),
        Case("empty.csv", b"", "empty"),
        Case("only-pk.xlsx", b"PK\x03\x04", "unreadable"),
        Case("empty-zip.xlsx", _zip({}), "not_a_spreadsheet"),
        Case("plain-zip.xlsx", _zip({"readme.txt": b"hello"}), "not_a_spreadsheet"),
        Case(
            "ods.xlsx",
            _zip(
                {
                    "mimetype": b"application/vnd.oasis.opendocument.spreadsheet",
                    "content.xml": b"<a/>",
                }
            ),
            "not_a_spreadsheet",
        ),
        Case(
            "xlsb.xlsx",
            _zip({"[Content_Types].xml": b"<Types/>", "xl/workbook.bin": b"\x83\x01\x00"}),
            "not_a_spreadsheet",
        ),
        Case("workbook-only.xlsx", _zip({"xl/workbook.xml": b"<workbook/>"}), "unreadable"),
        Case(
            "broken-sheet-xml.xlsx",
            rezip(good, replace={"xl/worksheets/sheet1.xml": lambda d: d[: len(d) // 2]}),
            "unreadable",
        ),
        Case(
            "sheet-not-xml.xlsx",
            rezip(good, replace={"xl/worksheets/sheet1.xml": b"\x00\x01garbage"}),
            "unreadable",
        ),
        Case(
            "missing-content-types.xlsx", rezip(good, drop=("[Content_Types].xml",)), "unreadable"
        ),
        Case(
            "missing-workbook-rels.xlsx",
            rezip(good, drop=("xl/_rels/workbook.xml.rels",)),
            "unreadable",
        ),
        Case("bzip2-members.xlsx", rezip(good, method=zipfile.ZIP_BZIP2), None),
        Case("lzma-members.xlsx", rezip(good, method=zipfile.ZIP_LZMA), None),
    ]
    # named by where the cut is, not by the length: the workbook's size varies by a byte with
    # the time openpyxl writes into it, and parallel test processes must collect the same names
    cuts = {"5": 5, "10": 10, "30": 30, "100": 100, "500": 500, "half": len(good) // 2}
    cuts |= {"without-end-record": len(good) - 22, "last-byte-missing": len(good) - 1}
    for label, length in cuts.items():
        cases.append(Case(f"truncated-zip-{label}.xlsx", good[:length], "unreadable"))
    for seed in range(12):
        size = (16, 100, 1000, 5000)[seed % 4]
        content = random.Random(seed).randbytes(size)
        cases.append(Case(f"random-{seed}-{size}.xlsx", content, "not_a_spreadsheet"))
    for member in ("xl/workbook.xml", "xl/worksheets/sheet1.xml", "[Content_Types].xml"):
        label = member.rsplit("/", 1)[-1].replace(".", "-").strip("[]")
        cases.append(Case(f"corrupt-data-{label}.xlsx", corrupt(good, member), "unreadable"))
    encrypted = bytearray(good)
    for signature, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        position = encrypted.find(signature)
        while position != -1:
            encrypted[position + offset] |= 1
            position = encrypted.find(signature, position + 4)
    cases.append(Case("encrypted-members.xlsx", bytes(encrypted), "unreadable"))
    return cases


def macros() -> list[Case]:
    good = xlsx()
    return [
        Case("hours.xlsm", good, "macro_workbook"),
        Case("hours.XLSM", good, "macro_workbook"),
        Case("hours.xltm", good, "macro_workbook"),
        Case("hours.xlam", good, "macro_workbook"),
        Case("csv-named.xlsm", csv_bytes(), "macro_workbook"),
        Case(
            "vba-project.xlsx",
            rezip(good, add={"xl/vbaProject.bin": OLE2_HEADER + bytes(512)}),
            "macro_workbook",
        ),
        Case(
            "vba-project-upper.xlsx",
            rezip(good, add={"XL/VBAPROJECT.BIN": bytes(64)}),
            "macro_workbook",
        ),
        Case(
            "macro-sheet.xlsx",
            rezip(good, add={"xl/macrosheets/sheet1.xml": b"<xm:macrosheet/>"}),
            "macro_workbook",
        ),
        Case(
            "macro-content-type.xlsx", raw_xlsx(workbook_type=MACRO_WORKBOOK_TYPE), "macro_workbook"
        ),
    ]


OLE2_HEADER = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def old_excel() -> list[Case]:
    content = OLE2_HEADER + bytes(504) + b"\xfe\xff" * 100
    return [
        Case("hours.xls", content, "old_excel"),
        Case("old-renamed.xlsx", content, "old_excel"),
        Case("old-renamed.csv", content, "old_excel"),
        Case("password-protected.xlsx", OLE2_HEADER + b"EncryptionInfo" + bytes(500), "old_excel"),
    ]


FORMULAS = (
    ("equals", "=1+1"),
    ("plus-cmd", "+cmd|' /C calc'!A0"),
    ("at-sum", "@SUM(A1)"),
    ("minus-sum", "-2+3"),
    ("hyperlink", '=HYPERLINK("http://example.invalid","klik")'),
    ("tab", "\t=1+1"),
    ("carriage-return", "\r=1+1"),
    ("space-equals", " =1+1"),
    ("dde", "=cmd|'/C notepad'!A1"),
)


def formulas() -> list[Case]:
    cases = []
    for label, text in FORMULAS:
        for column, position in (("note", 3), ("date", 1)):
            rows = [HEADER, [101, "2026-10-05", 8, "ok"]]
            row = [102, "2026-10-06", 8, "ok"]
            row[position] = text
            rows.append(row)
            cases.append(Case(f"formula-{label}-in-{column}.csv", csv_bytes(rows), "formula"))
            if "\r" not in text and "\t" not in text:
                # openpyxl would store '=...' as a formula; a shared string keeps it text
                shared = [*HEADER, text]
                data = [[("s", 0), ("s", 1), ("s", 2), ("s", 3)], [101, "2026-10-05", 8, "ok"]]
                bad = [102, "2026-10-06", 8, "ok"]
                bad[position] = ("s", 4)
                data.append(bad)
                content = raw_xlsx([("Uren", sheet_data(data), "visible")], shared=shared)
                cases.append(Case(f"formula-{label}-in-{column}.xlsx", content, "formula"))
    # numbers with a sign are numbers, not formulas
    for text in ("-1", "-7,5", "+3", "-0.25", " -2 "):
        rows = [HEADER, [101, "2026-10-05", text, "ok"]]
        cases.append(Case(f"signed-number-{text.strip()}.csv", csv_bytes(rows), None))
    # a formula with its cached value is read as that value
    cached = header_and(
        '<c r="A2"><v>101</v></c><c r="B2" t="inlineStr"><is><t>2026-10-05</t></is></c>'
        '<c r="C2"><f>4+4</f><v>8</v></c>'
    )
    cases.append(Case("formula-with-cached-value.xlsx", cached, None))
    uncached = xlsx([HEADER, [101, "2026-10-05", "=4+4", "ok"]])
    cases.append(Case("formula-without-cached-value.xlsx", uncached, None))
    many = [HEADER] + [[101, "2026-10-05", "=1+1", "=2+2"] for _ in range(MAX_ROWS)]
    cases.append(Case("formula-in-every-row.csv", csv_bytes(many), "formula"))
    return cases


def sheets_and_headers() -> list[Case]:
    def chartsheet_only(workbook):
        chart = openpyxl.chart.BarChart()
        chart.add_data(openpyxl.chart.Reference(workbook["Uren"], min_col=1, min_row=1, max_row=3))
        workbook.create_chartsheet("Grafiek").add_chart(chart)
        workbook["Uren"].sheet_state = "hidden"

    blank_header = [[None, None], [None, " "]]
    cases = [
        Case("hidden-only.xlsx", xlsx(hidden="hidden"), "no_sheet"),
        Case("very-hidden-only.xlsx", xlsx(hidden="veryHidden"), "no_sheet"),
        Case(
            "hidden-and-very-hidden.xlsx",
            xlsx(hidden="hidden", extra_sheets=[("Other", "veryHidden")]),
            "no_sheet",
        ),
        Case("chartsheet-only.xlsx", xlsx(setup=chartsheet_only), "no_sheet"),
        Case(
            "hidden-hours-visible-empty.xlsx",
            xlsx(hidden="hidden", extra_sheets=[("Leeg", "visible")]),
            "no_header",
        ),
        Case(
            "hours-after-other-sheet.xlsx",
            xlsx(
                title="Hours",
                setup=lambda wb: wb.move_sheet("Hours", 1),
                extra_sheets=[("Uitleg", "visible")],
            ),
            None,
        ),
        Case(
            "raw-hidden-only.xlsx", raw_xlsx([("Uren", sheet_data([HEADER]), "hidden")]), "no_sheet"
        ),
        Case("raw-no-sheets.xlsx", raw_xlsx([]), "no_sheet"),
        Case("empty-sheet.xlsx", xlsx([]), "no_header"),
        Case("blank-cells-sheet.xlsx", xlsx(blank_header), "no_header"),
        Case("empty-lines.csv", b"\r\n" * 30, "no_header"),
        Case("delimiters-only.csv", b";;;\r\n" * 30, "no_header"),
        Case("bom-only.csv", b"\xef\xbb\xbf", "no_header"),
        Case("spaces-only.csv", b"   \n \t \n", "no_header"),
        Case("header-at-row-21.xlsx", xlsx([[]] * 20 + [HEADER, ROWS[0]]), "no_header"),
        Case("header-at-row-21.csv", csv_bytes([[""]] * 20 + [HEADER, ROWS[0]]), "no_header"),
        Case("header-at-row-20.xlsx", xlsx([[]] * 19 + [HEADER, ROWS[0]]), None),
        Case("header-at-row-20.csv", csv_bytes([[""]] * 19 + [HEADER, ROWS[0]]), None),
        Case("only-header.xlsx", xlsx([HEADER]), None),
        Case("only-header.csv", csv_bytes([HEADER]), None),
        Case(
            "english-header.csv",
            csv_bytes([["AGREEMENT", " date ", "Quantity"], [1, "2026-10-05", 8]]),
            None,
        ),
        Case(
            "extra-unknown-columns.xlsx",
            xlsx([["Naam", *HEADER, "Totaal"], ["x", *ROWS[0], 3]]),
            None,
        ),
        Case("header-with-numbers.xlsx", xlsx([[1, 2, 3], [4, 5, 6]]), "missing_columns"),
        Case(
            "dates-in-header.xlsx",
            xlsx([["Zorgovereenkomst", openpyxl.utils.datetime.from_excel(45000)]]),
            "missing_columns",
        ),
        Case(
            "sep-line.csv", b"sep=,\r\nZorgovereenkomst,Datum,Aantal\r\n101,2026-10-05,8\r\n", None
        ),
    ]
    missing = {
        "agreement": ["Datum", "Aantal"],
        "date": ["Zorgovereenkomst", "Aantal"],
        "both": ["Aantal", "Opmerking"],
        "typo": ["Zorgovereenkomstt", "Datum"],
        "wrong-language-mix": ["Zorg overeenkomst", "Dag"],
    }
    for label, header in missing.items():
        cases.append(Case(f"missing-{label}.xlsx", xlsx([header, [1, 2]]), "missing_columns"))
        cases.append(Case(f"missing-{label}.csv", csv_bytes([header, [1, 2]]), "missing_columns"))
    duplicates = {
        "datum-twice": ["Zorgovereenkomst", "Datum", "Datum"],
        "datum-and-date": ["Zorgovereenkomst", "Datum", "Date"],
        "agreement-case": ["Zorgovereenkomst", "Datum", "AGREEMENT"],
        "note-twice": [*HEADER, "Note"],
    }
    for label, header in duplicates.items():
        cases.append(Case(f"duplicate-{label}.xlsx", xlsx([header, [1, 2, 3]]), "duplicate_column"))
        cases.append(
            Case(f"duplicate-{label}.csv", csv_bytes([header, [1, 2, 3]]), "duplicate_column")
        )
    return cases


def sizes() -> list[Case]:
    cases = []
    for count in (MAX_COLUMNS + 1, 100, 1000, 5000):
        header = [*HEADER, *(f"Kolom {i}" for i in range(count - len(HEADER)))]
        cases.append(Case(f"columns-{count}.xlsx", xlsx([header, ROWS[0]]), "too_many_columns"))
        cases.append(Case(f"columns-{count}.csv", csv_bytes([header, ROWS[0]]), "too_many_columns"))
    header = [*HEADER, *(f"Kolom {i}" for i in range(MAX_COLUMNS - len(HEADER)))]
    cases.append(Case(f"columns-{MAX_COLUMNS}.xlsx", xlsx([header, ROWS[0]]), None))
    cases.append(Case(f"columns-{MAX_COLUMNS}.csv", csv_bytes([header, ROWS[0]]), None))
    wide = [*ROWS[0], *range(10_000)]
    cases.append(Case("wide-data-rows.xlsx", xlsx([HEADER, wide, wide]), None))
    cases.append(Case("wide-data-rows.csv", csv_bytes([HEADER, wide, wide]), None))
    far = raw_xlsx(
        [
            (
                "Uren",
                sheet_data([HEADER, (2, [101, "2026-10-05", 8, None, *([None] * 16379), "far"])]),
                "visible",
            )
        ]
    )
    cases.append(Case("cell-in-column-xfd.xlsx", far, None))
    data = [[100 + i, "2026-10-05", 8] for i in range(MAX_ROWS)]
    cases.append(Case(f"rows-{MAX_ROWS}.xlsx", xlsx([HEADER, *data]), None))
    cases.append(Case(f"rows-{MAX_ROWS}.csv", csv_bytes([HEADER, *data]), None))
    for extra in (1, 100, 5000):
        more = [*data, *([[999, "2026-10-06", 1]] * extra)]
        cases.append(Case(f"rows-{MAX_ROWS + extra}.xlsx", xlsx([HEADER, *more]), "too_many_rows"))
        cases.append(
            Case(f"rows-{MAX_ROWS + extra}.csv", csv_bytes([HEADER, *more]), "too_many_rows")
        )
    spread = [HEADER, *([[101, "2026-10-05", 8], [None]] * (MAX_ROWS // 2)), [5, 5, 5]]
    cases.append(Case("rows-with-blank-lines.csv", csv_bytes(spread), None))
    lying = sheet_data([HEADER, ROWS[0]], dimension="A1:XFD1048576")
    cases.append(Case("dimension-lies.xlsx", raw_xlsx([("Uren", lying, "visible")]), None))
    beyond = sheet_data([HEADER, ROWS[0], (2_000_000, [1, "2026-10-05", 8])])
    cases.append(
        Case("row-beyond-excel.xlsx", raw_xlsx([("Uren", beyond, "visible")]), "unreadable")
    )
    last = sheet_data([HEADER, (1_048_576, [1, "2026-10-05", 8])])
    cases.append(Case("row-1048576.xlsx", raw_xlsx([("Uren", last, "visible")]), None))
    cases.append(Case("too-large.csv", b"a;b\n" * (10 * MB // 4 + 1), "too_large"))
    cases.append(Case("too-large.xlsx", b"PK\x03\x04" + bytes(10 * MB), "too_large"))
    cases.append(
        Case(
            "empty-rows-100k.csv",
            csv_bytes([HEADER, ROWS[0]]) + b"\r\n" * 100_000 + b"1;2026-10-05;8\r\n",
            None,
        )
    )
    return cases


def encodings() -> list[Case]:
    rows = [HEADER, [101, "2026-10-05", "7,5", "café één ß €"]]
    cases = [
        Case(
            "latin-1.csv",
            csv_bytes([*rows[:1], [101, "2026-10-05", "7,5", "café"]], encoding="latin-1"),
            "encoding",
        ),
        Case(
            "cp1252-euro.csv",
            csv_bytes([*rows[:1], [101, "2026-10-05", "7,5", "€ 5"]], encoding="cp1252"),
            "encoding",
        ),
        Case(
            "latin-1.txt",
            csv_bytes([*rows[:1], [101, "2026-10-05", "7,5", "één"]], encoding="latin-1"),
            "encoding",
        ),
        Case("utf-16-le.csv", csv_bytes(rows, encoding="utf-16"), None),
        Case("utf-16-be.csv", b"\xfe\xff" + csv_bytes(rows, encoding="utf-16-be"), None),
        Case("utf-16-odd-length.csv", csv_bytes(rows, encoding="utf-16") + b"\x00", "encoding"),
        Case("utf-16-no-bom.csv", csv_bytes(rows, encoding="utf-16-le"), "not_a_spreadsheet"),
        Case("utf-32.csv", csv_bytes(rows, encoding="utf-32"), "not_a_spreadsheet"),
        Case(
            "nul-byte.csv",
            csv_bytes(rows).replace(b"ochtend", b"och\x00tend") + b"\x00",
            "not_a_spreadsheet",
        ),
        Case(
            "nul-in-cell.csv", csv_bytes([HEADER, [1, "2026-10-05", "8\x00"]]), "not_a_spreadsheet"
        ),
        Case("utf-8-no-bom.csv", csv_bytes(rows, encoding="utf-8"), None),
        Case("utf-8-bom.csv", csv_bytes(rows), None),
        Case("utf-8-named.txt", csv_bytes(rows), None),
        Case("utf-8-named.xlsx", csv_bytes(rows), None),
        Case("utf-8-no-name", csv_bytes(rows), None),
        Case("mac-newlines.csv", csv_bytes(rows, newline="\r"), None),
        Case("unix-newlines.csv", csv_bytes(rows, newline="\n"), None),
        Case("comma.csv", csv_bytes(rows, delimiter=","), None),
        Case("tab.csv", csv_bytes(rows, delimiter="\t"), None),
        Case("tab.txt", csv_bytes(rows, delimiter="\t"), None),
        Case(
            "quoted-newline.csv",
            csv_bytes([HEADER, [1, "2026-10-05", 8, "regel 1\nregel 2"]]),
            None,
        ),
        Case("unbalanced-quote.csv", csv_bytes(rows) + b'1;"2026-10-05;8\r\n', None),
        Case(
            "huge-cell.csv", csv_bytes([HEADER, [1, "2026-10-05", 8, "x" * 200_000]]), "unreadable"
        ),
        Case(
            "control-chars.csv", csv_bytes([HEADER, [1, "2026-10-05", 8, "a\x01b\x07c\x1bd"]]), None
        ),
        Case("overlong-utf8.csv", csv_bytes(rows) + b"\xc0\xaf\r\n", "encoding"),
        Case("lone-surrogate.csv", csv_bytes(rows) + b"\xed\xa0\x80\r\n", "encoding"),
    ]
    return cases


def awkward_but_fine() -> list[Case]:
    def merged(workbook):
        sheet = workbook["Uren"]
        sheet.merge_cells("D2:D4")
        sheet.merge_cells("A5:C5")

    def dates(workbook):
        sheet = workbook["Uren"]
        sheet.append([101, openpyxl.utils.datetime.from_excel(46300), 8])
        sheet.append([101, 46300, 8])
        sheet["B7"] = "05-10-2026"
        sheet["A7"] = 101
        sheet["B8"] = openpyxl.utils.datetime.from_excel(46300.5)
        sheet["A8"] = "101"
        sheet["B8"].number_format = "dd-mm-yyyy hh:mm"

    cases = [
        Case("merged-cells.xlsx", xlsx([HEADER, *ROWS, [1, 2, 3]], setup=merged), None),
        Case("dates-as-text-and-numbers.xlsx", xlsx(setup=dates), None),
        Case(
            "dates-as-text.csv",
            csv_bytes([HEADER, [1, "5-10-2026", 8], [1, "2026/10/05", 8], [1, "46300", 8]]),
            None,
        ),
        Case(
            "dutch-decimals.csv",
            csv_bytes([HEADER, [1, "2026-10-05", "7,5"], [1, "2026-10-06", "1.234,50"]]),
            None,
        ),
        Case(
            "dutch-decimals-comma-delimited.csv",
            csv_bytes([HEADER, [1, "2026-10-05", "7,5"]], delimiter=","),
            None,
        ),
        Case(
            "dutch-decimals.xlsx",
            xlsx([HEADER, [1, "2026-10-05", "7,5"], [1, "2026-10-06", 7.25]]),
            None,
        ),
        Case(
            "error-values.xlsx",
            header_and('<c r="A2" t="e"><v>#N/A</v></c><c r="B2" t="e"><v>#DIV/0!</v></c>'),
            None,
        ),
        Case("booleans.xlsx", xlsx([HEADER, [True, False, True]]), None),
        Case(
            "date-out-of-range.xlsx",
            xlsx(
                [HEADER, [1, 10**9, 8]],
                setup=lambda wb: setattr(wb["Uren"]["B2"], "number_format", "yyyy-mm-dd"),
            ),
            None,
        ),
        Case(
            "shared-strings.xlsx",
            raw_xlsx(
                [
                    (
                        "Uren",
                        sheet_data([[("s", 0), ("s", 1), ("s", 2)], [1, ("s", 3), 8]]),
                        "visible",
                    )
                ],
                shared=[*HEADER[:3], "2026-10-05"],
            ),
            None,
        ),
        Case(
            "whitespace-cells.csv", csv_bytes([HEADER, [" ", " ", " "], [1, "2026-10-05", 8]]), None
        ),
        Case(
            "short-rows.csv",
            b"Zorgovereenkomst;Datum;Aantal;Opmerking\r\n1\r\n1;2026-10-05\r\n",
            None,
        ),
        Case("long-rows.csv", b"Zorgovereenkomst;Datum\r\n1;2026-10-05;8;x;y;z\r\n", None),
        Case("hostile-filename-<script>.csv", csv_bytes(), None),
        Case("../../etc/passwd", csv_bytes(), None),
    ]
    return cases


def big_parts() -> list[Case]:
    """Parts that openpyxl builds in memory (all but the worksheets) may not be large; a large
    worksheet is fine, unless something else refers to it (then it would be read whole)."""
    numbers = random.Random(3)
    shared = [f"{numbers.getrandbits(40):x}" for _ in range(300_000)]
    cases = [
        Case(
            "shared-strings-over-the-part-limit.xlsx",
            raw_xlsx([("Uren", sheet_data([HEADER, [1, ("s", 0), 8]]), "visible")], shared=shared),
            "zip_bomb",
        )
    ]
    wide = [[numbers.getrandbits(40) for _ in range(2000)] for _ in range(40)]
    big_sheet = sheet_data([HEADER, *([101, "2026-10-05", 8, None, *row] for row in wide)])
    big = raw_xlsx([("Uren", big_sheet, "visible")])
    cases.append(Case("worksheet-over-the-part-limit.xlsx", big, None))
    chart = (
        f'<Relationship Id="rId77" Type="{DOC_RELS}/chartsheet" Target="worksheets/sheet1.xml"/>'
    )
    refers = rezip(
        big,
        replace={
            "xl/_rels/workbook.xml.rels": lambda data: data.replace(
                b"</Relationships>", chart.encode() + b"</Relationships>"
            )
        },
    )
    cases.append(Case("chartsheet-refers-to-big-worksheet.xlsx", refers, "zip_bomb"))
    typed = rezip(
        big,
        replace={
            "[Content_Types].xml": lambda data: data.replace(
                b"</Types>",
                b'<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-'
                b'officedocument.spreadsheetml.worksheet+xml"/></Types>',
            )
        },
    )
    with zipfile.ZipFile(io.BytesIO(big)) as archive:
        sheet = archive.read("xl/worksheets/sheet1.xml")
    cases.append(
        Case(
            "big-styles-typed-as-worksheet.xlsx",
            rezip(typed, add={"xl/styles.xml": sheet}),
            "zip_bomb",
        )
    )
    return cases


@cache
def corpus() -> tuple[Case, ...]:
    cases = [
        *zip_bombs(),
        *xml_bombs(),
        *wrong_magic(),
        *macros(),
        *old_excel(),
        *formulas(),
        *sheets_and_headers(),
        *sizes(),
        *big_parts(),
        *encodings(),
        *awkward_but_fine(),
    ]
    names = [case.name for case in cases]
    duplicates = {name for name in names if names.count(name) > 1}
    assert not duplicates, duplicates
    return tuple(cases)


def ids() -> list[str]:
    """Readable test ids for ``corpus()``: the file names."""
    return [case.name for case in corpus()]
