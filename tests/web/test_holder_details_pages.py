"""The holder's details page (address, date of death, CAK exemption, admissions) and a grant's
page (SVB payroll, indicated hours), per persona; forms that save and forms that refuse."""

from django.urls import reverse

import pytest

from pgb_admin.budgets.models import CareProduct

ALL = ("holder", "representative", "bureau", "family", "auditor_same", "auditor_other",
       "expired", "stranger", "staff")  # fmt: skip
SEES_MINE = {"holder", "representative", "bureau", "family", "auditor_same", "staff"}
WRITES_MINE = {"holder", "representative", "bureau", "staff"}


def _details(world) -> str:
    return reverse("budgets:holder_details", args=[world.mine.pk])


def _grant(world) -> str:
    return reverse("budgets:grant", args=[world.mine.pk, world.mine_wmo_budget.pk])


@pytest.mark.parametrize("page", [_details, _grant])
@pytest.mark.parametrize("persona", ALL)
def test_page_per_persona(login, api_world, page, persona):
    response = login(persona).get(page(api_world))
    assert response.status_code == (200 if persona in SEES_MINE else 404)
    if response.status_code == 200:
        shows_form = 'name="form"' in response.content.decode()
        assert shows_form == (persona in WRITES_MINE)


@pytest.mark.parametrize("persona", ["family", "auditor_same"])
def test_who_only_looks_cannot_write(login, api_world, persona):
    response = login(persona).post(_details(api_world), {"form": "details", "postcode": "1234AB"})
    assert response.status_code == 403
    api_world.mine.refresh_from_db()
    assert api_world.mine.postcode == ""


def test_a_grant_of_another_holder_is_not_found(login, api_world):
    url = reverse("budgets:grant", args=[api_world.mine.pk, api_world.theirs_budget.pk])
    assert login("holder").get(url).status_code == 404


def test_details_are_saved(login, api_world):
    response = login("representative").post(
        _details(api_world),
        {
            "form": "details",
            "postcode": "2514ab",
            "house_number": "17",
            "date_of_death": "",
            "cak_exemption": "municipal_scheme",
        },
    )
    assert response.status_code == 302
    api_world.mine.refresh_from_db()
    assert (api_world.mine.postcode, api_world.mine.house_number) == ("2514 AB", "17")
    assert api_world.mine.cak_exemption == "municipal_scheme"


def test_bad_details_are_refused_on_the_field(login, api_world):
    response = login("holder").post(
        _details(api_world),
        {
            "form": "details",
            "postcode": "2514 SA",
            "house_number": "",
            "date_of_death": "2030-01-01",
        },
    )
    assert response.status_code == 400
    assert response.context["details_form"].has_error("postcode", "invalid_postcode")
    response = login("holder").post(
        _details(api_world), {"form": "details", "postcode": "", "date_of_death": "2030-01-01"}
    )
    assert response.status_code == 400
    # the service's refusal, shown on its field
    assert response.context["details_form"].has_error("date_of_death", "death_in_future")


def test_the_auditor_sees_the_postcode_masked(login, api_world):
    api_world.mine.postcode, api_world.mine.house_number = "2514 AB", "17"
    api_world.mine.save(update_fields=["postcode", "house_number"])
    html = login("auditor_same").get(_details(api_world)).content.decode()
    assert "2514 **" in html
    assert "2514 AB" not in html
    assert "Huisnummer" not in html
    assert "2514 AB" in login("holder").get(_details(api_world)).content.decode()


def test_an_admission_is_added_and_ended(login, api_world):
    client = login("bureau")
    response = client.post(
        _details(api_world),
        {"form": "admission", "admission-kind": "hospital", "admission-valid_from": "2026-11-02"},
    )
    assert response.status_code == 302
    admission = api_world.mine.admissions.get()
    response = client.post(
        _details(api_world),
        {"form": "end", "end-admission": admission.pk, "end-valid_to": "2026-11-01"},
    )
    assert response.status_code == 400  # before the start
    response = client.post(
        _details(api_world),
        {"form": "end", "end-admission": admission.pk, "end-valid_to": "2026-11-12"},
    )
    assert response.status_code == 302
    admission.refresh_from_db()
    assert str(admission.valid_to) == "2026-11-12"


def test_svb_payroll_refused_on_a_wmo_grant(login, api_world):
    response = login("holder").post(_grant(api_world), {"form": "grant", "grant-svb_payroll": "on"})
    assert response.status_code == 400
    assert response.context["grant_form"].has_error("svb_payroll", "svb_payroll_not_zvw")


def test_indicated_hours_are_added(login, api_world):
    budget = api_world.mine_wmo_budget
    client = login("representative")
    data = {
        "form": "indication",
        "indication-product": budget.products.get().pk,
        "indication-hours": "3",
        "indication-per": "week",
        "indication-valid_from": "2026-02-01",
    }
    assert client.post(_grant(api_world), data).status_code == 302
    assert budget.indications.get().hours == 3
    response = client.post(_grant(api_world), {**data, "indication-valid_from": "2025-01-01"})
    assert response.status_code == 400
    assert response.context["indication_form"].has_error("valid_from", "outside_grant")
    other = CareProduct.objects.exclude(budgets=budget).first()
    response = client.post(_grant(api_world), {**data, "indication-product": other.pk})
    assert response.context["indication_form"].has_error("product", "invalid_choice")
