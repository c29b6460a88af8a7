"""Bearer tokens for the API (``Authorization: Bearer pgb_…``)."""

from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from auditlog.context import auditlog_value
from rest_framework import authentication, exceptions

from .models import ApiToken
from .services import api_token_revoke, token_hash
from .two_factor import requires_two_factor

# last_used_at is written at most this often, so reads do not turn into writes.
LAST_USED_RESOLUTION = timedelta(minutes=5)


class BearerTokenAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request):
        parts = authentication.get_authorization_header(request).split()
        if not parts or parts[0].lower() != self.keyword.lower().encode():
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(
                _("Give the token after 'Bearer', and nothing else.")
            )
        try:
            key = parts[1].decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed(
                _("The token is unknown, revoked or expired.")
            ) from None
        token = (
            ApiToken.objects.usable()
            .select_related("user")
            .filter(key_hash=token_hash(key))
            .first()
        )
        if token is None:
            raise exceptions.AuthenticationFailed(_("The token is unknown, revoked or expired."))
        if not token.issued_with_two_factor and requires_two_factor(token.user):
            _revoke_for_two_factor(token)
        now = timezone.now()
        if token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        _tell_change_log(token.user)
        return token.user, token

    def authenticate_header(self, request) -> str:
        return f'{self.keyword} realm="pgb-admin"'


def _revoke_for_two_factor(token: ApiToken):
    """The account came to require two-factor authentication (a bureau mandate, an auditor
    scope, staff, by whatever path) after this token was issued with a password alone: the
    token is revoked and refused. Checked here, at each use, so no path that starts the duty
    can forget it; only for tokens issued without a code, so other requests pay nothing."""
    api_token_revoke(token=token)
    raise exceptions.AuthenticationFailed(
        _(
            "This token was issued without a two-factor code, and this account now requires "
            "two-factor authentication: the token is revoked. Get a new token with your "
            "username, password and otp_code."
        ),
        code="token_needs_two_factor",
    )


def _tell_change_log(user) -> None:
    """The change log's middleware ran before the token was read and saw no user: name the
    token's user as the actor of the changes this request makes."""
    context = auditlog_value.get(None)
    if context is not None:
        context["actor"] = user
