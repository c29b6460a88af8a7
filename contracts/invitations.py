"""Care providers as users (issue 19): the holder, or whoever acts for them, invites the
provider of an agreement by a one-time link; accepting it gives the provider's login access to
that one agreement (:class:`pgb_admin.accounts.models.ProviderAccess`), nothing else of the
holder. In the PGB Portaal, too, a carer has their own access and enters declarations the
budget holder reviews (domain.md section 8, "carers have their own access"; section 2.3,
"PGB Portaal" bullet).

Only a token's sha256 is stored; the link is in the e-mail only. The e-mail names the
provider's agreement by its type and the holder's initials and surname: never a BSN, an
address or anything about the care.
"""

import hashlib
import secrets
from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from pgb_admin.accounts.models import ProviderAccess, User
from pgb_admin.accounts.scoping import get_editable

from .constants import ProviderKind
from .models import CareAgreement, ProviderInvitation


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def holder_name(agreement: CareAgreement) -> str:
    """How a provider sees the holder: initials and surname, as the agreement names them."""
    holder = agreement.holder
    return f"{holder.initials} {holder.surname}".strip()


@transaction.atomic
def invitation_create(
    *, actor: User, agreement_id: int, email: str, link_for: Callable[[str], str]
) -> ProviderInvitation:
    """Invite the agreement's provider at ``email``: a one-time link, valid for
    ``PROVIDER_INVITATION_DAYS`` days, sent once the transaction commits. ``link_for`` makes
    the absolute link from the token (the page knows the site's address)."""
    agreement = get_editable(
        CareAgreement.objects.select_related("holder", "provider"), actor, pk=agreement_id
    )
    field = ProviderInvitation._meta.get_field("email")
    try:
        email = field.clean(email.strip(), None)
    except ValidationError as error:
        raise ValidationError({"email": error.error_list}) from None
    token = secrets.token_urlsafe(32)
    invitation = ProviderInvitation.objects.create(
        agreement=agreement,
        email=email,
        token_hash=token_hash(token),
        created_by=actor,
        expires_at=timezone.now() + timedelta(days=settings.PROVIDER_INVITATION_DAYS),
    )
    link = link_for(token)
    subject = _("Invitation to enter your care hours")
    body = _(
        "%(holder)s invites you to enter the care you give under your %(type)s in pgb-admin, "
        "for them to review.\n\nAccept the invitation within %(days)s days:\n%(link)s\n\n"
        "The link works once. If you did not expect this e-mail, ignore it."
    ) % {
        "holder": holder_name(agreement),
        "type": agreement.get_agreement_type_display().lower(),
        "days": settings.PROVIDER_INVITATION_DAYS,
        "link": link,
    }
    transaction.on_commit(lambda: send_mail(subject, body, None, [email]))
    return invitation


@transaction.atomic
def invitation_revoke(*, actor: User, invitation_id: int) -> ProviderInvitation:
    invitation = get_editable(ProviderInvitation.objects, actor, pk=invitation_id)
    if invitation.revoked_at is None and invitation.accepted_at is None:
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at"])
    return invitation


def open_invitation(token: str) -> ProviderInvitation | None:
    """The invitation of the link, if it can still be accepted (not used, revoked or
    expired); None for any other token, whatever the reason (no oracle)."""
    return (
        ProviderInvitation.objects.open()
        .select_related("agreement__holder", "agreement__provider")
        .filter(token_hash=token_hash(token))
        .first()
    )


def _refused() -> ValidationError:
    return ValidationError(
        _("This invitation link is not valid (any more). Ask for a new invitation."),
        code="invitation_not_valid",
    )


@transaction.atomic
def invitation_accept(*, token: str, user: User) -> ProviderAccess:
    """Give the logged-in ``user`` access to the invitation's agreement, once. A provider who
    works for several holders uses the one login for all of them."""
    invitation = (
        ProviderInvitation.objects.select_for_update().filter(token_hash=token_hash(token)).first()
    )
    if invitation is None or not invitation.is_open:
        raise _refused()
    agreement = invitation.agreement
    today = timezone.localdate()
    two_factor = agreement.provider.kind == ProviderKind.ORGANISATION
    access = ProviderAccess.objects.valid_on(today).filter(user=user, agreement=agreement).first()
    if access is None:  # a second invitation to the same agreement adds nothing
        access = ProviderAccess.objects.create(
            user=user, agreement=agreement, valid_from=today, two_factor_required=two_factor
        )
    elif two_factor and not access.two_factor_required:
        access.two_factor_required = True
        access.save(update_fields=["two_factor_required", "updated_at"])
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    return access


@transaction.atomic
def invitation_accept_new_login(
    *, token: str, username: str, password: str
) -> tuple[User, ProviderAccess]:
    """Create the provider's login and accept the invitation with it, both or neither."""
    if open_invitation(token) is None:
        raise _refused()
    username = username.strip()
    if not username:
        raise ValidationError({"username": _("Choose a user name.")})
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": _("This user name is taken; choose another.")})
    user = User(username=username, email=open_invitation(token).email)  # type: ignore[union-attr]
    try:
        validate_password(password, user)
    except ValidationError as error:
        raise ValidationError({"password": error.error_list}) from None
    user.set_password(password)
    user.save()
    return user, invitation_accept(token=token, user=user)
