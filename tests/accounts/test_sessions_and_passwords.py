"""Sessions end after SESSION_IDLE_MINUTES without a request (each request starts the wait
anew) and when the browser closes; passwords follow the rules of AUTH_PASSWORD_VALIDATORS."""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth.forms import PasswordChangeForm
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

import pytest
import time_machine

from ..factories import UserFactory

PASSWORD = "correct-horse-battery"


def _logged_in(client) -> bool:
    return client.get(reverse("home")).status_code == 200


def test_a_session_ends_after_its_idle_minutes(client, db):
    UserFactory(username="idle")
    login = client.post(reverse("login"), {"username": "idle", "password": PASSWORD})
    assert login.status_code == 302
    idle = timedelta(seconds=settings.SESSION_COOKIE_AGE)
    assert idle == timedelta(minutes=30)  # SESSION_IDLE_MINUTES's default
    start = timezone.now()
    # each request starts the wait anew: two requests 25 minutes apart keep it for 50 minutes
    for step in (1, 2):
        with time_machine.travel(start + step * (idle - timedelta(minutes=5)), tick=False):
            assert _logged_in(client)
    last_request = start + 2 * (idle - timedelta(minutes=5))
    with time_machine.travel(last_request + idle + timedelta(seconds=1), tick=False):
        response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_the_session_cookie_ends_with_the_browser(client, db):
    UserFactory(username="closer")
    response = client.post(reverse("login"), {"username": "closer", "password": PASSWORD})
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["max-age"] == ""
    assert cookie["expires"] == ""
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"


@pytest.mark.parametrize(
    ("password", "code"),
    [
        ("Kort-1", "password_too_short"),
        ("password1234", "password_too_common"),
        ("918273645501", "password_entirely_numeric"),
        ("jansen.johan1", "password_too_similar"),
    ],
)
def test_weak_passwords_are_refused(db, password, code):
    user = UserFactory.build(username="jansen.johan", first_name="Johan", last_name="Jansen")
    with pytest.raises(ValidationError) as refused:
        validate_password(password, user=user)
    assert code in {error.code for error in refused.value.error_list}


def test_a_long_uncommon_password_is_accepted(db):
    user = UserFactory.build(username="jansen.johan")
    assert validate_password("Tulpen-en-molens-op-zondag", user=user) is None


def test_the_password_change_form_applies_the_rules(db):
    user = UserFactory(username="changer")
    form = PasswordChangeForm(
        user, {"old_password": PASSWORD, "new_password1": "kort", "new_password2": "kort"}
    )
    assert not form.is_valid()
    assert "new_password2" in form.errors
