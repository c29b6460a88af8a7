"""What the resources say and do: masking, dated versions, months of hours, declarations,
batches, the catalogue, tasks and tokens."""

import hashlib
import json
from datetime import date, timedelta

from django.utils import timezone

import pytest

from declarations.models import Batch, Declaration, TimeEntry
from pgb_admin.accounts.models import ApiToken
from pgb_admin.core.masking import mask_identifier
from pgb_admin.core.models import TaskRun

from ..two_factor import authenticator, code_now
from .conftest import token_client

V1 = "/api/v1"


def _post(client, path, body=None):
    return client.generic(
        "POST", f"{V1}/{path}", data=json.dumps(body or {}), content_type="application/json"
    )


@pytest.mark.parametrize(
    ("persona", "full"),
    [
        ("holder", True),
        ("representative", True),
        ("bureau", True),
        ("family", False),
        ("auditor_same", False),
        ("staff", False),
    ],
)
def test_the_bsn_is_full_only_for_those_who_act_for_the_holder(api_world, persona, full):
    client = token_client(api_world.users[persona])
    holder = client.get(f"{V1}/budget-holders/{api_world.mine.pk}/").json()
    expected = api_world.mine.bsn if full else mask_identifier(api_world.mine.bsn)
    assert (holder["bsn"], holder["bsn_masked"]) == (expected, not full)
    # a list never shows it in full, not even to the holder
    listed = client.get(f"{V1}/budget-holders/").json()["results"]
    masked = mask_identifier(api_world.mine.bsn)
    assert {
        (row["bsn"], row["bsn_masked"]) for row in listed if row["id"] == api_world.mine.pk
    } == {(masked, True)}


def test_the_iban_is_masked_for_those_who_only_look(api_world):
    path = f"{V1}/providers/{api_world.mine_provider.pk}/"
    iban = api_world.mine_provider.iban
    assert token_client(api_world.users["bureau"]).get(path).json()["iban"] == iban
    for persona in ("family", "auditor_same"):
        shown = token_client(api_world.users[persona]).get(path).json()
        assert shown["iban"] == mask_identifier(iban)
        assert shown["can_edit"] is False


@pytest.mark.bsn_sent_in_url  # the last request: a BSN in a URL is not a filter
def test_the_bsn_is_found_by_a_lookup_in_the_body_never_in_a_url(api_world):
    client = token_client(api_world.users["bureau"])  # the lookup is for those who act
    found = _post(client, "budget-holders/lookup/", {"bsn": api_world.mine.bsn})
    assert found.json()["id"] == api_world.mine.pk
    assert _post(client, "budget-holders/lookup/", {"bsn": api_world.theirs.bsn}).status_code == 404
    auditor = token_client(api_world.users["auditor_same"])
    assert auditor.get(f"{V1}/budget-holders/?bsn={api_world.mine.bsn}").json()["count"] == 1


def test_an_agreement_change_is_a_new_version_read_back_by_date(api_world):
    client = token_client(api_world.users["representative"])
    agreement = api_world.mine_wmo_agreement
    changed = _post(
        client,
        f"agreements/{agreement.pk}/changes/",
        {"effective_from": "2026-07-01", "rate": "19.75", "reason": "indexatie"},
    )
    assert changed.status_code == 201
    versions = changed.json()["versions"]
    assert [(v["valid_from"], v["valid_to"], v["rate"]) for v in versions] == [
        ("2026-01-01", "2026-06-30", "18.50"),
        ("2026-07-01", None, "19.75"),
    ]
    path = f"{V1}/agreements/{agreement.pk}/"
    assert client.get(f"{path}?as_of=2026-03-01").json()["version"]["rate"] == "18.50"
    assert client.get(f"{path}?as_of=2026-08-01").json()["version"]["rate"] == "19.75"
    assert client.get(f"{path}?as_of=2025-08-01").json()["version"] is None
    assert client.get(f"{path}?as_of=2026-02-30").status_code == 400
    rewrite = _post(client, f"agreements/{agreement.pk}/changes/", {"effective_from": "2026-03-01"})
    assert rewrite.json()["invalid_params"][0]["code"] == "change_rewrites_history"


def test_a_month_sent_twice_leaves_the_same_entries(api_world):
    client = token_client(api_world.users["bureau"])
    body = {
        "agreement": api_world.mine_wmo_agreement.pk,
        "month": "2026-08",
        "entries": [
            {"care_date": "2026-08-03", "quantity": "4.00"},
            {"care_date": "2026-08-06", "start_time": "09:00", "end_time": "12:30"},
            {
                "care_date": "2026-08-10",
                "start_time": "22:00",
                "end_time": "06:00",
                "note": "nacht",
            },
        ],
    }
    first = _post(client, "time-entries/bulk/", body).json()
    second = _post(client, "time-entries/bulk/", body).json()
    shown = [(e["care_date"], e["quantity"]) for e in second["entries"]]
    assert shown == [("2026-08-03", "4.00"), ("2026-08-06", "3.50"), ("2026-08-10", "8.00")]
    assert [(e["care_date"], e["quantity"]) for e in first["entries"]] == shown
    in_august = TimeEntry.objects.filter(agreement=api_world.mine_wmo_agreement, care_date__month=8)
    assert in_august.count() == 3


def test_fill_a_month_from_a_weekly_pattern(api_world):
    client = token_client(api_world.users["holder"])
    response = _post(
        client,
        "time-entries/fill/",
        {
            "agreement": api_world.mine_wmo_agreement.pk,
            "month": "2026-08",
            "pattern": {"tuesday": "2.50"},
            "replace": True,
        },
    )
    assert response.status_code == 200
    days = {e["care_date"]: e["quantity"] for e in response.json()["entries"]}
    assert days == {f"2026-08-{d:02d}": "2.50" for d in (4, 11, 18, 25)}


def test_the_declaration_flow(api_world):
    client = token_client(api_world.users["representative"])
    draft = api_world.draft
    validated = _post(client, f"declarations/{draft.pk}/validate/").json()
    late = next(f for f in validated["findings"] if f["rule_code"] == "declaration.late")
    assert (late["severity"], late["is_open"]) == ("warning", True)
    assert "10 weeks" in late["message"]
    assert len(validated["lines"]) == 9
    acknowledged = _post(
        client,
        f"declarations/{draft.pk}/acknowledge/",
        {"finding": late["id"], "reason": "De zorgverlener leverde de uren laat aan."},
    )
    assert acknowledged.status_code == 200
    late = next(f for f in acknowledged.json()["findings"] if f["id"] == late["id"])
    assert (late["is_open"], late["acknowledged_by"]) == (False, "representative")
    short = _post(
        client, f"declarations/{draft.pk}/acknowledge/", {"finding": late["id"], "reason": "ok"}
    )
    assert short.json()["invalid_params"][0]["code"] == "reason_required"
    foreign = _post(
        client, f"declarations/{draft.pk}/acknowledge/", {"finding": 10**30, "reason": "zomaar"}
    )
    assert foreign.status_code == 404


def test_submit_correct_and_settle(api_world):
    client = token_client(api_world.users["bureau"])
    exported = api_world.exported
    assert _post(client, f"declarations/{api_world.draft.pk}/submit/").status_code == 409
    submitted = _post(client, f"declarations/{exported.pk}/submit/").json()
    assert submitted["status"] == "submitted"
    rejected = _post(
        client, f"declarations/{exported.pk}/settle/", {"paid": False, "evidence": "PGB Portaal"}
    )
    assert rejected.json()["invalid_params"][0]["name"] == "rejection_reason"
    settled = _post(
        client,
        f"declarations/{exported.pk}/settle/",
        {"paid": False, "rejection_reason": "tarief wijkt af", "evidence": "PGB Portaal"},
    ).json()
    assert (settled["status"], settled["rejection_reason"]) == ("rejected", "tarief wijkt af")
    correction = _post(client, f"declarations/{exported.pk}/correct/")
    assert correction.status_code == 201
    assert correction.json()["corrects"] == exported.pk
    assert correction.json()["status"] == "draft"


def test_a_batch_downloads_the_same_bytes_with_its_checksum(api_world):
    client = token_client(api_world.users["holder"])
    batch = api_world.batch
    shown = client.get(f"{V1}/batches/{batch.pk}/").json()
    assert shown["declarations"] == [api_world.exported.pk]
    files = {f["format"]: f for f in shown["files"]}
    for file_format, media_type in (
        ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        ("csv", "text/csv; charset=utf-8"),
    ):
        first = client.get(files[file_format]["url"])
        second = client.get(files[file_format]["url"], HTTP_ACCEPT=media_type.split(";")[0])
        assert first.status_code == second.status_code == 200
        assert first.content == second.content
        assert first["Content-Type"] == media_type
        assert hashlib.sha256(first.content).hexdigest() == files[file_format]["sha256"]
        assert first["ETag"] == f'"{files[file_format]["sha256"]}"'
        assert first["Content-Disposition"].endswith(f'.{file_format}"')


def test_export_in_the_background_reports_its_task(api_world, django_capture_on_commit_callbacks):
    client = token_client(api_world.users["bureau"])
    with django_capture_on_commit_callbacks(execute=True):
        response = _post(
            client,
            "batches/",
            {"month": "2026-10", "holder": api_world.mine.pk, "background": True},
        )
    assert response.status_code == 202
    task = client.get(response["Location"]).json()
    assert task["status"] == "done"
    batch = Batch.objects.get(pk=task["result"]["batch_id"])
    assert list(batch.declarations.all()) == [api_world.ready]
    assert client.get(f"{V1}/tasks/{task['id']}/").json()["percent"] == 100
    assert token_client(api_world.users["holder"]).get(response["Location"]).status_code == 404


def test_validate_a_period_in_the_background(api_world, django_capture_on_commit_callbacks):
    client = token_client(api_world.users["bureau"])
    with django_capture_on_commit_callbacks(execute=True):
        response = _post(client, "declarations/validate-period/", {"month": "2026-08"})
    run = TaskRun.objects.get(pk=response.json()["id"])
    assert (run.status, run.total, run.result["declarations"]) == ("done", 1, 1)


def test_nothing_to_export_is_a_field_error_and_changes_nothing(api_world):
    client = token_client(api_world.users["holder"])
    response = _post(client, "batches/", {"month": "2026-08", "holder": api_world.mine.pk})
    assert response.status_code == 400
    assert response.json()["invalid_params"][0]["code"] == "nothing_to_export"
    assert Batch.objects.count() == 1


def test_draft_the_months_declarations(api_world):
    client = token_client(api_world.users["bureau"])
    TimeEntry.objects.create(
        agreement=api_world.mine_wlz_agreement, care_date=date(2026, 10, 6), quantity="3"
    )
    drafted = _post(client, "declarations/draft-period/", {"month": "2026-10"}).json()
    assert {d["agreement"] for d in drafted} == {
        api_world.mine_wmo_agreement.pk,
        api_world.mine_wlz_agreement.pk,
    }
    assert Declaration.objects.filter(month=date(2026, 10, 1)).count() == 2


@pytest.mark.parametrize(("language", "word"), [("en", "agreement"), ("nl", "zorgovereenkomst")])
def test_the_rule_catalogue_in_both_languages(api_world, language, word):
    rules = token_client(api_world.users["family"], language).get(f"{V1}/rules/").json()
    assert len(rules) >= 30
    outside = next(rule for rule in rules if rule["code"] == "agreement.outside_period")
    assert outside["severity"] == "error"
    assert outside["blocks_export"] is True
    assert word in outside["message"].lower()


def test_me_tells_mandates_and_scopes(api_world):
    me = token_client(api_world.users["holder"]).get(f"{V1}/me/").json()
    assert {(m["holder"], m["role"], m["active"]) for m in me["mandates"]} == {
        (api_world.mine.pk, "holder", True),
        (api_world.sibling.pk, "representative", True),
    }
    auditor = token_client(api_world.users["auditor_same"]).get(f"{V1}/me/").json()
    assert [(s["funder"], s["active"]) for s in auditor["auditor_scopes"]] == [("GM0518", True)]
    expired = token_client(api_world.users["expired"]).get(f"{V1}/me/").json()
    assert [m["active"] for m in expired["mandates"]] == [False]


def test_tokens_are_stored_hashed_expire_and_can_be_revoked(api_world, client):
    user = api_world.users["bureau"]
    issued = client.post(
        f"{V1}/auth/token/",
        {
            "username": user.username,
            "password": "correct-horse-battery",
            "otp_code": code_now(authenticator(user)),  # a bureau uses two-factor authentication
        },
        content_type="application/json",
    ).json()
    token = issued["token"]
    stored = ApiToken.objects.get(user=user)
    assert stored.key_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in json.dumps(list(ApiToken.objects.values()), default=str)
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    assert client.get(f"{V1}/me/", **auth).status_code == 200

    ApiToken.objects.filter(pk=stored.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    expired = client.get(f"{V1}/me/", **auth)
    assert (expired.status_code, expired.json()["code"]) == (401, "authentication_failed")
    ApiToken.objects.filter(pk=stored.pk).update(expires_at=timezone.now() + timedelta(days=1))
    assert client.delete(f"{V1}/auth/token/", **auth).status_code == 204
    assert client.get(f"{V1}/me/", **auth).status_code == 401
    wrong = client.post(
        f"{V1}/auth/token/",
        {"username": user.username, "password": "wrong"},
        content_type="application/json",
    )
    assert wrong.json()["invalid_params"][0]["code"] == "invalid_credentials"


def test_the_token_endpoint_and_writes_are_throttled(api_world, client, settings):
    from django.core.cache import cache

    cache.clear()
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"write": "3/minute", "token": "2/minute"},
    }
    body = {"username": "nobody", "password": "x"}
    statuses = [
        client.post(f"{V1}/auth/token/", body, content_type="application/json").status_code
        for _ in range(3)
    ]
    assert statuses == [400, 400, 429]
    writer = token_client(api_world.users["holder"])
    path = f"{V1}/budget-holders/{api_world.mine.pk}/"
    writes = [writer.patch(path, {"first_name": "A"}, format="json").status_code for _ in range(4)]
    assert writes == [200, 200, 200, 429]
    limited = writer.patch(path, {"first_name": "A"}, format="json")
    assert int(limited["Retry-After"]) > 0
    assert writer.get(path).status_code == 200  # reads are not throttled
    cache.clear()
