"""A bureau's script, end to end through the API only: a token, a provider, an agreement, a
month of hours, a draft, the validation, fixing what it found, the export, two identical
downloads, and an exported declaration that refuses every change."""

import csv
import io
import json

from rest_framework.test import APIClient

from ..two_factor import authenticator, code_now


def test_from_token_to_frozen_declaration(world):
    api = APIClient()
    api.credentials(HTTP_ACCEPT_LANGUAGE="en")

    def call(method, path, body=None, expect=200):
        response = api.generic(
            method,
            f"/api/v1/{path}",
            data=json.dumps(body) if body is not None else None,
            content_type="application/json",
        )
        assert response.status_code == expect, response.content[:800]
        return response

    bureau = world.users["bureau"]
    token = call(
        "POST",
        "auth/token/",
        {
            "username": bureau.username,
            "password": "correct-horse-battery",
            "otp_code": code_now(authenticator(bureau)),
        },
        expect=201,
    ).json()["token"]
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {token}", HTTP_ACCEPT_LANGUAGE="en")

    holder = world.mine
    grant = call("GET", f"budgets/?holder={holder.pk}&scheme=wmo").json()["results"][0]
    provider = call(
        "POST",
        "providers/",
        {
            "holder": holder.pk,
            "relation": "none",
            "kind": "person",
            "name": '=HYPERLINK("x") Zorg',
            "date_of_birth": "1990-02-02",
            "iban": "NL91 ABNA 0417 1643 00",
        },
        expect=201,
    ).json()
    assert provider["iban"] == "NL91ABNA0417164300"
    agreement = call(
        "POST",
        "agreements/",
        {
            "holder": holder.pk,
            "provider": provider["id"],
            "agreement_type": "employment_hourly",
            "budget": grant["id"],
            "product": grant["products"][0],
            "valid_from": "2026-10-01",
            "rate": "19.00",
            "unit": "hour",
            "hours_per_week": "6.00",
        },
        expect=201,
    ).json()
    assert agreement["version"]["approval_status"] == "pending"

    entries = [
        {"care_date": f"2026-10-{day:02d}", "quantity": "3.00"} for day in (5, 7, 12, 14, 19, 21)
    ] + [{"care_date": "2026-10-26", "start_time": "09:00", "end_time": "12:00"}]
    month = call(
        "POST",
        "time-entries/bulk/",
        {"agreement": agreement["id"], "month": "2026-10", "entries": entries},
    ).json()
    assert len(month["entries"]) == 7

    draft = call(
        "POST", "declarations/", {"agreement": agreement["id"], "month": "2026-10"}, expect=201
    ).json()
    assert (draft["status"], draft["total_amount"]) == ("draft", "399.00")

    found = call("POST", f"declarations/{draft['id']}/validate/").json()
    assert found["status"] == "draft"
    assert "agreement.not_approved" in {f["rule_code"] for f in found["findings"]}

    # fix: record the municipality's approval of the agreement, then validate again
    version = agreement["versions"][0]["id"]
    call(
        "POST",
        f"agreements/{agreement['id']}/versions/{version}/approval/",
        {
            "status": "approved",
            "decided_on": "2026-10-02",
            "evidence": "PGB Portaal, bericht van 2 oktober 2026",
        },
    )
    fixed = call("POST", f"declarations/{draft['id']}/validate/").json()
    assert fixed["status"] == "validated"
    assert not [f for f in fixed["findings"] if f["is_open"] and f["severity"] != "info"]

    batch = call("POST", "batches/", {"month": "2026-10", "holder": holder.pk}, expect=201).json()
    assert batch["declarations"] == [draft["id"]]
    assert batch["total_amount"] == "399.00"
    files = {file["format"]: file for file in batch["files"]}
    first, second = (api.get(files["csv"]["url"]).content for _ in range(2))
    assert first == second
    assert api.get(files["xlsx"]["url"]).content == api.get(files["xlsx"]["url"]).content
    rows = list(csv.DictReader(io.StringIO(first.decode("utf-8-sig")), delimiter=";"))
    assert {row["provider_name"] for row in rows} == {'\'=HYPERLINK("x") Zorg'}

    exported = call("GET", f"declarations/{draft['id']}/").json()
    assert exported["status"] == "exported"
    refusals = [
        ("DELETE", f"declarations/{draft['id']}/", None),
        ("POST", f"declarations/{draft['id']}/validate/", None),
        (
            "POST",
            "time-entries/bulk/",
            {"agreement": agreement["id"], "month": "2026-10", "entries": []},
        ),
        ("PATCH", f"time-entries/{month['entries'][0]['id']}/", {"quantity": "1.00"}),
        ("DELETE", f"time-entries/{month['entries'][0]['id']}/", None),
        (
            "POST",
            "expenses/",
            {
                "agreement": agreement["id"],
                "expense_date": "2026-10-05",
                "kind": "other",
                "amount": "1.00",
            },
        ),
        ("DELETE", f"batches/{batch['id']}/", None),
    ]
    for method, path, body in refusals:
        problem = call(method, path, body, expect=409).json()
        assert problem["code"] == "conflict", path
    assert call("GET", f"declarations/{draft['id']}/").json() == exported
