"""The pages of care providers and care agreements: who sees them, who may change them, the
two-step agreement form, changes as dated versions, bad input, languages and query counts."""

import re
from datetime import date
from decimal import Decimal

from django.urls import reverse
from django.utils import translation
from django.utils.html import escape

import pytest

from contracts.constants import AgreementType, ApprovalStatus, Relation
from contracts.models import AgreementVersion, CareAgreement, HolderProvider, Provider
from pgb_admin.core.masking import mask_identifier
from pgb_admin.core.validators import IBANValidator

from ..factories import (
    AgreementVersionFactory,
    CareAgreementFactory,
    HolderProviderFactory,
    ProviderFactory,
    iban_from,
)

VALID_IBAN = "NL91 ABNA 0417 1643 00"
WRITERS = ("holder", "representative", "bureau", "staff")
READ_ONLY = ("family", "auditor_same")
STATUS = {
    "holder": 200,
    "representative": 200,
    "bureau": 200,
    "family": 200,
    "auditor_same": 200,
    "auditor_other": 404,
    "expired": 404,
    "stranger": 404,
    "staff": 200,
}


def _url(world, page: str) -> str:
    if page == "agreement":
        return reverse("contracts:agreement", args=[world.mine_wmo_agreement.pk])
    return reverse(f"contracts:{page}", args=[world.mine.pk])


PAGES = ("providers", "provider_new", "agreements", "agreement_new", "agreement")


def _page(response) -> str:
    return response.content.decode()


def _provider_data(**fields) -> dict:
    return {
        "form": "new",
        "kind": "person",
        "name": "J. Jansen",
        "relation": Relation.NONE,
        "date_of_birth": "1990-04-02",
        "iban": VALID_IBAN,
        "account_holder": "",
        "agb_code": "",
        "kvk_number": "",
        "big_number": "",
        **fields,
    }


def _agreement_data(world, **fields) -> dict:
    budget = world.mine_wmo_budget
    return {
        "agreement_type": AgreementType.EMPLOYMENT_HOURLY,
        "provider": world.mine_provider.pk,
        "budget": budget.pk,
        "product": budget.products.first().pk,
        "rate": "18,50",
        "unit": "hour",
        "hours_per_week": "6",
        "travel_allowance_per_km": "",
        "valid_from": "2026-12-01",
        "valid_to": "",
        "svb_agreement_number": "",
        **fields,
    }


def _key(response, form: str = "form") -> str:
    return response.context[form]["submission"].value()


# --- who sees which page ---------------------------------------------------------------------


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize(("persona", "status"), STATUS.items())
def test_every_page_per_persona(login, api_world, page, persona, status):
    response = login(persona).get(_url(api_world, page))
    assert response.status_code == status
    if status == 200:
        page_text = _page(response)
        assert page_text.count("<h1") == 1
        assert "style=" not in page_text
        assert "<script>" not in page_text


def test_the_auditor_of_another_funders_agreement_gets_a_404(login, api_world):
    # the Wlz agreement is on the care office's grant, not on The Hague's
    url = reverse("contracts:agreement", args=[api_world.mine_wlz_agreement.pk])
    assert login("auditor_same").get(url).status_code == 404
    assert login("holder").get(url).status_code == 200


def test_other_holders_agreement_is_a_404(login, api_world):
    url = reverse("contracts:agreement", args=[api_world.theirs_agreement.pk])
    assert login("holder").get(url).status_code == 404


@pytest.mark.parametrize("persona", READ_ONLY)
def test_read_only_viewers_see_no_write_buttons_or_forms(login, api_world, persona):
    client = login(persona)
    providers = _page(client.get(_url(api_world, "providers")))
    assert reverse("contracts:provider_new", args=[api_world.mine.pk]) not in providers
    agreements = _page(client.get(_url(api_world, "agreements")))
    assert reverse("contracts:agreement_new", args=[api_world.mine.pk]) not in agreements
    assert 'name="iban"' not in _page(client.get(_url(api_world, "provider_new")))
    assert 'name="agreement_type"' not in _page(client.get(_url(api_world, "agreement_new")))
    detail = _page(client.get(_url(api_world, "agreement")))
    assert 'name="action"' not in detail
    assert "change-effective_from" not in detail
    assert "2026" in detail  # the versions are there


@pytest.mark.parametrize("persona", WRITERS)
def test_writers_see_the_write_buttons_and_forms(login, api_world, persona):
    client = login(persona)
    providers = _page(client.get(_url(api_world, "providers")))
    assert reverse("contracts:provider_new", args=[api_world.mine.pk]) in providers
    assert 'name="iban"' in _page(client.get(_url(api_world, "provider_new")))
    detail = _page(client.get(_url(api_world, "agreement")))
    for form_id in ("id_change-effective_from", "id_end-end_date", "id_approval-status"):
        assert f'id="{form_id}"' in detail


@pytest.mark.parametrize("persona", READ_ONLY)
@pytest.mark.parametrize(
    ("page", "data"),
    [
        ("provider_new", _provider_data()),
        ("agreement_new", {"agreement_type": "employment_hourly"}),
        ("agreement", {"action": "end", "end-end_date": "2026-12-31"}),
        ("agreement", {"action": "change", "change-effective_from": "2026-12-01"}),
        ("agreement", {"action": "approval", "approval-status": "approved"}),
    ],
)
def test_a_post_by_a_read_only_viewer_is_a_403(login, api_world, persona, page, data):
    before = (Provider.objects.count(), AgreementVersion.objects.count())
    response = login(persona).post(_url(api_world, page), data)
    assert response.status_code == 403
    assert (Provider.objects.count(), AgreementVersion.objects.count()) == before


@pytest.mark.parametrize("persona", ["auditor_other", "stranger", "expired"])
def test_a_post_out_of_scope_is_a_404(login, api_world, persona):
    response = login(persona).post(_url(api_world, "provider_new"), _provider_data())
    assert response.status_code == 404


def test_pages_need_a_login(client, api_world):
    response = client.get(_url(api_world, "providers"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


# --- providers ---------------------------------------------------------------------------------


def test_the_provider_list_shows_relation_care_and_a_masked_iban(login, api_world):
    page = _page(login("holder").get(_url(api_world, "providers")))
    provider = api_world.mine_provider
    assert provider.name in page
    assert mask_identifier(provider.iban) in page
    assert provider.iban not in page
    assert api_world.theirs_provider.name not in page
    assert 'class="stack"' in page
    assert 'scope="col"' in page
    assert "data-label=" in page
    agreements_url = reverse("contracts:agreements", args=[api_world.mine.pk])
    assert f"{agreements_url}?provider={provider.pk}" in page


def test_a_provider_is_registered_with_the_holder(login, api_world):
    client = login("representative")
    key = _key(client.get(_url(api_world, "provider_new")))
    response = client.post(_url(api_world, "provider_new"), _provider_data(submission=key))
    assert response.status_code == 302
    assert response["Location"] == _url(api_world, "providers")
    provider = Provider.objects.get(name="J. Jansen")
    assert provider.iban == "NL91ABNA0417164300"
    assert provider.date_of_birth == date(1990, 4, 2)
    link = HolderProvider.objects.get(provider=provider)
    assert (link.holder, link.relation) == (api_world.mine, Relation.NONE)
    page = _page(client.get(response["Location"]))
    assert "J. Jansen" in page
    assert 'message success"' in page


def test_a_provider_sent_twice_is_registered_once(login, api_world):
    client = login("holder")
    key = _key(client.get(_url(api_world, "provider_new")))
    data = _provider_data(submission=key)
    first = client.post(_url(api_world, "provider_new"), data)
    second = client.post(_url(api_world, "provider_new"), data)
    assert first.status_code == second.status_code == 302
    assert second["Location"] == first["Location"]
    assert Provider.objects.filter(name="J. Jansen").count() == 1


def test_an_invalid_iban_is_shown_next_to_the_field_and_nothing_is_saved(login, api_world):
    client = login("holder")
    before = Provider.objects.count()
    key = _key(client.get(_url(api_world, "provider_new")))
    response = client.post(
        _url(api_world, "provider_new"), _provider_data(iban="NL00BANK0123456789", submission=key)
    )
    page = _page(response)
    assert response.status_code == 200
    assert Provider.objects.count() == before
    group = r'<div class="[^"]*\bhas-error\b[^"]*">.*?</div>\s*<input[^>]*name="iban"'
    assert re.search(group, page, re.S)  # the error is in the field's own group
    assert 'id="id_iban_errors"' in page
    assert re.search(r'<input[^>]*name="iban"[^>]*aria-invalid="true"', page)
    assert 'value="NL00BANK0123456789"' in page  # what was typed is kept
    assert 'value="J. Jansen"' in page
    with translation.override("nl"):  # Dutch once the catalogue is compiled
        message = str(IBANValidator.message) % {"value": "NL00BANK0123456789"}
    assert escape(message) in page


def test_a_missing_name_is_refused_in_dutch(login, api_world):
    client = login("holder")
    response = client.post(_url(api_world, "provider_new"), _provider_data(name=""))
    assert response.status_code == 200
    assert "Dit veld is vereist." in _page(response)
    assert not Provider.objects.filter(iban="NL91ABNA0417164300").exists()


def test_an_organisation_cannot_be_family(login, api_world):
    data = _provider_data(
        kind="organisation", date_of_birth="", kvk_number="12345678", relation=Relation.PARTNER
    )
    response = login("holder").post(_url(api_world, "provider_new"), data)
    assert response.status_code == 200
    assert response.context["form"].errors["relation"]
    assert not Provider.objects.filter(name="J. Jansen").exists()


def test_a_bureau_registers_a_provider_it_already_works_with(login, api_world):
    organisation = ProviderFactory(
        kind="organisation", name="Zorg BV", date_of_birth=None, kvk_number="12345678"
    )
    HolderProviderFactory(holder=api_world.sibling, provider=organisation)
    client = login("bureau")
    response = client.get(_url(api_world, "provider_new"))
    assert "Zorg BV" in _page(response)
    key = _key(response, "link_form")
    data = {
        "form": "link",
        "link-provider": organisation.pk,
        "link-relation": Relation.NONE,
        "link-submission": key,
    }
    assert client.post(_url(api_world, "provider_new"), data).status_code == 302
    assert client.post(_url(api_world, "provider_new"), data).status_code == 302
    assert HolderProvider.objects.filter(holder=api_world.mine, provider=organisation).count() == 1


# --- agreements ---------------------------------------------------------------------------------


def test_the_agreement_list_links_to_the_agreement_and_this_months_hours(login, api_world):
    page = _page(login("holder").get(_url(api_world, "agreements")))
    agreement = api_world.mine_wmo_agreement
    assert reverse("contracts:agreement", args=[agreement.pk]) in page
    assert reverse("declarations:hours", args=[agreement.pk, date(2026, 11, 1)]) in page
    assert reverse("declarations:costs", args=[agreement.pk, date(2026, 11, 1)]) in page
    assert "/2026-11/" in page
    assert "€\u00a018,50" in page  # the rate, in Dutch
    assert api_world.theirs_agreement.provider.name not in page


def test_the_auditor_sees_only_the_agreements_on_their_funders_grants(login, api_world):
    response = login("auditor_same").get(_url(api_world, "agreements"))
    shown = {row["agreement"].pk for row in response.context["rows"]}
    assert shown == {api_world.mine_wmo_agreement.pk}


def test_the_agreement_list_filters_on_a_provider(login, api_world):
    other = ProviderFactory()
    HolderProviderFactory(holder=api_world.mine, provider=other)
    url = f"{_url(api_world, 'agreements')}?provider={other.pk}"
    response = login("holder").get(url)
    assert response.status_code == 200
    assert response.context["rows"] == []
    theirs = f"{_url(api_world, 'agreements')}?provider={api_world.theirs_provider.pk}"
    assert login("holder").get(theirs).status_code == 404


def test_step_one_explains_each_agreement_type(login, api_world):
    response = login("holder").get(_url(api_world, "agreement_new"))
    page = _page(response)
    assert re.search(r'<li aria-current="step">[^<]*1', page)
    for agreement_type in AgreementType.values:
        assert f'value="{agreement_type}"' in page
    explanations = re.findall(r'<p class="choice-help" id="(id_agreement_type_\d+_help)">', page)
    assert len(explanations) == len(AgreementType.values)
    for help_id in explanations:
        assert f'aria-describedby="{help_id}"' in page
    assert 'method="get"' in page
    assert 'name="step" value="2"' in page


def test_without_providers_step_one_points_to_adding_one(login, api_world):
    response = login("holder").get(reverse("contracts:agreement_new", args=[api_world.sibling.pk]))
    page = _page(response)
    assert response.status_code == 200
    assert reverse("contracts:provider_new", args=[api_world.sibling.pk]) in page
    assert 'name="agreement_type"' not in page


def test_an_agreement_is_registered_in_two_steps(login, api_world):
    client = login("holder")
    url = _url(api_world, "agreement_new")
    step_two = client.get(
        url,
        {
            "step": "2",
            "agreement_type": AgreementType.EMPLOYMENT_HOURLY,
            "provider": api_world.mine_provider.pk,
        },
    )
    page = _page(step_two)
    assert step_two.status_code == 200
    assert re.search(r'<li aria-current="step">[^<]*2', page)
    assert 'type="hidden" name="agreement_type" value="employment_hourly"' in page
    for field in ("budget", "product", "rate", "unit", "hours_per_week", "valid_from"):
        assert f'id="id_{field}"' in page
    # an hourly employment is paid per hour only
    assert [value for value, _ in step_two.context["form"].fields["unit"].choices] == ["hour"]

    data = _agreement_data(api_world, submission=_key(step_two), svb_agreement_number="123456")
    response = client.post(url, data)
    assert response.status_code == 302
    agreement = CareAgreement.objects.get(svb_agreement_number="123456")
    assert response["Location"] == reverse("contracts:agreement", args=[agreement.pk])
    assert (agreement.holder, agreement.provider) == (api_world.mine, api_world.mine_provider)
    assert agreement.agreement_type == AgreementType.EMPLOYMENT_HOURLY
    version = agreement.versions.get()
    assert (version.rate, version.unit, version.hours_per_week) == (
        Decimal("18.50"),
        "hour",
        Decimal("6"),
    )
    assert (version.valid_from, version.valid_to) == (date(2026, 12, 1), None)
    assert version.budget == api_world.mine_wmo_budget
    assert version.approval_status == ApprovalStatus.PENDING

    # sent again (a double click, the back button): not registered twice
    again = client.post(url, data)
    assert again.status_code == 302
    assert again["Location"] == response["Location"]
    assert CareAgreement.objects.filter(provider=api_world.mine_provider).count() == 3


def test_an_agreement_without_svb_number_sent_twice_is_registered_once(login, api_world):
    client = login("bureau")
    url = _url(api_world, "agreement_new")
    step_two = client.get(
        url,
        {
            "step": "2",
            "agreement_type": "employment_hourly",
            "provider": api_world.mine_provider.pk,
        },
    )
    data = _agreement_data(api_world, submission=_key(step_two))
    before = CareAgreement.objects.count()
    client.post(url, data)
    client.post(url, data)
    assert CareAgreement.objects.count() == before + 1


def test_step_one_refuses_a_type_that_does_not_fit_the_provider(login, api_world):
    # the provider has no family relation with the holder: no family agreement
    response = login("holder").get(
        _url(api_world, "agreement_new"),
        {"step": "2", "agreement_type": "family", "provider": api_world.mine_provider.pk},
    )
    page = _page(response)
    assert response.status_code == 200
    assert response.context["choice_form"].errors["agreement_type"]
    assert re.search(r'<li aria-current="step">[^<]*1', page)
    assert 'name="rate"' not in page


def test_step_one_refuses_another_holders_provider(login, api_world):
    response = login("holder").get(
        _url(api_world, "agreement_new"),
        {
            "step": "2",
            "agreement_type": "employment_hourly",
            "provider": api_world.theirs_provider.pk,
        },
    )
    assert response.status_code == 200
    assert response.context["choice_form"].errors["provider"]


def test_a_rate_that_is_not_a_number_is_refused_in_dutch(login, api_world):
    before = CareAgreement.objects.count()
    response = login("holder").post(
        _url(api_world, "agreement_new"), _agreement_data(api_world, rate="abc")
    )
    page = _page(response)
    assert response.status_code == 200
    assert CareAgreement.objects.count() == before
    assert 'id="id_rate_errors"' in page
    assert "Voer een getal in." in page
    assert re.search(r'<input[^>]*name="rate"[^>]*value="abc"', page)
    assert re.search(r'<li aria-current="step">[^<]*2', page)


def test_an_end_before_the_start_is_refused_and_nothing_is_saved(login, api_world):
    before = (CareAgreement.objects.count(), AgreementVersion.objects.count())
    response = login("holder").post(
        _url(api_world, "agreement_new"),
        _agreement_data(api_world, valid_from="2026-12-10", valid_to="2026-12-01"),
    )
    page = _page(response)
    assert response.status_code == 200
    assert response.context["form"].errors["valid_to"]
    assert 'id="id_valid_to_errors"' in page
    assert 'value="2026-12-01"' in page
    assert 'value="2026-12-10"' in page
    assert (CareAgreement.objects.count(), AgreementVersion.objects.count()) == before


def test_a_start_outside_the_grant_is_shown_next_to_the_start(login, api_world):
    response = login("holder").post(
        _url(api_world, "agreement_new"), _agreement_data(api_world, valid_from="2027-02-01")
    )
    assert response.status_code == 200
    assert response.context["form"].errors["valid_from"]


def test_the_pages_render_in_english(login, api_world):
    client = login("holder", "en")
    page = _page(client.get(_url(api_world, "agreements")))
    assert 'lang="en"' in page
    assert "Care agreements" in page
    assert "€\u00a018.50" in page
    response = client.post(_url(api_world, "agreement_new"), _agreement_data(api_world, rate="x"))
    assert "Enter a number." in _page(response)
    step_one = _page(client.get(_url(api_world, "agreement_new")))
    assert "Employment paid per hour" in step_one
    assert "Step 1: Type and provider" in step_one


# --- one agreement: its versions over time and changes from a date ---------------------------


def test_the_agreement_page_shows_its_versions_and_this_month(login, api_world):
    agreement = api_world.mine_wmo_agreement
    page = _page(login("holder", "en").get(_url(api_world, "agreement")))
    assert reverse("declarations:hours", args=[agreement.pk, date(2026, 11, 1)]) in page
    assert reverse("declarations:costs", args=[agreement.pk, date(2026, 11, 1)]) in page
    assert "Versions over time" in page
    assert page.count('<tr class="current">') == 1


def test_a_change_from_a_date_is_a_new_version(login, api_world):
    agreement = api_world.mine_wmo_agreement
    client = login("representative")
    data = {
        "action": "change",
        "change-effective_from": "2026-12-01",
        "change-rate": "20,00",
        "change-reason": "Indexation",
    }
    response = client.post(_url(api_world, "agreement"), data)
    assert response.status_code == 302
    first, second = agreement.versions.order_by("valid_from")
    assert first.valid_to == date(2026, 11, 30)
    assert (second.valid_from, second.rate, second.change_reason) == (
        date(2026, 12, 1),
        Decimal("20.00"),
        "Indexation",
    )
    assert (second.hours_per_week, second.unit) == (first.hours_per_week, first.unit)
    page = _page(client.get(response["Location"]))
    assert "Indexation" in page
    assert "€\u00a020,00" in page  # both versions are in the table
    assert "€\u00a018,50" in page


def test_a_change_that_rewrites_history_is_refused(login, api_world):
    agreement = api_world.mine_wmo_agreement
    response = login("holder").post(
        _url(api_world, "agreement"),
        {"action": "change", "change-effective_from": "2025-12-01", "change-rate": "30"},
    )
    page = _page(response)
    assert response.status_code == 200
    assert response.context["change_form"].errors["effective_from"]
    assert 'id="id_change-effective_from_errors"' in page
    assert 'value="30"' in page
    assert agreement.versions.count() == 1


def test_an_agreement_is_ended_on_a_date(login, api_world):
    agreement = api_world.mine_wmo_agreement
    response = login("holder").post(
        _url(api_world, "agreement"), {"action": "end", "end-end_date": "2026-12-31"}
    )
    assert response.status_code == 302
    assert agreement.versions.get().valid_to == date(2026, 12, 31)


def test_an_end_before_the_latest_version_is_refused(login, api_world):
    agreement = api_world.mine_wmo_agreement
    response = login("holder").post(
        _url(api_world, "agreement"), {"action": "end", "end-end_date": "2025-06-30"}
    )
    assert response.status_code == 200
    assert response.context["end_form"].errors["end_date"]
    assert 'value="2025-06-30"' in _page(response)
    assert agreement.versions.get().valid_to is None


def test_the_funders_decision_is_recorded(login, api_world):
    version = api_world.mine_wmo_agreement.versions.get()
    data = {
        "action": "approval",
        "approval-version": version.pk,
        "approval-status": ApprovalStatus.REJECTED,
        "approval-decided_on": "2026-11-20",
        "approval-evidence": "PGB Portaal, bericht van 20 november 2026",
    }
    response = login("holder").post(_url(api_world, "agreement"), data)
    assert response.status_code == 302
    version.refresh_from_db()
    assert (version.approval_status, version.approval_date) == ("rejected", date(2026, 11, 20))


def test_a_decision_without_a_date_is_refused_in_dutch(login, api_world):
    version = api_world.mine_wmo_agreement.versions.get()
    data = {"action": "approval", "approval-version": version.pk, "approval-status": "rejected"}
    response = login("holder").post(_url(api_world, "agreement"), data)
    assert response.status_code == 200
    assert "Dit veld is vereist." in _page(response)
    version.refresh_from_db()
    assert version.approval_status == ApprovalStatus.APPROVED


def test_another_agreements_version_cannot_be_decided_here(login, api_world):
    other = api_world.mine_wlz_agreement.versions.get()
    data = {
        "action": "approval",
        "approval-version": other.pk,
        "approval-status": "rejected",
        "approval-decided_on": "2026-11-20",
        "approval-evidence": "PGB Portaal",
    }
    response = login("holder").post(_url(api_world, "agreement"), data)
    assert response.status_code == 200
    assert response.context["approval_form"].errors["version"]
    other.refresh_from_db()
    assert other.approval_status == ApprovalStatus.APPROVED


# --- query counts --------------------------------------------------------------------------------


def test_the_provider_list_queries_do_not_grow_with_its_rows(
    login, api_world, django_assert_max_num_queries
):
    client = login("holder")
    url = _url(api_world, "providers")
    with django_assert_max_num_queries(20) as few:
        client.get(url)
    for number in range(12):
        HolderProviderFactory(
            holder=api_world.mine, provider=ProviderFactory(iban=iban_from(90_000 + number))
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url)
    assert len(response.context["rows"]) == 13


def test_the_agreement_list_queries_do_not_grow_with_its_rows(
    login, api_world, django_assert_max_num_queries
):
    client = login("auditor_same")  # also logs its access
    url = _url(api_world, "agreements")
    with django_assert_max_num_queries(25) as few:
        client.get(url)
    budget = api_world.mine_wmo_budget
    for _ in range(12):
        provider = ProviderFactory()
        HolderProviderFactory(holder=api_world.mine, provider=provider)
        agreement = CareAgreementFactory(holder=api_world.mine, provider=provider)
        for start, end in ((date(2026, 1, 1), date(2026, 6, 30)), (date(2026, 7, 1), None)):
            AgreementVersionFactory(
                agreement=agreement,
                budget=budget,
                product=budget.products.first(),
                valid_from=start,
                valid_to=end,
            )
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url)
    assert len(response.context["rows"]) == 13
