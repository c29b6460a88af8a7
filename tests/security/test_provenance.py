"""Issue 14, finding 11: decisions of others recorded as facts.

The funder approves agreement versions (in the PGB Portaal) and the SVB pays or rejects
declarations; pgb-admin cannot receive either, so whoever acts for the holder types them in.
Each record must say who recorded it (the user and their role towards the holder, worked out
by the server) and on what evidence (a required reference); every reader (the API, the
agreement and declaration pages an auditor follows, evidence packs, the municipal report)
shows it as recorded, and rows from before show "provenance not recorded".
"""

import io
import json
import zipfile
from datetime import date

from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

import pytest

from contracts import services as contract_services
from contracts.constants import ApprovalStatus
from declarations.services import declarations as declaration_services
from pgb_admin.audit.provenance import EVIDENCE_MAX_LENGTH

from ..api import conftest as api_conftest
from ..api.conftest import token_client
from ..two_factor import verified_login

# the API's test world (personas, an exported month in a batch), built once for this module
shared_api_world = api_conftest.shared_api_world
api_world = api_conftest.api_world

V1 = "/api/v1"
PORTAL = "PGB Portaal, bericht van 20 november 2026"
SVB = "PGB Portaal, betaaloverzicht van 21 november 2026"


def _post(client, path: str, body: dict):
    return client.generic("POST", path, data=json.dumps(body), content_type="application/json")


def _approval_path(world) -> str:
    agreement = world.mine_wmo_agreement
    return f"{V1}/agreements/{agreement.pk}/versions/{agreement.versions.get().pk}/approval/"


def _settle_path(world) -> str:
    return f"{V1}/declarations/{world.exported.pk}/settle/"


def _field_errors(response) -> dict[str, str]:
    return {error["name"]: error["code"] for error in response.json()["invalid_params"]}


def _page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def _browser(world, persona: str) -> Client:
    return verified_login(Client(HTTP_ACCEPT_LANGUAGE="nl"), world.users[persona])


def _pack(client, declaration) -> zipfile.ZipFile:
    response = client.get(reverse("reports:evidence_pack", args=[declaration.pk]))
    assert response.status_code == 200
    return zipfile.ZipFile(io.BytesIO(response.content))


# --- recording needs evidence ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("evidence", "code"),
    [(None, "required"), ("   ", "blank"), ("x" * (EVIDENCE_MAX_LENGTH + 1), "max_length")],
)
def test_an_approval_without_evidence_is_a_400_field_error(api_world, evidence, code):
    body = {"status": "approved", "decided_on": "2026-11-20"}
    if evidence is not None:
        body["evidence"] = evidence
    version = api_world.mine_wmo_agreement.versions.get()
    version.approval_status = ApprovalStatus.PENDING
    version.save()

    response = _post(token_client(api_world.users["holder"]), _approval_path(api_world), body)

    assert response.status_code == 400
    assert _field_errors(response) == {"evidence": code}
    version.refresh_from_db()
    assert version.approval_status == ApprovalStatus.PENDING


@pytest.mark.parametrize("evidence", [None, "  "])
def test_a_payment_or_rejection_without_evidence_is_a_400_field_error(api_world, evidence):
    body = {"paid": False, "rejection_reason": "tarief wijkt af"}
    if evidence is not None:
        body["evidence"] = evidence

    response = _post(token_client(api_world.users["holder"]), _settle_path(api_world), body)

    assert response.status_code == 400
    assert "evidence" in _field_errors(response)
    api_world.exported.refresh_from_db()
    assert api_world.exported.status == "exported"


def test_the_services_refuse_a_blank_reference(api_world):
    holder = api_world.users["holder"]
    with pytest.raises(ValidationError) as approval:
        contract_services.agreement_record_approval(
            actor=holder,
            version_id=api_world.mine_wmo_agreement.versions.get().pk,
            status=ApprovalStatus.APPROVED,
            decided_on=date(2026, 11, 20),
            evidence=" ",
        )
    assert approval.value.error_dict["evidence"][0].code == "evidence_required"
    with pytest.raises(ValidationError) as settlement:
        declaration_services.declaration_settle(
            actor=holder, declaration_id=api_world.exported.pk, paid=True, evidence=""
        )
    assert settlement.value.error_dict["evidence"][0].code == "evidence_required"


def test_the_role_is_never_taken_from_the_input(api_world):
    body = {
        "status": "approved",
        "decided_on": "2026-11-20",
        "evidence": PORTAL,
        "role": "staff",
        "recorded_by": "staff",
    }
    response = _post(token_client(api_world.users["holder"]), _approval_path(api_world), body)
    assert response.status_code == 400
    assert set(_field_errors(response)) == {"role", "recorded_by"}


# --- who recorded it, as what, on what evidence -------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "role"),
    [
        ("holder", "holder"),
        ("representative", "representative"),
        ("bureau", "bureau"),
        ("staff", "staff"),
    ],
)
def test_an_approval_keeps_who_recorded_it_and_their_role(api_world, persona, role):
    body = {"status": "approved", "decided_on": "2026-11-20", "evidence": f"  {PORTAL} "}

    response = _post(token_client(api_world.users[persona]), _approval_path(api_world), body)

    assert response.status_code == 200
    version = api_world.mine_wmo_agreement.versions.get()
    assert version.approval_recorded_by == api_world.users[persona]
    assert version.approval_recorded_role == role
    assert version.approval_evidence == PORTAL
    assert version.approval_recorded_at is not None
    (shown,) = response.json()["versions"]
    provenance = shown["approval_provenance"]
    assert provenance["source"] == "recorded"
    assert provenance["kept"] is True
    assert (provenance["recorded_by"], provenance["role"]) == (persona, role)
    assert provenance["evidence"] == PORTAL
    assert provenance["summary"].startswith(f"Recorded by {persona} (")
    assert PORTAL in provenance["summary"]


def test_a_rejection_by_the_svb_keeps_who_recorded_it(api_world):
    body = {"paid": False, "rejection_reason": "tarief wijkt af", "evidence": SVB}

    response = _post(token_client(api_world.users["holder"]), _settle_path(api_world), body)

    assert response.status_code == 200
    answer = response.json()
    assert answer["status"] == "rejected"
    provenance = answer["settlement_provenance"]
    assert (provenance["recorded_by"], provenance["role"]) == ("holder", "holder")
    assert provenance["evidence"] == SVB
    assert provenance["summary"].startswith("Recorded by holder (budget holder) on ")
    # the auditor reads the same through the API
    seen = token_client(api_world.users["auditor_same"]).get(
        f"{V1}/declarations/{api_world.exported.pk}/"
    )
    assert seen.json()["settlement_provenance"]["role"] == "holder"


def test_rows_recorded_before_provenance_was_kept_say_so(api_world):
    # the world's versions were approved as the rows before this change are: no provenance
    response = token_client(api_world.users["auditor_same"]).get(
        f"{V1}/agreements/{api_world.mine_wmo_agreement.pk}/"
    )
    (version,) = response.json()["versions"]
    assert version["approval_status"] == "approved"
    provenance = version["approval_provenance"]
    assert provenance["kept"] is False
    assert (provenance["recorded_by"], provenance["role"], provenance["evidence"]) == (None, "", "")
    assert provenance["summary"].startswith("Recorded before provenance was kept")
    unsettled = token_client(api_world.users["auditor_same"]).get(
        f"{V1}/declarations/{api_world.exported.pk}/"
    )
    assert unsettled.json()["settlement_provenance"] is None
    page = _page(
        _browser(api_world, "auditor_same"),
        reverse("contracts:agreement", args=[api_world.mine_wmo_agreement.pk]),
    )
    assert "herkomst niet vastgelegd" in page


# --- what the auditor sees ---------------------------------------------------------------------


def _record_both(world):
    holder = world.users["holder"]
    contract_services.agreement_record_approval(
        actor=holder,
        version_id=world.mine_wmo_agreement.versions.get().pk,
        status=ApprovalStatus.APPROVED,
        decided_on=date(2026, 11, 20),
        evidence=PORTAL,
    )
    declaration_services.declaration_settle(
        actor=holder,
        declaration_id=world.exported.pk,
        paid=False,
        rejection_reason="dubbel gedeclareerd",
        evidence=SVB,
    )


def test_the_auditors_pages_show_the_decisions_as_recorded_by_the_holder(api_world):
    _record_both(api_world)
    auditor = _browser(api_world, "auditor_same")

    agreement = _page(
        auditor, reverse("contracts:agreement", args=[api_world.mine_wmo_agreement.pk])
    )
    assert "Vastgelegd door holder (budgethouder) op 23 november 2026" in agreement
    assert PORTAL in agreement
    assert "pgb-admin ontvangt de besluiten van de financier niet" in agreement

    declaration = _page(auditor, reverse("declarations:detail", args=[api_world.exported.pk]))
    assert "De uitkomst (uw registratie)" in declaration
    assert "dubbel gedeclareerd" in declaration
    assert "Vastgelegd door holder (budgethouder) op 23 november 2026" in declaration
    assert SVB in declaration


def test_the_evidence_pack_shows_who_recorded_each_decision(api_world):
    _record_both(api_world)
    archive = _pack(_browser(api_world, "auditor_same"), api_world.exported)

    manifest = json.loads(archive.read("manifest.json"))
    decisions = {d["decision"]: d for d in manifest["recorded_decisions"]}
    assert set(decisions) == {"approval", "svb_answer"}
    for decision in decisions.values():
        assert decision["source"] == "recorded"
        assert (decision["recorded_by"], decision["role"]) == ("holder", "holder")
    assert decisions["approval"]["evidence"] == PORTAL
    assert decisions["approval"]["status"] == "approved"
    assert decisions["svb_answer"]["evidence"] == SVB
    assert decisions["svb_answer"]["status"] == "rejected"

    declaration = json.loads(archive.read("declaration.json"))["declaration"]
    assert declaration["settlement_provenance"]["role"] == "holder"
    assert declaration["settlement_provenance"]["evidence"] == SVB
    (version,) = json.loads(archive.read("agreement_versions.json"))
    assert version["approval_provenance"]["evidence"] == PORTAL
    assert "budgethouder" in version["approval_provenance"]["summary"]


def test_the_municipal_report_says_paid_is_as_recorded(api_world):
    page = _page(
        _browser(api_world, "auditor_same"),
        f"{reverse('reports:municipality', args=['GM0518'])}?year=2026",
    )
    assert "nog niet vergeleken met de cijfers van de SVB" in page


# --- the web form --------------------------------------------------------------------------------


def test_the_approval_form_requires_evidence_and_records_the_role(api_world):
    version = api_world.mine_wmo_agreement.versions.get()
    url = reverse("contracts:agreement", args=[api_world.mine_wmo_agreement.pk])
    data = {
        "action": "approval",
        "approval-version": version.pk,
        "approval-status": ApprovalStatus.REJECTED,
        "approval-decided_on": "2026-11-20",
    }
    browser = _browser(api_world, "representative")
    refused = browser.post(url, data)
    assert refused.status_code == 200
    assert refused.context["approval_form"].errors["evidence"]
    version.refresh_from_db()
    assert version.approval_status == ApprovalStatus.APPROVED

    assert browser.post(url, {**data, "approval-evidence": PORTAL}).status_code == 302
    version.refresh_from_db()
    assert version.approval_status == ApprovalStatus.REJECTED
    assert (version.approval_recorded_role, version.approval_evidence) == (
        "representative",
        PORTAL,
    )
