"""Changes to users' access: issuing and revoking API bearer tokens, ending sessions."""

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from .models import ApiToken, User

TOKEN_PREFIX = "pgb_"  # noqa: S105  (marks our tokens, e.g. for secret scanners)


def token_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


@transaction.atomic
def api_token_issue(*, user: User, with_two_factor: bool = False) -> tuple[ApiToken, str]:
    """A new token for ``user``, valid for ``API_TOKEN_DAYS``; ``with_two_factor`` when the
    user gave a right two-factor code for it. Returns the stored row and the token itself,
    which is not stored and cannot be shown again."""
    key = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        user=user,
        key_hash=token_hash(key),
        prefix=key[:12],
        expires_at=timezone.now() + timedelta(days=settings.API_TOKEN_DAYS),
        issued_with_two_factor=with_two_factor,
    )
    token.full_clean()
    token.save()
    return token, key


@transaction.atomic
def api_token_revoke(*, token: ApiToken) -> None:
    ApiToken.objects.filter(pk=token.pk).delete()


@transaction.atomic
def api_tokens_revoke_all(*, user: User) -> int:
    """Revokes every API token of ``user``; returns how many there were."""
    deleted, _ = ApiToken.objects.filter(user=user).delete()
    return deleted


@transaction.atomic
def log_out_everywhere(*, user: User) -> int:
    """Ends the user's web sessions on every device (each is logged out at its next request:
    ``SessionsEndedMiddleware``) and revokes all their API tokens; returns how many tokens."""
    user.sessions_valid_after = timezone.now()
    user.save(update_fields=["sessions_valid_after"])
    return api_tokens_revoke_all(user=user)
