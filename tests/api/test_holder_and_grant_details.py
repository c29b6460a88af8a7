"""Issue 16's data through the API: a holder's address, date of death, CAK exemption and
admissions; a grant's SVB payroll and indicated hours; a provider's SBI code. Field errors as
400, the auditor's view of the address."""

import pytest

from pgb_admin.budgets.models import CareProduct

from .conftest import token_client

V1 = "/api/v1"


def _fields(response) -> set[str]:
    return {param["name"] for param in response.json()["invalid_params"]}


@pytest.fixture
def holder_url(api_world):
    return f"{V1}/budget-holders/{api_world.mine.pk}/"


def test_holder_details_are_saved_and_shown(api_world, holder_url):
    client = token_client(api_world.users["representative"])
    response = client.patch(
        holder_url,
        {"postcode": "2514ab", "house_number": "17", "cak_exemption": "wheelchair_only"},
        format="json",
    )
    assert response.status_code == 200, response.json()
    data = response.json()
    assert (data["postcode"], data["house_number"]) == ("2514 AB", "17")
    assert data["cak_exemption"] == "wheelchair_only"
    assert data["date_of_death"] is None


def test_holder_details_refused_with_field_errors(api_world, holder_url):
    client = token_client(api_world.users["holder"])
    response = client.patch(
        holder_url,
        {"postcode": "2514 SS", "date_of_death": "2030-01-01", "cak_exemption": "rich"},
        format="json",
    )
    assert response.status_code == 400
    assert "cak_exemption" in _fields(response)
    response = client.patch(
        holder_url, {"postcode": "2514 SS", "date_of_death": "2026-12-01"}, format="json"
    )
    assert response.status_code == 400
    assert _fields(response) == {"postcode", "date_of_death"}


def test_an_auditor_sees_the_postcode_masked_and_no_house_number(api_world, holder_url):
    api_world.mine.postcode, api_world.mine.house_number = "2514 AB", "17"
    api_world.mine.save(update_fields=["postcode", "house_number"])
    auditor = token_client(api_world.users["auditor_same"]).get(holder_url).json()
    assert (auditor["postcode"], auditor["house_number"]) == ("2514 **", None)
    listed = token_client(api_world.users["auditor_same"]).get(f"{V1}/budget-holders/").json()
    assert [(row["postcode"], row["house_number"]) for row in listed["results"]] == [
        ("2514 **", None)
    ]
    family = token_client(api_world.users["family"]).get(holder_url).json()
    assert (family["postcode"], family["house_number"]) == ("2514 AB", "17")


def test_admissions_are_added_and_ended(api_world, holder_url):
    client = token_client(api_world.users["bureau"])
    response = client.post(
        f"{holder_url}admissions/",
        {"kind": "wlz_institution", "valid_from": "2026-11-01", "note": "Respijt"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    [admission] = response.json()["admissions"]
    assert (admission["kind"], admission["valid_to"]) == ("wlz_institution", None)
    response = client.post(
        f"{holder_url}admissions/{admission['id']}/end/", {"valid_to": "2026-10-01"}, format="json"
    )
    assert response.status_code == 400
    assert _fields(response) == {"valid_to"}
    response = client.post(
        f"{holder_url}admissions/{admission['id']}/end/", {"valid_to": "2026-11-15"}, format="json"
    )
    assert response.json()["admissions"][0]["valid_to"] == "2026-11-15"
    # an admission of another holder is not found through this one
    other = f"{V1}/budget-holders/{api_world.sibling.pk}/admissions/{admission['id']}/end/"
    assert client.post(other, {"valid_to": "2026-11-16"}, format="json").status_code == 404


def test_svb_payroll_is_refused_unless_zvw(api_world):
    client = token_client(api_world.users["holder"])
    response = client.patch(
        f"{V1}/budgets/{api_world.mine_wmo_budget.pk}/", {"svb_payroll": True}, format="json"
    )
    assert response.status_code == 400
    assert _fields(response) == {"svb_payroll"}


def test_indications_are_added_within_the_grant(api_world):
    budget = api_world.mine_wmo_budget
    client = token_client(api_world.users["representative"])
    url = f"{V1}/budgets/{budget.pk}/indications/"
    product = budget.products.get().code
    response = client.post(
        url,
        {"product": product, "hours": "3.50", "per": "week", "valid_from": "2026-02-01"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    [indication] = response.json()["indications"]
    assert (indication["product"], indication["hours"], indication["per"]) == (
        product,
        "3.50",
        "week",
    )
    other = CareProduct.objects.exclude(budgets=budget).first().code
    response = client.post(
        url,
        {"product": other, "hours": "0.00", "per": "week", "valid_from": "2025-02-01"},
        format="json",
    )
    assert response.status_code == 400
    assert _fields(response) == {"hours", "product", "valid_from"}
    response = client.post(
        url,
        {"product": other, "hours": "2.00", "per": "week", "valid_from": "2025-02-01"},
        format="json",
    )
    assert response.status_code == 400
    assert _fields(response) == {"product", "valid_from"}


def test_provider_sbi_code(api_world):
    client = token_client(api_world.users["holder"])
    url = f"{V1}/providers/{api_world.mine_provider.pk}/"
    response = client.patch(url, {"sbi_code": "86.91"}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["sbi_code"] == "8691"
    response = client.patch(url, {"sbi_code": "8"}, format="json")
    assert response.status_code == 400
    assert _fields(response) == {"sbi_code"}
