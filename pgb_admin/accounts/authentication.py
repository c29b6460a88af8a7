"""Bearer tokens for the API (``Authorization: Bearer pgb_…``)."""

from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from auditlog.context import auditlog_value
from rest_framework import authentication, exceptions

from .models import ApiToken
from .services import token_hash

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
        now = timezone.now()
        if token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        _tell_change_log(token.user)
        return token.user, token

    def authenticate_header(self, request) -> str:
        return f'{self.keyword} realm="pgb-admin"'


def _tell_change_log(user) -> None:
    """The change log's middleware ran before the token was read and saw no user: name the
    token's user as the actor of the changes this request makes."""
    context = auditlog_value.get(None)
    if context is not None:
        context["actor"] = user
