"""Care providers as users (issue 19): invitations, the provider's scope, staged months and the
holder's review. Nothing a provider enters counts before the holder approves it."""

from datetime import date, timedelta
from decimal import Decimal

from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

import pytest

from contracts.constants import ProviderKind
from contracts.invitations import (
    invitation_accept,
    invitation_accept_new_login,
    invitation_create,
    invitation_revoke,
)
from contracts.models import AgreementVersion, CareAgreement, Provider, ProviderInvitation
from declarations.constants import ProviderMonthStatus
from declarations.models import Declaration, Expense, ProviderMonth, TimeEntry
from declarations.selectors.provider_months import months_waiting_for_review, provider_holders
from declarations.services import provider_months as services
from pgb_admin.accounts.models import Mandate, ProviderAccess
from pgb_admin.accounts.scoping import is_provider
from pgb_admin.accounts.two_factor import requires_two_factor
from pgb_admin.budgets.models import Budget, BudgetHolder
from pgb_admin.core.errors import Conflict, NotFound

from ..factories import (
    AgreementVersionFactory,
    CareAgreementFactory,
    HolderProviderFactory,
    ProviderFactory,
    UserFactory,
)

OCTOBER = date(2026, 10, 1)


def _invite(world, agreement=None, actor="holder"):
    tokens: list[str] = []

    def link_for(token: str) -> str:
        tokens.append(token)
        return f"https://example.test/invitation/{token}/"

    invitation = invitation_create(
        actor=world.users[actor],
        agreement_id=(agreement or world.mine_wmo_agreement).pk,
        email="zorg@example.test",
        link_for=link_for,
    )
    return invitation, tokens[0]


def _provider_user(world, agreement=None, username="zorgverlener"):
    _invitation, token = _invite(world, agreement)
    user, _access = invitation_accept_new_login(
        token=token, username=username, password="een lang wachtwoord 2026!"
    )
    return user


def _submitted_month(world, user, agreement=None):
    agreement = agreement or world.mine_wmo_agreement
    found = services.provider_month_get_or_create(
        actor=user, agreement_id=agreement.pk, month=OCTOBER
    )
    services.provider_month_save(
        actor=user,
        month_id=found.pk,
        hours=[
            {"care_date": date(2026, 10, 5), "quantity": "4"},
            {"care_date": date(2026, 10, 6), "quantity": "3,5", "note": "middag"},
        ],
        costs=[{"expense_date": date(2026, 10, 6), "kind": "other", "amount": "12,50"}],
    )
    return services.provider_month_submit(actor=user, month_id=found.pk)


# --- invitations -------------------------------------------------------------------------------


def test_an_invitation_is_stored_hashed_and_mailed_without_the_bsn(
    world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invitation, token = _invite(world)
    assert token not in invitation.token_hash
    assert len(invitation.token_hash) == 64
    assert invitation.expires_at.date() == timezone.localdate() + timedelta(days=14)
    (message,) = mail.outbox
    assert token in message.body
    assert world.mine.bsn not in message.body
    assert world.mine.bsn not in message.subject


def test_a_read_only_family_member_cannot_invite(world):
    from pgb_admin.accounts.scoping import ReadOnlyAccess

    with pytest.raises(ReadOnlyAccess):
        _invite(world, actor="family")
    with pytest.raises(NotFound):
        _invite(world, agreement=world.theirs_agreement)


def test_an_invitation_works_once(world):
    _invitation, token = _invite(world)
    invitation_accept(token=token, user=UserFactory())
    with pytest.raises(ValidationError) as refused:
        invitation_accept(token=token, user=UserFactory())
    assert refused.value.code == "invitation_not_valid"


def test_an_expired_or_revoked_invitation_is_refused(world):
    invitation, token = _invite(world)
    ProviderInvitation.objects.filter(pk=invitation.pk).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    with pytest.raises(ValidationError):
        invitation_accept(token=token, user=UserFactory())
    invitation, token = _invite(world)
    invitation_revoke(actor=world.users["representative"], invitation_id=invitation.pk)
    with pytest.raises(ValidationError):
        invitation_accept_new_login(
            token=token, username="nieuw", password="een lang wachtwoord 2026!"
        )
    assert not ProviderAccess.objects.exists()
    with pytest.raises(ValidationError):
        invitation_accept(token="guessed", user=UserFactory())


def test_one_login_for_several_holders_and_two_factor_for_organisations(world):
    user = _provider_user(world)
    assert is_provider(user)
    assert not requires_two_factor(user)
    _invitation, token = _invite(world, world.mine_wlz_agreement)
    invitation_accept(token=token, user=user)
    assert ProviderAccess.objects.filter(user=user).count() == 2
    Provider.objects.filter(pk=world.mine_provider.pk).update(kind=ProviderKind.ORGANISATION)
    _invitation, token = _invite(world)
    invitation_accept(token=token, user=user)
    assert requires_two_factor(user)


# --- what a provider sees ----------------------------------------------------------------------


def test_a_provider_sees_only_their_agreements_and_nothing_of_the_holder(world):
    user = _provider_user(world)
    assert not BudgetHolder.objects.visible_to(user).exists()
    assert not Budget.objects.visible_to(user).exists()
    assert not CareAgreement.objects.visible_to(user).exists()
    assert not Mandate.objects.filter(user=user).exists()
    assert list(CareAgreement.objects.granted_to(user)) == [world.mine_wmo_agreement]
    assert not BudgetHolder.objects.editable_by(user).exists()
    (holder,) = provider_holders(user=user)
    assert holder.name == f"{world.mine.initials} {world.mine.surname}"
    assert [a.agreement_id for a in holder.agreements] == [world.mine_wmo_agreement.pk]
    with pytest.raises(NotFound):
        services.provider_month_get_or_create(
            actor=user, agreement_id=world.mine_wlz_agreement.pk, month=OCTOBER
        )


def test_a_second_provider_of_the_same_holder_sees_nothing_of_the_first(world):
    first = _provider_user(world)
    month = _submitted_month(world, first)
    other = ProviderFactory()
    HolderProviderFactory(holder=world.mine, provider=other)
    other_agreement = CareAgreementFactory(holder=world.mine, provider=other)
    AgreementVersionFactory(
        agreement=other_agreement,
        budget=world.mine_wmo_budget,
        product=world.mine_wmo_budget.products.first(),
    )
    second = _provider_user(world, other_agreement, username="tweede")
    assert not ProviderMonth.objects.granted_to(second).exists()
    assert list(CareAgreement.objects.granted_to(second)) == [other_agreement]
    with pytest.raises(NotFound):
        services.provider_month_save(actor=second, month_id=month.pk, hours=[])
    with pytest.raises(NotFound):
        services.provider_month_submit(actor=second, month_id=month.pk)
    with pytest.raises(NotFound):
        services.provider_month_approve(actor=second, month_id=month.pk)


def test_an_expired_provider_access_sees_nothing(world):
    user = _provider_user(world)
    ProviderAccess.objects.filter(user=user).update(
        valid_from=date(2026, 1, 1), valid_to=date(2026, 11, 1)
    )
    assert not CareAgreement.objects.granted_to(user).exists()
    assert not is_provider(user)


# --- staged months and the review --------------------------------------------------------------


def test_nothing_counts_before_approval_then_it_is_the_holders_entry(
    world, django_capture_on_commit_callbacks
):
    user = _provider_user(world)
    world.users["holder"].email = "houder@example.test"
    world.users["holder"].save()
    with django_capture_on_commit_callbacks(execute=True):
        month = _submitted_month(world, user)
    assert month.status == ProviderMonthStatus.SUBMITTED
    notice = mail.outbox[-1]
    assert notice.to == ["houder@example.test"]
    assert world.mine.bsn not in notice.body
    assert not TimeEntry.objects.filter(agreement=world.mine_wmo_agreement).exists()
    assert not Expense.objects.filter(agreement=world.mine_wmo_agreement).exists()
    assert not Declaration.objects.filter(agreement=world.mine_wmo_agreement).exists()
    assert list(months_waiting_for_review(user=world.users["holder"])) == [month]
    assert list(months_waiting_for_review(user=None)) == [month]
    assert not months_waiting_for_review(user=world.users["family"]).exists()
    assert not months_waiting_for_review(user=user).exists()

    preview = services.provider_month_preview(actor=world.users["holder"], month_id=month.pk)
    assert preview.refusal == ""
    assert not TimeEntry.objects.exists()
    assert not Declaration.objects.exists()

    with pytest.raises(ValidationError) as no_reason:
        services.provider_month_send_back(
            actor=world.users["holder"], month_id=month.pk, reason=" "
        )
    assert "reason" in no_reason.value.error_dict
    services.provider_month_send_back(
        actor=world.users["representative"], month_id=month.pk, reason="5 oktober was 3 uur"
    )
    month.refresh_from_db()
    assert month.status == ProviderMonthStatus.RETURNED
    assert month.return_reason == "5 oktober was 3 uur"
    with pytest.raises(Conflict):
        services.provider_month_approve(actor=world.users["holder"], month_id=month.pk)
    services.provider_month_save(
        actor=user, month_id=month.pk, hours=[{"care_date": date(2026, 10, 5), "quantity": "3"}]
    )
    services.provider_month_submit(actor=user, month_id=month.pk)
    services.provider_month_approve(actor=world.users["holder"], month_id=month.pk)
    month.refresh_from_db()
    assert month.status == ProviderMonthStatus.APPROVED
    assert month.approved_by == world.users["holder"]
    (entry,) = TimeEntry.objects.filter(agreement=world.mine_wmo_agreement)
    assert (entry.care_date, entry.quantity, entry.provider_month_id) == (
        date(2026, 10, 5),
        Decimal("3.00"),
        month.pk,
    )
    declaration = Declaration.objects.get(agreement=world.mine_wmo_agreement, month=OCTOBER)
    assert (
        declaration.total_amount
        == Decimal("3") * AgreementVersion.objects.get(agreement=world.mine_wmo_agreement).rate
    )
    with pytest.raises(Conflict):
        services.provider_month_save(actor=user, month_id=month.pk, hours=[])


def test_bad_rows_are_named_and_nothing_is_half_written(world):
    user = _provider_user(world)
    found = services.provider_month_get_or_create(
        actor=user, agreement_id=world.mine_wmo_agreement.pk, month=OCTOBER
    )
    with pytest.raises(ValidationError) as refused:
        services.provider_month_save(
            actor=user,
            month_id=found.pk,
            hours=[
                {"care_date": date(2026, 10, 5), "quantity": "4"},
                {"care_date": date(2026, 11, 5), "quantity": "4"},
                {"care_date": date(2026, 10, 7), "quantity": "veel"},
            ],
            costs=[{"expense_date": date(2026, 10, 7), "kind": "other", "amount": "-3"}],
        )
    assert {"hours[1].care_date", "hours[2].quantity", "costs[0].amount"} <= set(
        refused.value.error_dict
    )
    assert not found.hours.exists()
    with pytest.raises(ValidationError):
        services.provider_month_submit(actor=user, month_id=found.pk)
    with pytest.raises(ValidationError):
        services.provider_month_get_or_create(
            actor=user, agreement_id=world.mine_wmo_agreement.pk, month=date(2026, 12, 1)
        )


def test_an_invoice_is_stored_as_data(world):
    user = _provider_user(world)
    found = services.provider_month_get_or_create(
        actor=user, agreement_id=world.mine_wmo_agreement.pk, month=OCTOBER
    )
    services.provider_month_save(
        actor=user,
        month_id=found.pk,
        hours=[],
        invoice={
            "invoice_number": "F-2026-10",
            "invoice_date": date(2026, 11, 2),
            "invoice_amount": "740,00",
            "invoice_vat": "0",
        },
    )
    found.refresh_from_db()
    assert (found.invoice_number, found.invoice_amount) == ("F-2026-10", Decimal("740.00"))
    assert services.provider_month_submit(actor=user, month_id=found.pk).status == "submitted"
