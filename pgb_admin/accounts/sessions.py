"""When each web session logged in, so that "log out everywhere" (``User.sessions_valid_after``)
can end the sessions that logged in before it, on every device."""

from datetime import datetime

from django.utils import timezone

LOGGED_IN_AT = "pgb_logged_in_at"


def remember_login_time(sender, request, user, **kwargs) -> None:
    """Receiver of ``user_logged_in``."""
    if request is not None and hasattr(request, "session"):
        request.session[LOGGED_IN_AT] = timezone.now().isoformat()


def session_ended(session, user) -> bool:
    """The user logged out everywhere after this session logged in (a session without a
    login time predates this rule, so it predates any such moment too)."""
    cut = user.sessions_valid_after
    if cut is None:
        return False
    try:
        logged_in_at = datetime.fromisoformat(session.get(LOGGED_IN_AT, ""))
    except (TypeError, ValueError):
        return True
    return logged_in_at < cut
