"""Matching the SVB's and the insurer's overviews against the declarations and grants here
(issue 19): every kind of difference found and listed once; the same overview twice changes
nothing; a newer overview updates the figures and keeps the resolutions of what still
differs; bad files refused whole, row by row; hostile files refused like the hours import's."""

import re
from datetime import date
from decimal import Decimal

from django.utils import translation

import pytest

from declarations.constants import DeclarationStatus
from declarations.models import Declaration
from declarations.selectors.uploads import ImportRefused, UploadRefused, read_upload
from pgb_admin.accounts.scoping import ReadOnlyAccess
from pgb_admin.budgets.constants import FunderKind, Scheme
from pgb_admin.core.errors import NotFound
from pgb_admin.core.spreadsheets import csv_bytes
from reports.reconciliation.constants import DifferenceKind, OverviewKind, Resolution
from reports.reconciliation.models import Difference, Overview, OverviewLine
from reports.reconciliation.reading import read_overview
from reports.reconciliation.selectors import difference_list
from reports.reconciliation.services import (
    difference_resolve,
    overview_enter,
    overview_upload,
)

from ..conftest import _agreement
from ..declarations import hostile
from ..factories import BudgetFactory, FunderFactory, ProviderFactory

OCT, NOV = date(2026, 10, 1), date(2026, 11, 1)
PAYMENT_HEADER = ["Zorgovereenkomst", "Zorgverlener", "Periode", "Gedeclareerd bedrag",
                  "Betaald bedrag", "Betaaldatum", "Status"]  # fmt: skip
BUDGET_HEADER = ["Toekenning", "Datum", "Saldo"]


def _declare(agreement, month, total, status=DeclarationStatus.SUBMITTED, budget=None):
    version = agreement.versions.first()
    return Declaration.objects.create(
        agreement=agreement,
        month=month,
        status=status,
        budget=budget or version.budget,
        total_amount=Decimal(total),
        care_amount=Decimal(total),
    )


@pytest.fixture
def case(world):
    """Holder ``mine``: the Wmo agreement declared October (paid as declared) and November
    (not paid: a row with nothing paid); the Wlz agreement declared October (paid less) and
    November (absent from the overview: not paid); a third agreement, known to the SVB by its
    number, paid for October without a declaration here; a draft that does not count."""
    w = world
    third = _agreement(w.mine, w.mine_provider, w.mine_wmo_budget)
    third.svb_agreement_number = "ZO-12345"
    third.save()
    _declare(w.mine_wmo_agreement, OCT, "500.00")
    _declare(w.mine_wmo_agreement, NOV, "300.00")
    _declare(w.mine_wlz_agreement, OCT, "400.00", DeclarationStatus.PAID)
    _declare(w.mine_wlz_agreement, NOV, "200.00", DeclarationStatus.EXPORTED)
    _declare(third, NOV, "99.00", DeclarationStatus.DRAFT)
    w.third = third
    return w


def payments_file(w, **changes) -> bytes:
    rows = {
        "wmo_oct": [w.mine_wmo_agreement.pk, "Zorg BV", "2026-10", "500,00", "500,00",
                    "05-11-2026", "Uitbetaald"],
        "wlz_oct": [w.mine_wlz_agreement.pk, "Zorg BV", "10-2026", "400,00", "350,00",
                    "2026-11-05", "Uitbetaald"],
        "wmo_nov": [w.mine_wmo_agreement.pk, "Zorg BV", "november 2026", "300,00", "",
                    "", "In behandeling"],
        "third_oct": ["ZO-12345", "Zorg BV", "2026-10", "", "120.00", "2026-11-05",
                      "Uitbetaald"],
    }  # fmt: skip
    rows.update(changes)
    return csv_bytes(PAYMENT_HEADER, [row for row in rows.values() if row])


def budget_file(w, wmo="11500,00", wlz="12000,00") -> bytes:
    return csv_bytes(
        BUDGET_HEADER,
        [
            [w.mine_wmo_budget.decision_reference, "2026-11-20", wmo],
            [w.mine_wlz_budget.decision_reference, "2026-11-20", wlz],
        ],
    )


def upload(w, content, kind=OverviewKind.SVB_PAYMENTS, user="representative", holder=None):
    return overview_upload(
        actor=w.users[user],
        holder_id=(holder or w.mine).pk,
        kind=kind,
        filename="overzicht.csv",
        content=content,
    )


def listed(w, user="representative", **filters):
    return {
        (d.key, d.kind, d.difference)
        for d in difference_list(user=w.users[user], resolution="", **filters)
    }


def key(agreement, month):
    return f"{agreement.pk}:{month:%Y-%m}"


def snapshot():
    return (
        list(Overview.objects.values_list("pk", "sha256")),
        list(OverviewLine.objects.values_list("pk", "overview_id", "row")),
        list(
            Difference.objects.values_list(
                "pk", "key", "kind", "difference", "resolution", "resolution_note", "updated_at"
            )
        ),
    )


def test_every_kind_of_difference_is_found_and_listed_once(case):
    w = case
    result = upload(w, payments_file(w))
    upload(w, budget_file(w), kind=OverviewKind.SVB_BUDGET)

    assert result.created
    expected = {
        (key(w.mine_wlz_agreement, OCT), DifferenceKind.PAID_DIFFERENTLY, Decimal("-50.00")),
        (key(w.mine_wmo_agreement, NOV), DifferenceKind.NOT_PAID, Decimal("-300.00")),
        (key(w.mine_wlz_agreement, NOV), DifferenceKind.NOT_PAID, Decimal("-200.00")),
        (key(w.third, OCT), DifferenceKind.PAID_WITHOUT_DECLARATION, Decimal("120.00")),
        (f"grant:{w.mine_wmo_budget.pk}", DifferenceKind.BALANCE_DIFFERS, Decimal("-500.00")),
    }
    differences = list(difference_list(user=w.users["representative"], resolution=""))
    assert {(d.key, d.kind, d.difference) for d in differences} == expected
    assert len(differences) == len(expected)  # each once
    # what agrees is kept, off the work list
    agreeing = Difference.objects.exclude(key__in=[d.key for d in differences])
    assert sorted(agreeing.values_list("key", "kind")) == sorted(
        [
            (key(w.mine_wmo_agreement, OCT), DifferenceKind.PAID_AS_DECLARED),
            (f"grant:{w.mine_wlz_budget.pk}", DifferenceKind.BALANCE_AGREES),
        ]
    )
    paid_less = Difference.objects.get(key=key(w.mine_wlz_agreement, OCT))
    assert (paid_less.ours, paid_less.theirs) == (Decimal("400.00"), Decimal("350.00"))
    assert paid_less.budget == w.mine_wlz_budget
    assert paid_less.resolution == Resolution.OPEN
    # the overview is stored with who, when and its checksum; its lines with their rows
    overview = result.overview
    assert overview.created_by == w.users["representative"]
    assert overview.created_at is not None
    assert len(overview.sha256) == 64
    assert (overview.first_month, overview.last_month) == (OCT, NOV)
    assert list(overview.lines.values_list("row", flat=True)) == [2, 3, 4, 5]


def test_the_same_overview_again_changes_nothing(case):
    w = case
    first = upload(w, payments_file(w))
    upload(w, budget_file(w), kind=OverviewKind.SVB_BUDGET)
    difference = Difference.objects.get(key=key(w.mine_wlz_agreement, OCT))
    difference_resolve(
        actor=w.users["representative"],
        difference_id=difference.pk,
        resolution=Resolution.EXPLAINED,
        note="Eigen bijdrage ingehouden",
    )
    before = snapshot()

    again = upload(w, payments_file(w))
    budget_again = upload(w, budget_file(w), kind=OverviewKind.SVB_BUDGET, user="holder")

    assert not again.created
    assert not budget_again.created
    assert again.overview == first.overview
    assert (again.changed, budget_again.changed) == (0, 0)
    assert snapshot() == before


def test_a_newer_overview_updates_and_keeps_the_resolutions_of_what_still_differs(case):
    w = case
    upload(w, payments_file(w))
    actor = w.users["representative"]
    third = Difference.objects.get(key=key(w.third, OCT))
    difference_resolve(actor=actor, difference_id=third.pk, resolution=Resolution.TO_ASK)
    wmo_nov = Difference.objects.get(key=key(w.mine_wmo_agreement, NOV))
    difference_resolve(actor=actor, difference_id=wmo_nov.pk, resolution=Resolution.TO_ASK)

    later = payments_file(
        w,
        wlz_oct=[w.mine_wlz_agreement.pk, "", "2026-10", "400,00", "400,00", "", ""],
        wmo_nov=[w.mine_wmo_agreement.pk, "", "2026-11", "300,00", "310,00", "", ""],
        third_oct=["ZO-12345", "", "2026-10", "", "130,00", "", ""],
    )
    result = upload(w, later)

    assert result.created
    assert Overview.objects.count() == 2
    assert Difference.objects.filter(key=key(w.mine_wlz_agreement, OCT)).get().kind == (
        DifferenceKind.PAID_AS_DECLARED
    )
    third.refresh_from_db()
    assert (third.kind, third.theirs, third.resolution) == (
        DifferenceKind.PAID_WITHOUT_DECLARATION,
        Decimal("130.00"),
        Resolution.TO_ASK,  # the same difference, still there: its resolution stays
    )
    wmo_nov.refresh_from_db()
    assert (wmo_nov.kind, wmo_nov.difference, wmo_nov.resolution) == (
        DifferenceKind.PAID_DIFFERENTLY,
        Decimal("10.00"),
        Resolution.OPEN,  # another difference now: to look at again
    )
    assert Difference.objects.count() == 5  # updated in place, none twice


def test_hand_entry_is_the_same_overview_as_its_figures_typed_twice(case):
    w = case
    rows = [
        {"agreement": str(w.mine_wmo_agreement.pk), "period": "2026-10", "paid": Decimal("500")},
        {"agreement": "ZO-12345", "period": "2026-10", "paid": Decimal("120.00"),
         "paid_on": date(2026, 11, 5)},
    ]  # fmt: skip
    first = overview_enter(
        actor=w.users["bureau"], holder_id=w.mine.pk, kind=OverviewKind.SVB_PAYMENTS, rows=rows
    )
    again = overview_enter(
        actor=w.users["bureau"], holder_id=w.mine.pk, kind=OverviewKind.SVB_PAYMENTS, rows=rows
    )
    assert first.created
    assert not again.created
    assert first.overview.source == "hand"
    assert listed(w, kind=DifferenceKind.PAID_WITHOUT_DECLARATION) == {
        (key(w.third, OCT), DifferenceKind.PAID_WITHOUT_DECLARATION, Decimal("120.00"))
    }
    # a negative balance typed in survives the CSV's formula guard
    overview_enter(
        actor=w.users["bureau"],
        holder_id=w.mine.pk,
        kind=OverviewKind.SVB_BUDGET,
        rows=[{"grant": w.mine_wmo_budget.decision_reference, "on": date(2026, 11, 20),
               "balance": Decimal("-12.50")}],
    )  # fmt: skip
    assert Difference.objects.get(key=f"grant:{w.mine_wmo_budget.pk}").theirs == Decimal("-12.50")


def test_insurer_payments_match_the_zvw_declarations_only(world):
    w = world
    insurer = FunderFactory(code="ZV-TEST", kind=FunderKind.INSURER)
    zvw = BudgetFactory(holder=w.mine, funder=insurer, scheme=Scheme.ZVW)
    agreement = _agreement(w.mine, ProviderFactory(), zvw)
    _declare(agreement, OCT, "250.00")
    _declare(w.mine_wmo_agreement, OCT, "500.00")  # through the SVB: not the insurer's

    content = csv_bytes(["Zorgovereenkomst", "Periode", "Betaald bedrag"],
                        [[agreement.pk, "2026-10", "200,00"]])  # fmt: skip
    upload(w, content, kind=OverviewKind.INSURER_PAYMENTS)

    assert listed(w) == {(key(agreement, OCT), DifferenceKind.PAID_DIFFERENTLY, Decimal("-50.00"))}
    assert Difference.objects.get().channel == "insurer"


def test_a_bad_file_is_refused_whole_with_every_problem_by_row_and_column(case):
    w = case
    content = csv_bytes(
        PAYMENT_HEADER,
        [
            [w.mine_wmo_agreement.pk, "", "2026-10", "500,00", "500,00", "", ""],
            [w.theirs_agreement.pk, "", "2026-10", "", "10,00", "", ""],  # not the holder's
            [w.mine_wlz_agreement.pk, "", "dertien", "", "veel", "31-02-2026", ""],
            [w.mine_wlz_agreement.pk, "", "2026-10", "", "-5,00", "", ""],
            [w.mine_wlz_agreement.pk, "", "2026-10", "", "1,234", "", ""],
        ],
    )
    with pytest.raises(ImportRefused) as caught:
        upload(w, content)
    found = {(p.row, p.column, p.code) for p in caught.value.problems}
    assert found == {
        (3, "Zorgovereenkomst", "unknown_agreement"),
        (4, "Periode", "bad_month"),
        (4, "Betaald bedrag", "not_an_amount"),
        (4, "Betaaldatum", "bad_date"),
        (5, "Betaald bedrag", "negative_value"),
        (6, "Betaald bedrag", "cents"),
    }
    assert not Overview.objects.exists()
    assert not OverviewLine.objects.exists()
    assert not Difference.objects.exists()

    with pytest.raises(UploadRefused) as caught:
        upload(w, csv_bytes(["Zorgovereenkomst", "Bedrag"], [[1, 2]]))
    assert [p.code for p in caught.value.problems] == ["missing_columns"]
    with pytest.raises(ImportRefused) as caught:
        upload(w, csv_bytes(BUDGET_HEADER, [["ONBEKEND", "2026-11-20", "1,00"]]),
               kind=OverviewKind.SVB_BUDGET)  # fmt: skip
    assert [(p.row, p.code) for p in caught.value.problems] == [(2, "unknown_grant")]
    assert not Overview.objects.exists()


# the file-level refusals, which come before the header is read
FILE_REFUSALS = {"empty", "too_large", "macro_workbook", "old_excel", "not_a_spreadsheet",
                 "zip_bomb", "xml_entities", "no_sheet", "no_header", "encoding",
                 "too_many_columns"}  # fmt: skip


@pytest.mark.filterwarnings("ignore::UserWarning")
@pytest.mark.parametrize("hostile_case", hostile.corpus(), ids=hostile.ids())
def test_hostile_files_are_refused_like_the_hours_import(hostile_case, settings):
    """No database: every file is refused before a row is looked up."""
    for name, value in hostile.LIMITS.items():
        setattr(settings, name, value)
    with pytest.raises(ImportRefused) as caught:
        read_overview(
            holder_id=0,
            kind=OverviewKind.SVB_PAYMENTS,
            filename=hostile_case.name,
            content=hostile_case.content,
        )
    codes = [p.code for p in caught.value.problems]
    if hostile_case.expected in FILE_REFUSALS:
        assert hostile_case.expected in codes
    else:  # a readable file of the hours layout: not an overview's
        assert codes == ["missing_columns"] or hostile_case.expected in codes, codes
    assert not [p.message for p in caught.value.problems if HOURS.search(p.message)]


#: "hours" in English, "uren" (urensjabloon, urenbestand…) in Dutch
HOURS = re.compile(r"\b(hours?|uren\w*)\b", re.IGNORECASE)
#: the refusals whose advice names the template of the layout read
TEMPLATE_ADVICE = {"missing_columns", "not_a_spreadsheet", "xml_entities", "zip_bomb"}


def _refusal(read, name: str, content: bytes):
    with pytest.raises(UploadRefused) as caught:
        read(name, content)
    [found] = caught.value.problems
    return found


@pytest.mark.filterwarnings("ignore::UserWarning")
@pytest.mark.parametrize("language", ["en", "nl"])
def test_an_overview_refused_is_not_told_about_hours_the_hours_import_still_is(language, settings):
    """The safe reader advises in terms of the layout it reads: an overview of the SVB is
    never sent to the hours template; an hours file still is, by name."""
    for name, value in hostile.LIMITS.items():
        setattr(settings, name, value)
    settings.IMPORT_MAX_BYTES = 2 * 1024 * 1024
    cases = {case.expected: case for case in reversed(hostile.corpus())}
    files = [(case.name, case.content) for code, case in cases.items() if code in FILE_REFUSALS]
    files += [
        ("uren.csv", csv_bytes(["Zorgovereenkomst", "Bedrag"], [[1, 2]])),  # missing columns
        ("groot.csv", b"x" * (settings.IMPORT_MAX_BYTES + 1)),
        ("lang.csv", csv_bytes(PAYMENT_HEADER, [PAYMENT_HEADER] * (hostile.MAX_ROWS + 1))),
    ]

    def overview(name, content):
        read_overview(holder_id=0, kind=OverviewKind.SVB_PAYMENTS, filename=name, content=content)

    seen = set()
    with translation.override(language):
        for name, content in files:
            found = _refusal(overview, name, content)
            seen.add(found.code)
            assert not HOURS.search(found.message), (name, found.message)
            hours = _refusal(read_upload, name, content)
            if hours.code in TEMPLATE_ADVICE:
                assert HOURS.search(hours.message), (name, hours.message)
                assert ("template" if language == "en" else "sjabloon") in hours.message
            if hours.code == "no_sheet":  # the hours import names its sheet
                assert "Uren" in hours.message
    assert seen >= FILE_REFUSALS | TEMPLATE_ADVICE | {"too_many_rows"}, seen


def test_scope_out_of_scope_is_not_found_and_looking_only_is_refused(case):
    w = case
    upload(w, payments_file(w))
    difference = Difference.objects.get(key=key(w.mine_wlz_agreement, OCT))
    for user in ("stranger", "expired"):
        with pytest.raises(NotFound):
            upload(w, payments_file(w), user=user)
        with pytest.raises(NotFound):
            difference_resolve(
                actor=w.users[user], difference_id=difference.pk, resolution="corrected"
            )
        assert listed(w, user=user) == set()
    # auditors never write (refused before their scope is looked at, as everywhere)
    for user in ("family", "auditor_same", "auditor_other"):
        with pytest.raises(ReadOnlyAccess):
            difference_resolve(
                actor=w.users[user], difference_id=difference.pk, resolution="corrected"
            )
        with pytest.raises(ReadOnlyAccess):
            upload(w, payments_file(w, wmo_oct=None), user=user)
    assert listed(w, user="auditor_other") == set()
    # the auditor of The Hague sees what concerns its Wmo grant, not the care office's Wlz
    assert {d[0] for d in listed(w, user="auditor_same")} == {
        key(w.mine_wmo_agreement, NOV),
        key(w.third, OCT),
    }
    assert len(listed(w, user="bureau")) == 4
    difference.refresh_from_db()
    assert difference.resolution == Resolution.OPEN


def test_explained_needs_a_note(case):
    from django.core.exceptions import ValidationError

    w = case
    upload(w, payments_file(w))
    difference = Difference.objects.differing().first()
    with pytest.raises(ValidationError):
        difference_resolve(
            actor=w.users["holder"], difference_id=difference.pk, resolution="explained"
        )
    done = difference_resolve(
        actor=w.users["holder"], difference_id=difference.pk, resolution="corrected"
    )
    assert (done.resolution, done.resolved_by) == (Resolution.CORRECTED, w.users["holder"])
