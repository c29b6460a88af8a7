"""Whatever a client sends, the answer is a clear 4xx problem naming each field, and nothing
is saved: malformed JSON, wrong types, unknown fields, huge numbers, impossible dates,
negative or fractional hours, enormous strings, other people's ids."""

import json

import pytest

from declarations.models import Expense, TimeEntry
from pgb_admin.budgets.models import BudgetHolder

from .conftest import token_client

V1 = "/api/v1"


@pytest.fixture
def client(api_world):
    return token_client(api_world.users["representative"])


def _post(client, path, body, **extra):
    data = body if isinstance(body, (str, bytes)) else json.dumps(body)
    return client.generic(
        "POST", f"{V1}/{path}", data=data, content_type="application/json", **extra
    )


def _params(response) -> dict[str, str]:
    assert response["Content-Type"] == "application/problem+json"
    return {param["name"]: param["code"] for param in response.json()["invalid_params"]}


def _entry(world, **fields):
    return {
        "agreement": world.mine_wmo_agreement.pk,
        "care_date": "2026-08-04",
        "quantity": "2.00",
        **fields,
    }


def test_a_problem_has_every_member_of_rfc_9457(api_world, client):
    response = _post(client, "time-entries/", _entry(api_world, quantity="-1"))
    body = response.json()
    assert response.status_code == 400
    assert set(body) == {"type", "title", "status", "detail", "instance", "code", "invalid_params"}
    assert body["type"] == "urn:pgb-admin:problem:invalid"
    assert body["instance"] == "/api/v1/time-entries/"
    assert body["invalid_params"] == [
        {"name": "quantity", "code": "negative_value", "reason": "-1.00 is negative."}
    ]


@pytest.mark.parametrize(
    ("fields", "name", "code"),
    [
        ({"quantity": "25"}, "quantity", "more_than_a_day"),
        ({"quantity": "-1"}, "quantity", "negative_value"),
        ({"quantity": "1.30"}, "quantity", "not_in_quarter_hours"),
        ({"quantity": "1.333"}, "quantity", "max_decimal_places"),
        ({"quantity": "abc"}, "quantity", "invalid"),
        ({"quantity": "NaN"}, "quantity", "invalid"),
        ({"quantity": 7.5}, "quantity", "invalid"),  # a JSON number: amounts are strings
        ({"quantity": "99999999999"}, "quantity", "max_digits"),
        ({"care_date": "2026-02-30"}, "care_date", "invalid"),
        ({"care_date": 20260804}, "care_date", "invalid"),
        ({"start_time": "25:00", "end_time": "26:00", "quantity": None}, "start_time", "invalid"),
        ({"note": "x" * 100_000}, "note", "max_length"),
        ({"agreement": "1"}, "agreement", "incorrect_type"),
        ({"agreement": True}, "agreement", "incorrect_type"),
        ({"agreement": 10**30}, "agreement", "does_not_exist"),
        ({"agreement": 999_999}, "agreement", "does_not_exist"),
        ({"colour": "blue"}, "colour", "unknown_field"),
    ],
)
def test_bad_time_entries_are_refused_by_field(api_world, client, fields, name, code):
    before = TimeEntry.objects.count()
    response = _post(client, "time-entries/", _entry(api_world, **fields))
    assert response.status_code == 400, response.content
    assert _params(response).get(name) == code, response.json()
    assert TimeEntry.objects.count() == before


def test_another_holders_agreement_looks_like_one_that_does_not_exist(api_world, client):
    theirs = _post(
        client, "time-entries/", _entry(api_world, agreement=api_world.theirs_agreement.pk)
    )
    missing = _post(client, "time-entries/", _entry(api_world, agreement=987_654))
    assert theirs.status_code == missing.status_code == 400
    reasons = [r.json()["invalid_params"][0]["reason"] for r in (theirs, missing)]
    assert reasons == [
        f"There is no care agreement {api_world.theirs_agreement.pk} that you may see.",
        "There is no care agreement 987654 that you may see.",
    ]


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ("{not json", 400, "parse_error"),
        ('{"quantity": NaN}', 400, "parse_error"),
        ("[1, 2, 3]", 400, "invalid"),
        ('"text"', 400, "invalid"),
        ("", 400, "invalid"),
    ],
)
def test_malformed_bodies(api_world, client, body, status, code):
    response = _post(client, "time-entries/", body)
    assert (response.status_code, response.json()["code"]) == (status, code)


def test_a_body_that_is_too_large_is_refused_unread(api_world, client, settings):
    settings.API_MAX_JSON_BYTES = 1000
    response = _post(client, "time-entries/", _entry(api_world, note="x" * 2000))
    assert (response.status_code, response.json()["code"]) == (413, "request_too_large")


def test_only_json_is_read(api_world, client):
    response = client.post(
        f"{V1}/time-entries/", data="quantity=2", content_type="application/x-www-form-urlencoded"
    )
    assert (response.status_code, response.json()["code"]) == (415, "unsupported_media_type")


def test_messages_follow_accept_language(api_world):
    body = _entry(api_world, quantity="1.30")
    english = _post(token_client(api_world.users["holder"], "en"), "time-entries/", body)
    dutch = _post(token_client(api_world.users["holder"], "nl"), "time-entries/", body)
    assert english.json()["invalid_params"][0]["reason"] == (
        "1.30 hours is not in quarter hours: use steps of 0.25, e.g. 1.25."
    )
    assert "kwartier" in dutch.json()["invalid_params"][0]["reason"]
    assert english["Content-Language"] == "en"
    assert dutch["Content-Language"] == "nl"
    assert dutch.json()["title"] == "Het verzoek is niet geldig."
    unknown = _post(
        token_client(api_world.users["holder"], "nl"), "time-entries/", {**body, "kleur": "rood"}
    )
    assert unknown.json()["invalid_params"] == [
        {"name": "kleur", "code": "unknown_field", "reason": "Onbekend veld."}
    ]
    theirs = _post(
        token_client(api_world.users["holder"], "nl"),
        "time-entries/",
        {**body, "agreement": 987_654},
    )
    assert theirs.json()["invalid_params"][0]["reason"] == (
        "Er is geen zorgovereenkomst 987654 die u mag inzien."
    )


def test_a_bad_row_in_a_month_names_its_row_and_saves_nothing(api_world, client):
    before = list(TimeEntry.objects.order_by("pk").values_list("pk", "quantity"))

    def send(*extra_rows):
        rows = [
            {"care_date": "2026-08-03", "quantity": "4.00"},
            {"care_date": "2026-08-04", "quantity": "1.10"},
            {"care_date": "2026-09-01", "quantity": "2.00"},
            *extra_rows,
        ]
        month = {"agreement": api_world.mine_wmo_agreement.pk, "month": "2026-08"}
        response = _post(client, "time-entries/bulk/", {**month, "entries": rows})
        assert response.status_code == 400
        return _params(response)

    # the types of every row are read first; then every row is checked against the agreement
    unknown = {"care_date": "2026-08-06", "quantity": "2.00", "extra": 1}
    assert send(unknown) == {"entries[3].extra": "unknown_field"}
    assert send() == {
        "entries[1].quantity": "not_in_quarter_hours",
        "entries[2].care_date": "date_outside_month",
    }
    assert list(TimeEntry.objects.order_by("pk").values_list("pk", "quantity")) == before


def test_a_duplicate_is_a_conflict(api_world, client):
    body = {
        "role": "representative",
        "initials": "A.",
        "surname": "Dubbel",
        "bsn": api_world.mine.bsn,
        "date_of_birth": "2000-01-01",
    }
    response = _post(client, "budget-holders/", body)
    assert (response.status_code, response.json()["code"]) == (409, "duplicate")
    assert BudgetHolder.objects.filter(surname="Dubbel").count() == 0
    again = _post(
        client,
        f"providers/{api_world.mine_provider.pk}/link/",
        {"holder": api_world.mine.pk, "relation": "none"},
    )
    assert (again.status_code, again.json()["code"]) == (409, "duplicate")


def test_a_change_to_an_exported_month_is_a_conflict_naming_the_field(api_world, client):
    response = _post(
        client,
        "expenses/",
        {
            "agreement": api_world.mine_wmo_agreement.pk,
            "expense_date": "2026-09-10",
            "kind": "other",
            "amount": "5.00",
        },
    )
    assert response.status_code == 409
    assert response.json()["code"] == "conflict"
    assert _params(response) == {"expense_date": "month_declared"}
    assert not Expense.objects.filter(expense_date="2026-09-10").exists()


def test_unknown_paths_ids_and_methods(api_world, client):
    assert client.get(f"{V1}/nothing-here/").json()["code"] == "not_found"
    assert client.get(f"{V1}/budget-holders/99999999999999999999999/").status_code == 404
    assert client.get(f"{V1}/budget-holders/abc/").status_code == 404
    put = client.put(f"{V1}/budget-holders/{api_world.mine.pk}/", {}, format="json")
    assert (put.status_code, put.json()["code"]) == (405, "method_not_allowed")


@pytest.mark.parametrize(
    "query",
    [
        "holder=abc",
        "holder=99999999999999999999999",
        "holder=-1",
        "period=2026-13",
        "period=26-10",
        "date_from=2026-02-30",
        "page=0",
        "page=999",
        "page=",
        "page=last",
        "page=" + "9" * 5000,
        "page_size=" + "9" * 5000,  # more digits than Python reads: refused, not a 500
    ],
)
def test_bad_filters_are_a_4xx(api_world, client, query):
    response = client.get(f"{V1}/time-entries/?{query}")
    assert response.status_code in (400, 404), response.content
    assert response["Content-Type"] == "application/problem+json"


def test_a_year_of_thousands_of_digits_is_refused(api_world, client):
    holder = api_world.mine.pk
    response = client.get(f"{V1}/reports/holders/{holder}/year-costs/?year={'9' * 5000}")
    assert (response.status_code, _params(response)) == (400, {"year": "invalid"})


def test_a_code_with_a_nul_character_names_nothing(api_world, client):
    # PostgreSQL cannot compare text with a NUL: the code is not looked up at all
    response = _post(client, "batches/", {"month": "2026-10", "funder": "GM\u00000518"})
    assert (response.status_code, _params(response)) == (400, {"funder": "does_not_exist"})
