"""The sickness section of the agreement page: open and past reports, reporting sick and
recovered, the continued pay in both languages, read-only viewers and scope."""

from datetime import date

from django.urls import reverse

import pytest

from contracts import services
from contracts.models import SickReport


def _url(agreement) -> str:
    return reverse("contracts:agreement", args=[agreement.pk])


def _page(response) -> str:
    return response.content.decode()


def test_a_writer_reports_sick_then_recovered(login, api_world):
    agreement = api_world.mine_wmo_agreement
    client = login("representative", "en")
    page = _page(client.get(_url(agreement)))
    assert 'id="id_sick-sick_from"' in page
    assert "The carer is not reported sick." in page

    response = client.post(
        _url(agreement),
        {"action": "sick", "sick-sick_from": "2026-03-09", "sick-reported_on": "2026-03-09"},
    )
    assert response.status_code == 302
    report = SickReport.objects.get(agreement=agreement)
    assert (report.sick_from, report.reported_on) == (date(2026, 3, 9), date(2026, 3, 9))

    page = _page(client.get(_url(agreement)))
    assert "The carer is reported sick from 9 March 2026" in page
    # both cases, since the agreement records no working days a week
    assert "70 % of the wage until 19 April 2026 (6 weeks: fewer than 4 days a week)" in page
    assert (
        "70 % of the wage until 5 March 2028 (104 weeks; at least the minimum wage until "
        "7 March 2027)" in page
    )
    assert "Kamerstuk 36744" in page
    assert 'id="id_recovery-recovered_on"' in page
    assert 'id="id_sick-sick_from"' not in page

    response = client.post(
        _url(agreement), {"action": "recovery", "recovery-recovered_on": "2026-03-16"}
    )
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.recovered_on == date(2026, 3, 16)
    page = _page(client.get(_url(agreement)))
    assert "The carer is not reported sick." in page
    assert 'data-label="Recovered on">16 Mar 2026<' in page


def test_the_page_in_dutch(login, api_world):
    agreement = api_world.mine_wmo_agreement
    services.sick_report(
        actor=api_world.users["representative"],
        agreement_id=agreement.pk,
        sick_from=date(2026, 3, 9),
    )
    page = _page(login("holder", "nl").get(_url(agreement)))
    assert "De zorgverlener is ziek gemeld vanaf 9 maart 2026" in page
    assert (
        "70 % van het loon tot en met 19 april 2026 (6 weken: minder dan 4 dagen per week)" in page
    )
    assert "ten minste het minimumloon tot en met 7 maart 2027" in page
    assert "Herstel melden" in page


def test_a_refused_recovery_shows_the_reason_and_saves_nothing(login, api_world):
    agreement = api_world.mine_wmo_agreement
    services.sick_report(
        actor=api_world.users["representative"],
        agreement_id=agreement.pk,
        sick_from=date(2026, 3, 9),
    )
    response = login("representative", "en").post(
        _url(agreement), {"action": "recovery", "recovery-recovered_on": "2026-03-01"}
    )
    assert response.status_code == 200
    assert "The recovery lies before the first day of sickness" in _page(response)
    assert SickReport.objects.get(agreement=agreement).recovered_on is None


@pytest.mark.parametrize("persona", ["family", "auditor_same"])
def test_read_only_viewers_see_the_reports_but_no_forms(login, api_world, persona):
    agreement = api_world.mine_wmo_agreement
    services.sick_report(
        actor=api_world.users["representative"],
        agreement_id=agreement.pk,
        sick_from=date(2026, 3, 9),
    )
    client = login(persona, "en")
    page = _page(client.get(_url(agreement)))
    assert "The carer is reported sick from 9 March 2026" in page
    assert 'id="id_recovery-recovered_on"' not in page
    response = client.post(
        _url(agreement), {"action": "recovery", "recovery-recovered_on": "2026-03-16"}
    )
    assert response.status_code == 403
    assert SickReport.objects.get(agreement=agreement).recovered_on is None


@pytest.mark.parametrize("persona", ["stranger", "auditor_other"])
def test_out_of_scope_is_a_404(login, api_world, persona):
    agreement = api_world.mine_wmo_agreement
    client = login(persona, "en")
    assert client.get(_url(agreement)).status_code == 404
    response = client.post(_url(agreement), {"action": "sick", "sick-sick_from": "2026-03-09"})
    assert response.status_code == 404
    assert not SickReport.objects.exists()


def test_no_sickness_section_on_an_agreement_that_is_no_employment(login, api_world):
    from contracts.constants import AgreementType

    from ..conftest import _agreement

    family = _agreement(
        api_world.mine, api_world.mine_provider, api_world.mine_wmo_budget, AgreementType.FAMILY
    )
    page = _page(login("representative", "en").get(_url(family)))
    assert 'id="sickness"' not in page
    assert 'name="sick-sick_from"' not in page
