"""Issue 14, findings 2 and 3: the BSN lookup and holder registration were oracles.

- The lookup (POST /api/v1/budget-holders/lookup/) told anyone who may see a holder whether a
  BSN was theirs (a read-only family member recovered a full BSN from its masked ending), was
  limited only by the write rate and was not in the access log. Now it is for those who see
  full BSNs (holder, representative, bureau), searches only the holders whose full BSN they see,
  has its own rate per user and logs every attempt.
- Registering a holder answered 409 for a BSN registered outside the user's scope (also a BSN
  change through PATCH), and let anyone choose the bureau role and link any funder. Now such a
  registration is answered as for a new BSN, by a held copy for the back office to resolve; the
  BSN is changed by staff only; ``bureau`` needs a bureau mandate and ``funders`` staff.
"""

import io
import json
from datetime import date, timedelta
from decimal import Decimal

from django.contrib import admin
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.test import override_settings
from django.urls import reverse

import pytest
from cryptography.fernet import Fernet

from pgb_admin.accounts.constants import MandateRole
from pgb_admin.accounts.models import Mandate
from pgb_admin.audit.models import AccessEvent, Action, Outcome
from pgb_admin.budgets import services
from pgb_admin.budgets.constants import Scheme
from pgb_admin.budgets.models import Budget, BudgetHolder
from pgb_admin.budgets.selectors import HOLDER_LOOKUP
from reports.selectors import municipality_report

from ..api.conftest import token_client
from ..conftest import TODAY
from ..factories import BudgetHolderFactory, MandateFactory, bsn_from

V1 = "/api/v1"
LOOKUP = f"{V1}/budget-holders/lookup/"
HOLDERS = f"{V1}/budget-holders/"


def _post(client, path, body):
    return client.generic("POST", path, data=json.dumps(body), content_type="application/json")


def _lookup(client, bsn):
    return _post(client, LOOKUP, {"bsn": bsn})


def _lookups(user) -> list[tuple]:
    """The access log's rows of the user's lookups: (action, holder, object, outcome)."""
    return list(
        AccessEvent.objects.filter(user_pk=user.pk, what=HOLDER_LOOKUP)
        .order_by("pk")
        .values_list("action", "holder_pk", "object_pk", "outcome")
    )


def _same_ending_candidates(bsn: str, count: int) -> list[str]:
    """11-proef numbers ending like ``bsn`` (what a masked *****1234 leaves to guess)."""
    found = []
    head = 10_000
    while len(found) < count:
        number = f"{head:05d}{bsn[-4:]}"
        weights = [9, 8, 7, 6, 5, 4, 3, 2, -1]
        if sum(int(d) * w for d, w in zip(number, weights, strict=True)) % 11 == 0:
            found.append(number)
        head += 1
    return found


def _new_holder(**overrides) -> dict:
    return {
        "role": "representative",
        "initials": "N.",
        "surname": "Nieuw",
        "bsn": bsn_from(61_000_000),
        "date_of_birth": "2012-03-04",
        **overrides,
    }


def _grant_from(holder, funder, actor, reference="BESCHIKKING-KOPIE-1"):
    from pgb_admin.budgets.models import CareProduct

    return services.budget_create(
        actor=actor,
        holder_id=holder.pk,
        funder=funder,
        scheme=Scheme.WMO,
        products=[CareProduct.objects.get(code="begeleiding_individueel")],
        start_date=date(2026, 1, 1),
        end_date=date(2026, 12, 31),
        amount=Decimal("5000.00"),
        decision_date=date(2025, 12, 1),
        decision_reference=reference,
    )


# --- finding 2: the lookup --------------------------------------------------------------------


def test_a_family_member_cannot_recover_a_masked_bsn_through_the_lookup(world):
    """The tester's attack: try every 11-proef number with the visible ending. Before the fix
    one of them answered 200; now every try is refused alike, and each is logged."""
    family = world.users["family"]
    client = token_client(family)
    shown = client.get(f"{HOLDERS}{world.mine.pk}/").json()["bsn"]
    assert shown == "*****" + world.mine.bsn[-4:]
    tries = [*_same_ending_candidates(world.mine.bsn, 5), world.mine.bsn]
    answers = [_lookup(client, bsn) for bsn in tries]
    assert {response.status_code for response in answers} == {403}
    assert {response.json()["code"] for response in answers} == {"permission_denied"}
    assert _lookups(family) == [(Action.SEARCH, None, "", Outcome.REFUSED)] * len(tries)


@pytest.mark.parametrize(
    "persona", ["auditor_same", "auditor_other", "staff", "expired", "stranger"]
)
def test_who_sees_no_full_bsn_is_refused_the_lookup_with_a_reason(world, persona):
    user = world.users[persona]
    response = _lookup(token_client(user), world.mine.bsn)
    assert response.status_code == 403
    assert "act for a holder" in response.json()["detail"]
    assert _lookups(user) == [(Action.SEARCH, None, "", Outcome.REFUSED)]


def test_the_lookup_searches_only_holders_whose_full_bsn_the_user_sees(world):
    """A representative of one holder who is read-only family of another finds the first and
    not the second: a hit never tells more than the user sees already."""
    user = world.users["stranger"]
    own = BudgetHolderFactory(surname="Eigen")
    MandateFactory(user=user, holder=own, role=MandateRole.REPRESENTATIVE)
    MandateFactory(user=user, holder=world.mine, role=MandateRole.FAMILY_READONLY)
    client = token_client(user)
    found = _lookup(client, own.bsn)
    assert (found.status_code, found.json()["id"], found.json()["bsn"]) == (200, own.pk, own.bsn)
    assert _lookup(client, world.mine.bsn).status_code == 404  # 200 before the fix
    assert _lookup(client, world.theirs.bsn).status_code == 404
    assert _lookups(user) == [
        (Action.SEARCH, own.pk, str(own.pk), Outcome.OK),
        (Action.SEARCH, None, "", Outcome.NOT_FOUND),
        (Action.SEARCH, None, "", Outcome.NOT_FOUND),
    ]


@pytest.mark.parametrize("persona", ["holder", "representative", "bureau"])
def test_every_lookup_of_those_who_act_is_logged_holders_too(world, persona):
    user = world.users[persona]
    client = token_client(user)
    assert _lookup(client, world.mine.bsn).status_code == 200
    assert _lookup(client, bsn_from(71_234_567)).status_code == 404
    assert _post(client, LOOKUP, {}).status_code == 400
    assert _lookups(user) == [
        (Action.SEARCH, world.mine.pk, str(world.mine.pk), Outcome.OK),
        (Action.SEARCH, None, "", Outcome.NOT_FOUND),
        (Action.SEARCH, None, "", Outcome.REFUSED),
    ]
    hit = AccessEvent.objects.filter(user_pk=user.pk, holder_pk=world.mine.pk).get()
    assert hit.role == {"holder": "holder", "representative": "representative"}.get(
        persona, "bureau"
    )


def test_the_bsn_never_goes_into_the_access_log(world):
    for persona in ("holder", "family", "auditor_same"):
        _lookup(token_client(world.users[persona]), world.mine.bsn)
        _lookup(token_client(world.users[persona]), world.theirs.bsn)
    rows = AccessEvent.objects.filter(what=HOLDER_LOOKUP)
    assert rows.count() == 6
    text = json.dumps(list(rows.values()), default=str)
    assert world.mine.bsn not in text
    assert world.theirs.bsn not in text


def _rates(settings, **rates):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {
            **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
            **rates,
        },
    }


def test_the_lookup_has_its_own_rate_per_user_and_a_throttled_try_is_logged(world, settings):
    cache.clear()
    _rates(settings, lookup="3/hour")
    holder, bureau = world.users["holder"], world.users["bureau"]
    client = token_client(holder)
    statuses = [_lookup(client, world.mine.bsn).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]  # the write rate (100000/minute) let all through
    limited = _lookup(client, world.mine.bsn)
    assert (limited.status_code, int(limited["Retry-After"]) > 0) == (429, True)
    assert _lookups(holder)[3:] == [(Action.SEARCH, None, "", Outcome.REFUSED)] * 2
    # per user: another user still looks up, and other writes of the same user go on
    assert _lookup(token_client(bureau), world.mine.bsn).status_code == 200
    patch = client.patch(f"{HOLDERS}{world.mine.pk}/", {"first_name": "A"}, format="json")
    assert patch.status_code == 200
    cache.clear()


def test_the_lookup_rate_is_a_setting():
    from pgb_admin.api.throttling import LookupRateThrottle

    with override_settings(
        REST_FRAMEWORK={"DEFAULT_THROTTLE_RATES": {"lookup": "7/hour"}},
    ):
        assert LookupRateThrottle().get_rate() == "7/hour"


# --- finding 3: registering and changing a holder ----------------------------------------------


def _shape(body: dict) -> dict:
    """What a registration answers, without the values that differ per holder."""
    ignored = {"id", "bsn", "bsn_masked", "surname", "display_name", "created_at", "updated_at"}
    return {key: value for key, value in body.items() if key not in ignored}


@pytest.mark.parametrize("persona", ["stranger", "expired", "family", "bureau"])
def test_a_bsn_registered_out_of_scope_is_answered_as_a_new_one(world, persona):
    """Before the fix: 409 "a holder with this BSN exists". Now 201 with the same body as for a
    new BSN, and the new holder is a held copy the user works with like any new holder."""
    user = world.users[persona]
    client = token_client(user)
    taken = world.theirs if persona == "bureau" else world.mine  # a holder they don't act for
    mandates_before = set(taken.mandates.values_list("pk", flat=True))
    fresh = _post(client, HOLDERS, _new_holder(bsn=bsn_from(62_000_000)))
    copied = _post(client, HOLDERS, _new_holder(bsn=taken.bsn, surname="Kopie"))
    assert (fresh.status_code, copied.status_code) == (201, 201)
    assert sorted(copied.json()) == sorted(fresh.json())
    assert _shape(copied.json()) == _shape(fresh.json())
    assert (copied.json()["bsn"], copied.json()["bsn_masked"]) == (taken.bsn, False)

    copy = BudgetHolder.objects.get(pk=copied.json()["id"])
    assert copy.duplicate_of == taken
    assert not BudgetHolder.objects.get(pk=fresh.json()["id"]).is_held_copy
    # the user works with it as with the new one: it is theirs to read, change and look up
    assert client.get(f"{HOLDERS}{copy.pk}/").status_code == 200
    assert (
        client.patch(f"{HOLDERS}{copy.pk}/", {"first_name": "K"}, format="json").status_code == 200
    )
    assert _lookup(client, taken.bsn).json()["id"] == copy.pk
    # and registering either BSN again is a duplicate, alike
    again_fresh = _post(client, HOLDERS, _new_holder(bsn=bsn_from(62_000_000)))
    again_copied = _post(client, HOLDERS, _new_holder(bsn=taken.bsn))
    assert (again_fresh.status_code, again_copied.status_code) == (409, 409)
    assert again_fresh.json()["invalid_params"] == again_copied.json()["invalid_params"]
    # the registered holder is as it was
    taken.refresh_from_db()
    assert taken.surname != "Kopie"
    assert set(taken.mandates.values_list("pk", flat=True)) == mandates_before


@pytest.mark.parametrize("persona", ["holder", "representative", "bureau", "staff"])
def test_a_bsn_the_user_sees_in_full_is_still_a_duplicate(world, persona):
    """No leak: they see that holder's full BSN already (staff see every holder)."""
    response = _post(token_client(world.users[persona]), HOLDERS, _new_holder(bsn=world.mine.bsn))
    assert (response.status_code, response.json()["code"]) == (409, "duplicate")
    assert BudgetHolder.objects.with_bsn(world.mine.bsn).count() == 1


def test_the_copy_may_repeat_the_svb_client_number_of_the_registered_holder(world):
    world.theirs.svb_client_number = "31234567"
    world.theirs.save()
    body = _new_holder(bsn=world.theirs.bsn, svb_client_number="31234567")
    response = _post(token_client(world.users["stranger"]), HOLDERS, body)
    assert response.status_code == 201
    assert BudgetHolder.objects.filter(svb_client_number="31234567").count() == 2


def test_held_copies_are_in_no_auditors_scope(world):
    """Data of the registrar's making does not reach the funder's auditors, even with a grant
    of their funder."""
    stranger = world.users["stranger"]
    copy = services.holder_create(
        actor=stranger,
        role="representative",
        initials="K.",
        surname="Kopie",
        bsn=world.theirs.bsn,
        date_of_birth=date(2000, 1, 1),
    )
    grant = _grant_from(copy, world.assen, stranger)
    assert copy.is_held_copy
    assert list(copy.funders.all()) == [world.assen]
    auditor = world.users["auditor_other"]
    assert set(BudgetHolder.objects.visible_to(auditor)) == {world.theirs}
    assert not Budget.objects.visible_to(auditor).filter(pk=grant.pk).exists()
    assert not Budget.objects.of_registered_holders().filter(pk=grant.pk).exists()
    client = token_client(auditor)
    assert client.get(f"{HOLDERS}{copy.pk}/").status_code == 404
    assert {row["id"] for row in client.get(HOLDERS).json()["results"]} == {world.theirs.pk}
    # while the registered holder's grant stays in scope
    assert Budget.objects.visible_to(auditor).filter(pk=world.theirs_budget.pk).exists()
    # and the copy's grant counts in no municipal report
    report = municipality_report(user=auditor, code="GM0106", year=2026).as_dict()
    assert report["totals"]["grants"] == 1
    assert Decimal(report["totals"]["granted"]) == world.theirs_budget.amount


def test_the_expired_users_bureau_registration_with_a_funder_is_refused(world):
    """The tester's request: a user whose mandate ended registered a holder as a bureau with
    Assen as funder (201), putting data of their making in Assen's audit scope."""
    client = token_client(world.users["expired"])
    body = _new_holder(role="bureau", funders=["GM0106"])
    response = _post(client, HOLDERS, body)
    assert response.status_code == 400
    assert {p["name"]: p["code"] for p in response.json()["invalid_params"]} == {
        "role": "bureau_role_not_allowed",
        "funders": "funders_from_grants",
    }
    assert not BudgetHolder.objects.filter(surname="Nieuw").exists()
    assert _post(client, HOLDERS, _new_holder()).status_code == 201  # as a representative


def test_a_bureau_registers_new_clients_as_a_bureau(world):
    response = _post(token_client(world.users["bureau"]), HOLDERS, _new_holder(role="bureau"))
    assert response.status_code == 201
    mandate = Mandate.objects.get(holder_id=response.json()["id"])
    assert (mandate.user, mandate.role) == (world.users["bureau"], MandateRole.BUREAU)


@pytest.mark.parametrize("persona", ["holder", "representative", "family", "stranger"])
def test_only_a_bureau_chooses_the_bureau_role(world, persona):
    response = _post(token_client(world.users[persona]), HOLDERS, _new_holder(role="bureau"))
    assert response.status_code == 400
    assert [p["name"] for p in response.json()["invalid_params"]] == ["role"]


def test_an_ended_bureau_mandate_no_longer_allows_the_bureau_role(world):
    user = world.users["stranger"]
    MandateFactory(
        user=user,
        holder=world.theirs,
        role=MandateRole.BUREAU,
        valid_from=TODAY - timedelta(days=100),
        valid_to=TODAY - timedelta(days=1),
    )
    response = _post(token_client(user), HOLDERS, _new_holder(role="bureau"))
    assert response.status_code == 400


def test_funders_follow_from_grants_and_only_staff_set_them(world):
    refused = _post(token_client(world.users["bureau"]), HOLDERS, _new_holder(funders=["GM0518"]))
    assert refused.status_code == 400
    assert "grants" in refused.json()["invalid_params"][0]["reason"]
    staff = _post(token_client(world.users["staff"]), HOLDERS, _new_holder(funders=["GM0518"]))
    assert (staff.status_code, staff.json()["funders"]) == (201, ["GM0518"])
    # for anyone else the grant brings its funder
    holder = services.holder_create(
        actor=world.users["stranger"],
        role="holder",
        initials="Z.",
        surname="Zelf",
        bsn=bsn_from(63_000_000),
        date_of_birth=date(1990, 1, 1),
    )
    _grant_from(holder, world.the_hague, world.users["stranger"])
    assert list(holder.funders.values_list("code", flat=True)) == ["GM0518"]


@pytest.mark.parametrize("persona", ["holder", "representative", "bureau"])
def test_the_bsn_is_changed_by_the_back_office_only(world, persona):
    """Before the fix PATCH {"bsn": …} answered 409 for a BSN registered anywhere."""
    client = token_client(world.users[persona])
    path = f"{HOLDERS}{world.mine.pk}/"
    answers = [
        client.patch(path, {"bsn": bsn}, format="json")
        for bsn in (world.theirs.bsn, bsn_from(64_000_000))
    ]
    assert [response.status_code for response in answers] == [400, 400]
    assert answers[0].json()["invalid_params"] == answers[1].json()["invalid_params"]
    assert answers[0].json()["invalid_params"][0]["code"] == "bsn_change_by_back_office"
    # sending the BSN it has changes nothing and is fine
    same = client.patch(path, {"bsn": world.mine.bsn, "first_name": "Anna"}, format="json")
    assert same.status_code == 200
    world.mine.refresh_from_db()
    assert world.mine.first_name == "Anna"


def test_staff_change_a_bsn_and_are_told_of_a_duplicate(world):
    client = token_client(world.users["staff"])
    path = f"{HOLDERS}{world.mine.pk}/"
    assert client.patch(path, {"bsn": world.theirs.bsn}, format="json").status_code == 409
    assert client.patch(path, {"bsn": bsn_from(64_000_000)}, format="json").status_code == 200
    assert BudgetHolder.objects.with_bsn(bsn_from(64_000_000)).get() == world.mine


# --- the back office resolves held copies -------------------------------------------------------


def _copy_of(holder, user, **extra) -> BudgetHolder:
    return services.holder_create(
        actor=user,
        role="representative",
        initials="K.",
        surname="Kopie",
        bsn=holder.bsn,
        date_of_birth=date(2000, 1, 1),
        **extra,
    )


def _act(admin_client, action: str, *holders):
    return admin_client.post(
        reverse("admin:budgets_budgetholder_changelist"),
        {"action": action, admin.helpers.ACTION_CHECKBOX_NAME: [h.pk for h in holders]},
        follow=True,
    )


def test_the_admin_lists_held_copies_awaiting_review_with_the_registered_holder(
    admin_client, world
):
    copy = _copy_of(world.theirs, world.users["stranger"])
    url = reverse("admin:budgets_budgetholder_changelist")
    page = admin_client.get(url, {"held_copy": "yes"})
    assert list(page.context["cl"].queryset) == [copy]
    assert str(world.theirs) in page.content.decode()
    assert world.theirs.bsn not in page.content.decode()
    registered = admin_client.get(url, {"held_copy": "no"}).context["cl"].queryset
    assert copy not in registered
    assert world.theirs in registered


def test_merging_gives_the_user_a_mandate_for_the_registered_holder(admin_client, world):
    stranger = world.users["stranger"]
    copy = _copy_of(world.theirs, stranger)
    response = _act(admin_client, "merge_held_copies", copy)
    assert response.status_code == 200
    assert not BudgetHolder.objects.filter(pk=copy.pk).exists()
    mandate = Mandate.objects.get(user=stranger, holder=world.theirs)
    assert (mandate.role, mandate.valid_from) == (MandateRole.REPRESENTATIVE, TODAY)
    assert _lookup(token_client(stranger), world.theirs.bsn).json()["id"] == world.theirs.pk
    logged = AccessEvent.objects.get(what="held_copy_merged")
    assert (logged.holder_pk, logged.object_pk, logged.action) == (
        world.theirs.pk,
        str(copy.pk),
        Action.DELETE,
    )


def test_rejecting_removes_the_copy_and_the_access_to_it(admin_client, world):
    stranger = world.users["stranger"]
    copy = _copy_of(world.theirs, stranger)
    _act(admin_client, "reject_held_copies", copy)
    assert not BudgetHolder.objects.filter(pk=copy.pk).exists()
    assert not Mandate.objects.filter(user=stranger).exists()
    assert _lookup(token_client(stranger), world.theirs.bsn).status_code == 403
    logged = AccessEvent.objects.get(what="held_copy_rejected")
    assert (logged.holder_pk, logged.object_pk) == (world.theirs.pk, str(copy.pk))


def test_a_copy_with_data_of_its_own_is_not_resolved(admin_client, world):
    stranger = world.users["stranger"]
    copy = _copy_of(world.theirs, stranger)
    _grant_from(copy, world.assen, stranger)
    for action in ("merge_held_copies", "reject_held_copies"):
        response = _act(admin_client, action, copy)
        text = " ".join(str(m) for m in response.context["messages"])
        assert "budget grants" in text or "toekenningen" in text
    assert BudgetHolder.objects.filter(pk=copy.pk).exists()
    assert not Mandate.objects.filter(user=stranger, holder=world.theirs).exists()


def test_only_staff_resolve_and_only_held_copies(world):
    copy = _copy_of(world.theirs, world.users["stranger"])
    with pytest.raises(PermissionDenied):
        services.held_copy_merge(actor=world.users["stranger"], copy_id=copy.pk)
    with pytest.raises(ValidationError) as not_a_copy:
        services.held_copy_reject(actor=world.users["staff"], copy_id=world.theirs.pk)
    assert not_a_copy.value.code == "not_a_held_copy"


# --- two rows of one BSN: lookups, the database, key rotation -----------------------------------


def test_with_bsn_finds_the_holder_and_its_copies(world):
    copy = _copy_of(world.theirs, world.users["stranger"])
    assert set(BudgetHolder.objects.with_bsn(world.theirs.bsn)) == {world.theirs, copy}
    assert list(BudgetHolder.objects.registered().with_bsn(world.theirs.bsn)) == [world.theirs]
    assert list(BudgetHolder.objects.held_copies()) == [copy]


def test_the_database_still_refuses_two_registered_holders_with_one_bsn(world):
    copy = _copy_of(world.theirs, world.users["stranger"])
    twin = BudgetHolder(
        initials="T.", surname="Wee", bsn=world.theirs.bsn, date_of_birth=date(2000, 1, 1)
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        BudgetHolder.objects.bulk_create([twin])
    with pytest.raises(IntegrityError), transaction.atomic():
        BudgetHolder.objects.filter(pk=copy.pk).update(duplicate_of=None)


def test_key_rotation_handles_a_holder_and_its_copy(world, settings):
    copy = _copy_of(world.theirs, world.users["stranger"])
    new_key = Fernet.generate_key().decode()
    new_hash_key = "a-new-hash-key-of-at-least-thirty-two-characters!"
    with override_settings(
        BSN_ENCRYPTION_KEYS=[new_key, *settings.BSN_ENCRYPTION_KEYS],
        BSN_HASH_KEY=new_hash_key,
        BSN_HASH_KEY_FALLBACKS=[settings.BSN_HASH_KEY],
    ):
        call_command("rotate_bsn_keys", batch_size=1, stdout=io.StringIO())
    with override_settings(BSN_ENCRYPTION_KEYS=[new_key], BSN_HASH_KEY=new_hash_key):
        assert set(BudgetHolder.objects.with_bsn(world.theirs.bsn)) == {world.theirs, copy}
        assert BudgetHolder.objects.get(pk=copy.pk).bsn == world.theirs.bsn


def test_a_held_copys_providers_agreements_and_hours_are_in_no_auditors_scope(world):
    from contracts.models import AgreementVersion, CareAgreement, HolderProvider, Provider
    from declarations.models import TimeEntry

    from ..factories import (
        AgreementVersionFactory,
        CareAgreementFactory,
        HolderProviderFactory,
        ProviderFactory,
    )

    stranger = world.users["stranger"]
    copy = _copy_of(world.theirs, stranger)
    grant = _grant_from(copy, world.assen, stranger)
    provider = ProviderFactory()
    link = HolderProviderFactory(holder=copy, provider=provider)
    agreement = CareAgreementFactory(holder=copy, provider=provider)
    version = AgreementVersionFactory(
        agreement=agreement, budget=grant, product=grant.products.first()
    )
    entry = TimeEntry.objects.create(
        agreement=agreement, care_date=date(2026, 3, 2), quantity=Decimal("2.00")
    )
    auditor = world.users["auditor_other"]
    for model, row in (
        (Provider, provider),
        (HolderProvider, link),
        (CareAgreement, agreement),
        (AgreementVersion, version),
        (TimeEntry, entry),
    ):
        assert model.objects.visible_to(stranger).filter(pk=row.pk).exists(), model
        assert not model.objects.visible_to(auditor).filter(pk=row.pk).exists(), model
    # the registered holder's own agreement stays in the auditor's scope
    assert CareAgreement.objects.visible_to(auditor).filter(pk=world.theirs_agreement.pk).exists()
