"""A missing minimum wage is said loudly: the system check figures.W001, a banner for staff and
``manage.py figures gaps``; ``manage.py figures add`` fills the gap through the model's checks.

Tests run on 23 November 2026: the current half year runs to 31 December 2026."""

from datetime import date
from decimal import Decimal
from io import StringIO

from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django.utils import translation

import pytest

from pgb_admin.figures.checks import W001, minimum_wage_complete
from pgb_admin.figures.constants import FigureKind
from pgb_admin.figures.gaps import minimum_wage_gaps
from pgb_admin.figures.models import StatutoryFigure

from ..factories import UserFactory

MINIMUM_WAGE = FigureKind.MINIMUM_WAGE
JULY = date(2026, 7, 1)


def remove_second_half_of_2026() -> None:
    StatutoryFigure.objects.filter(kind=MINIMUM_WAGE, valid_from__gte=JULY).delete()


def add(*args: str) -> str:
    out = StringIO()
    with translation.override("en"):
        call_command("figures", "add", *args, stdout=out)
    return out.getvalue()


ADULT_JULY = ("--kind", "minimum_wage", "--age", "21", "--value", "14.93", "--from", "2026-07-01",
              "--source", "Stcrt. 2026 (test)")  # fmt: skip


def test_a_complete_table_has_no_gap_and_no_warning(db):
    # the shipped table runs to the end of 2026 (the July 2026 rows may be unverified)
    assert minimum_wage_gaps(date(2026, 11, 23)) == []
    assert [m for m in minimum_wage_complete(databases=["default"]) if m.id == W001] == []


def test_a_missing_half_year_is_one_gap_for_every_age_band(db):
    remove_second_half_of_2026()
    gaps = minimum_wage_gaps(date(2026, 11, 23))
    assert [(gap.start, gap.end) for gap in gaps] == [(JULY, date(2026, 12, 31))]
    assert gaps[0].ages == (15, 16, 17, 18, 19, 20, 21)
    messages = [m for m in minimum_wage_complete(databases=["default"]) if m.id == W001]
    assert len(messages) == 1
    assert messages[0].msg.startswith("minimum wage from 1 July 2026 missing")
    assert "manage.py figures add" in messages[0].msg
    assert "--from 2026-07-01" in messages[0].hint


def test_a_hole_in_the_middle_and_the_current_half_year_are_both_gaps(db):
    StatutoryFigure.objects.filter(kind=MINIMUM_WAGE, valid_from=date(2025, 7, 1)).delete()
    remove_second_half_of_2026()
    starts = [gap.start for gap in minimum_wage_gaps(date(2026, 11, 23))]
    assert starts == [date(2025, 7, 1), JULY]
    # the next half year is not owed yet; a later today makes it a gap too
    assert [gap.start for gap in minimum_wage_gaps(date(2027, 1, 5))][-1] == JULY


def test_one_missing_age_band_is_named(db):
    StatutoryFigure.objects.filter(kind=MINIMUM_WAGE, valid_from=JULY, age_min=18).delete()
    gaps = minimum_wage_gaps(date(2026, 11, 23))
    assert [(gap.start, gap.ages) for gap in gaps] == [(JULY, (18,))]
    assert "(ages 18)" in minimum_wage_complete(databases=["default"])[0].msg


def test_figures_add_fills_the_gap(db):
    remove_second_half_of_2026()
    output = add(*ADULT_JULY, "--to", "2026-12-31", "--verified")
    assert "added" in output
    row = StatutoryFigure.objects.get(kind=MINIMUM_WAGE, age_min=21, valid_from=JULY)
    assert row.value == Decimal("14.93")
    assert row.valid_to == date(2026, 12, 31)
    assert row.unit == "hour"
    assert row.verified is True
    assert row.source == "Stcrt. 2026 (test)"
    assert [gap.ages for gap in minimum_wage_gaps(date(2026, 11, 23))] == [(15, 16, 17, 18, 19, 20)]
    out = StringIO()
    call_command("figures", "gaps", stdout=out)
    assert "minimum wage from 1 July 2026 to 31 December 2026 missing (ages 15" in out.getvalue()


def test_figures_add_refuses_an_overlapping_row_and_writes_nothing(db):
    before = StatutoryFigure.objects.count()
    with pytest.raises(CommandError, match="overlaps another row"):
        add(*ADULT_JULY)  # the table already has the adult minimum wage from 1 July 2026
    assert StatutoryFigure.objects.count() == before


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"--value": "14,93"}, "is not a number"),
        ({"--value": "14.935"}, "at most two decimals"),
        ({"--value": "-1"}, "0 or more"),
        ({"--from": "1-7-2026"}, "is not a date"),
        ({"--age": None}, "give --age"),
        ({"--source": "  "}, "give --source"),
    ],
)
def test_figures_add_explains_bad_input(db, change, message):
    remove_second_half_of_2026()
    args = dict(zip(ADULT_JULY[::2], ADULT_JULY[1::2], strict=True)) | change
    flat = [part for key, value in args.items() if value is not None for part in (key, value)]
    with pytest.raises(CommandError, match=message):
        add(*flat)
    assert not StatutoryFigure.objects.filter(kind=MINIMUM_WAGE, valid_from__gte=JULY).exists()


def test_figures_add_refuses_an_end_before_the_start(db):
    remove_second_half_of_2026()
    with pytest.raises(CommandError, match="not added"):
        add(*ADULT_JULY, "--to", "2026-06-30")


def test_figures_add_needs_a_unit_for_other_kinds(db):
    with pytest.raises(CommandError, match="give --unit"):
        add("--kind", "hours_increment", "--value", "0.25", "--from", "2030-01-01",
            "--source", "x")  # fmt: skip


def test_staff_see_the_banner_and_others_do_not(client, admin_client, db):
    remove_second_half_of_2026()
    staff_page = admin_client.get(reverse("declarations:rules")).content.decode()
    assert "Het minimumloon vanaf 1 juli 2026 ontbreekt" in staff_page  # Dutch by default
    admin_client.post(reverse("set_language"), {"language": "en", "next": "/"})
    english = admin_client.get(reverse("declarations:rules")).content.decode()
    assert "The minimum wage from 1 July 2026 is missing" in english
    client.force_login(UserFactory(username="gewone.gebruiker"))
    page = client.get(reverse("declarations:rules")).content.decode()
    assert "minimumloon vanaf" not in page


def test_staff_see_no_banner_when_the_table_is_complete(admin_client, db):
    page = admin_client.get(reverse("declarations:rules")).content.decode()
    assert "ontbreekt: het loon wordt er niet aan getoetst" not in page
