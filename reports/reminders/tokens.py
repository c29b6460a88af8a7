"""The signed unsubscribe token of a reminder e-mail: the user and the kind (or all), so the
link works without logging in and cannot be altered to reach someone else's choices."""

from django.conf import settings
from django.core import signing
from django.urls import reverse

UNSUBSCRIBE_SALT = "reports.reminders.unsubscribe"
ALL_KINDS = "*"


def unsubscribe_token(*, user_id: int, kind: str = ALL_KINDS) -> str:
    return signing.dumps({"u": user_id, "k": kind}, salt=UNSUBSCRIBE_SALT, compress=True)


def unsubscribe_target(token: str) -> tuple[int, str] | None:
    """The user and kind a token was made for; None when it was altered or made up."""
    try:
        data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("u"), int):
        return None
    return data["u"], str(data.get("k", ALL_KINDS))


def unsubscribe_url(*, user_id: int, kind: str = ALL_KINDS) -> str:
    return site_url(
        reverse("reports:unsubscribe", args=[unsubscribe_token(user_id=user_id, kind=kind)])
    )


def site_url(path: str) -> str:
    return settings.SITE_URL + path
