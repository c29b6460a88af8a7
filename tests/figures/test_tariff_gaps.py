"""A year without the national maximum tariffs (Wlz: formal per hour and per day part,
informal per hour; Zvw: informal per hour) is said loudly: figures.W002, the staff banner and
``manage.py figures gaps``; ``manage.py figures load`` adds the rows of a CSV, all or none.

Tests run on 23 November 2026. The shipped table has no Wlz rows for 2026 and no Zvw informal
rate after 2021: not found at an official source (README, "Dated figures")."""

from datetime import date
from io import StringIO

from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

import pytest

from pgb_admin.figures.checks import W002, national_tariffs_complete
from pgb_admin.figures.gaps import TariffGap, national_tariff_gaps
from pgb_admin.figures.loader import COLUMNS
from pgb_admin.figures.models import MaxTariff

TODAY = date(2026, 11, 23)


def test_the_years_without_a_national_maximum_are_found(db):
    gaps = national_tariff_gaps(TODAY)
    assert TariffGap("wlz", "formal", "hour", 2026) in gaps
    assert TariffGap("wlz", "informal", "hour", 2026) in gaps
    assert TariffGap("wlz", "formal", "day_part", 2026) in gaps
    assert [gap.year for gap in gaps if gap.scheme == "zvw"] == [2022, 2023, 2024, 2025, 2026]
    # the years the table has are no gap
    assert not [gap for gap in gaps if gap.scheme == "wlz" and gap.year < 2026]


def test_the_check_warns_only_when_asked_to_read_the_database(db):
    assert national_tariffs_complete() == []  # a plain `manage.py check` reads no table
    messages = national_tariffs_complete(databases=["default"])
    assert {message.id for message in messages} == {W002}
    assert "maximum tariff Wlz formal care, hour for 2026 missing: add it" in [
        message.msg for message in messages
    ]


def _csv(tmp_path, *rows: str):
    path = tmp_path / "new.csv"
    path.write_text(",".join(COLUMNS) + "\n" + "".join(row + "\n" for row in rows))
    return path


WLZ_2026 = "max_tariff,wlz,,,{carer},{unit},,{amount},2026-01-01,2026-12-31,Stcrt. (test),true,"


def test_loading_the_published_rows_closes_the_gap(db, tmp_path):
    path = _csv(
        tmp_path,
        WLZ_2026.format(carer="formal", unit="hour", amount="84.00"),
        WLZ_2026.format(carer="formal", unit="day_part", amount="77.00"),
        WLZ_2026.format(carer="informal", unit="hour", amount="26.50"),
    )
    out = StringIO()
    call_command("figures", "load", str(path), stdout=out)
    assert "3 added" in out.getvalue()
    assert not [gap for gap in national_tariff_gaps(TODAY) if gap.scheme == "wlz"]
    call_command("figures", "load", str(path), stdout=(again := StringIO()))
    assert "0 added, 0 changed, 3 unchanged" in again.getvalue()


def test_a_bad_row_loads_nothing_and_names_its_line(db, tmp_path):
    before = MaxTariff.objects.count()
    path = _csv(
        tmp_path,
        WLZ_2026.format(carer="formal", unit="hour", amount="84.00"),
        WLZ_2026.format(carer="professional", unit="hour", amount="26.50"),
    )
    with pytest.raises(CommandError, match="nothing was loaded: line 3"):
        call_command("figures", "load", str(path))
    assert MaxTariff.objects.count() == before


def test_the_gaps_command_lists_the_missing_tariffs(db):
    out = StringIO()
    call_command("figures", "gaps", stdout=out)
    assert "maximum tariff Zvw informal care (sociaal netwerk), hour for 2022 missing" in (
        out.getvalue()
    )


def test_staff_see_the_missing_tariffs_in_their_language(admin_client, client, db):
    from ..factories import UserFactory

    page = admin_client.get(reverse("declarations:rules")).content.decode()
    assert "Het maximumtarief Wlz formele zorg, uur voor 2026 ontbreekt" in page
    client.force_login(UserFactory(username="geen.beheerder"))
    assert "maximumtarief Wlz" not in client.get(reverse("declarations:rules")).content.decode()
