"""Two-factor authentication: who needs it, setting up an app, giving a code after the
password, backup codes, throttled wrong codes, the back office's reset, and API tokens."""

import re
from datetime import timedelta

from django.contrib import admin
from django.test import Client
from django.urls import reverse
from django.utils import timezone

import pytest
import time_machine
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from pgb_admin.accounts import two_factor
from pgb_admin.accounts.models import User

from ..conftest import PERSONAS, TODAY
from ..factories import AuditorScopeFactory, MandateFactory, UserFactory
from ..two_factor import authenticator, code_for_key, code_now, verified_login

PASSWORD = "correct-horse-battery"
V1 = "/api/v1"
REQUIRED = {"bureau", "auditor_same", "auditor_other", "staff"}


@pytest.fixture
def client():
    """In English: the messages are asserted before their Dutch translation exists."""
    return Client(HTTP_ACCEPT_LANGUAGE="en")


def _password_login(client, user, next_url: str = ""):
    data = {"username": user.username, "password": PASSWORD}
    if next_url:
        data["next"] = next_url
    response = client.post(reverse("login"), data)
    assert response.status_code == 302, response.content[:500]
    return response


def _verify(client, code: str, next_url: str = "/"):
    return client.post(reverse("two_factor:verify"), {"code": code, "next": next_url})


def _token(client, user, **extra):
    body = {"username": user.username, "password": PASSWORD, **extra}
    return client.post(f"{V1}/auth/token/", body, content_type="application/json")


def _params(response) -> list[tuple[str, str]]:
    return [(p["name"], p["code"]) for p in response.json()["invalid_params"]]


# who ---------------------------------------------------------------------------------------


def test_staff_auditors_and_bureaus_need_two_factor_and_no_one_else(world):
    required = {name for name in PERSONAS if two_factor.requires_two_factor(world.users[name])}
    assert required == REQUIRED


def test_an_auditor_scope_or_bureau_mandate_needs_it_whatever_its_dates(world):
    old_auditor, future_bureau = UserFactory(), UserFactory()
    AuditorScopeFactory(
        user=old_auditor,
        funder=world.assen,
        valid_from=TODAY - timedelta(days=400),
        valid_to=TODAY - timedelta(days=30),
    )
    MandateFactory(
        user=future_bureau, holder=world.mine, role="bureau", valid_from=TODAY + timedelta(9)
    )
    assert two_factor.requires_two_factor(old_auditor)
    assert two_factor.requires_two_factor(future_bureau)


def test_a_holder_who_switched_it_on_is_asked_for_a_code_too(world):
    holder = world.users["holder"]
    assert not two_factor.two_factor_applies(holder)
    pending = two_factor.totp_device_pending(holder)
    assert not two_factor.two_factor_applies(holder)  # not before the app is confirmed
    pending.confirmed = True
    pending.save()
    assert two_factor.two_factor_applies(holder)
    assert not two_factor.requires_two_factor(holder)


# the second step of the web login ----------------------------------------------------------


@pytest.mark.parametrize("persona", sorted(REQUIRED))
def test_after_the_password_a_user_without_an_app_sets_one_up(client, world, persona):
    user = world.users[persona]
    response = _password_login(client, user, next_url="/rules/")
    assert client.get(response["Location"])["Location"] == (
        reverse("two_factor:setup") + "?next=%2Frules%2F"
    )
    page = client.get(reverse("two_factor:setup") + "?next=/rules/")
    assert page.status_code == 200
    assert page["Cache-Control"].startswith("max-age=0")
    assert "no-store" in page["Cache-Control"]
    html = page.content.decode()
    secret = re.search(r'id="two-factor-secret">([A-Z2-7 ]+)<', html).group(1)
    assert 'src="data:image/svg+xml' in html  # the QR code, allowed by the CSP's img-src
    assert "img-src 'self' data:" in page["Content-Security-Policy"]
    assert "otpauth://totp/pgb-admin%3A" in html
    # a reload keeps the secret the app has scanned
    again = client.get(reverse("two_factor:setup")).content.decode()
    assert secret in again

    wrong = client.post(reverse("two_factor:setup"), {"code": "000000", "next": "/rules/"})
    assert "This code is not right" in wrong.content.decode()
    assert not TOTPDevice.objects.filter(user=user, confirmed=True).exists()
    with time_machine.travel(timezone.now() + timedelta(seconds=2), tick=False):
        done = client.post(
            reverse("two_factor:setup"), {"code": code_for_key(secret), "next": "/rules/"}
        )
    assert done.status_code == 200
    codes = re.findall(r"<li><code>([a-z2-9]{5}-[a-z2-9]{5})</code></li>", done.content.decode())
    assert len(codes) == len(set(codes)) == 10
    assert 'href="/rules/"' in done.content.decode()
    assert TOTPDevice.objects.get(user=user).confirmed
    assert client.get("/rules/").status_code == 200  # this session is verified now


def test_after_the_password_a_user_with_an_app_gives_its_code(client, world):
    user = world.users["auditor_same"]
    device = authenticator(user)
    _password_login(client, user)
    home = client.get(reverse("home"))
    assert home["Location"] == reverse("two_factor:verify") + "?next=%2F"
    page = client.get(home["Location"])
    assert page.status_code == 200
    assert world.mine.display_name not in page.content.decode()  # no names before the code
    assert 'autocomplete="one-time-code"' in page.content.decode()

    session_key = client.cookies["sessionid"].value
    response = _verify(client, code_now(device), next_url="/audit/")
    assert response["Location"] == "/audit/"
    assert client.cookies["sessionid"].value != session_key  # a new session at the step up
    assert client.get("/audit/").status_code == 200


def test_an_app_code_is_not_accepted_twice(client, world):
    user = world.users["bureau"]
    device = authenticator(user)
    code = code_now(device)
    _password_login(client, user)
    assert _verify(client, code).status_code == 302
    client.post(reverse("logout"))
    _password_login(client, user)
    with time_machine.travel(timezone.now() + timedelta(seconds=2), tick=False):
        again = _verify(client, code)
    assert again.status_code == 200
    assert "This code is not right" in again.content.decode()


def test_the_next_url_stays_on_this_site(client, world):
    user = world.users["staff"]
    device = authenticator(user)
    _password_login(client, user)
    response = _verify(client, code_now(device), next_url="https://evil.example.org/")
    assert response["Location"] == "/"


def test_a_password_alone_cannot_replace_an_app(client, world):
    user = world.users["bureau"]
    authenticator(user)
    _password_login(client, user)
    response = client.get(reverse("two_factor:setup"))
    assert response["Location"].startswith(reverse("two_factor:verify"))
    assert not TOTPDevice.objects.filter(user=user, confirmed=False).exists()


def test_wrong_codes_are_throttled_and_the_lockout_is_shown(client, world):
    user = world.users["auditor_other"]
    device = authenticator(user)
    _password_login(client, user)
    start = timezone.now()
    for attempt in range(4):  # waits of 1, 2 and 4 seconds between them
        with time_machine.travel(start + timedelta(seconds=10 * attempt), tick=False):
            assert _verify(client, "111111").status_code == 200
    device.refresh_from_db()
    assert device.throttling_failure_count == 4
    with time_machine.travel(start + timedelta(seconds=31), tick=False):
        locked = _verify(client, code_now(device))  # right, but the device waits 8 seconds
        assert locked.status_code == 429
        html = locked.content.decode()
        assert 'role="alert"' in html
        assert "Too many wrong codes. Wait 7 seconds" in html
        assert "backup code" in html
    assert client.get(reverse("home")).status_code == 302
    with time_machine.travel(start + timedelta(seconds=40), tick=False):
        assert _verify(client, code_now(device)).status_code == 302
    device.refresh_from_db()
    assert device.throttling_failure_count == 0


def test_a_backup_code_works_once(client, world):
    user = world.users["bureau"]
    authenticator(user)
    codes = two_factor.backup_codes_renew(user)
    _password_login(client, user)
    used = _verify(client, codes[3].upper().replace("-", " "))  # as typed from paper
    assert used.status_code == 302
    notice = client.get(used["Location"]).content.decode()
    assert "9 backup codes are left" in notice
    assert StaticToken.objects.filter(device__user=user).count() == 9
    client.post(reverse("logout"))

    _password_login(client, user)
    with time_machine.travel(timezone.now() + timedelta(seconds=2), tick=False):
        again = _verify(client, codes[3])
    assert again.status_code == 200
    assert "This code is not right" in again.content.decode()
    with time_machine.travel(timezone.now() + timedelta(seconds=4), tick=False):
        assert _verify(client, codes[4]).status_code == 302


def test_new_backup_codes_replace_the_old_ones(client, world):
    user = world.users["staff"]
    old = two_factor.backup_codes_renew(user)
    verified_login(client, user)
    page = client.post(reverse("two_factor:account"), {"action": "backup_codes"})
    new = re.findall(r"<li><code>([a-z2-9]{5}-[a-z2-9]{5})</code></li>", page.content.decode())
    assert len(new) == 10
    assert not set(old) & set(new)
    assert two_factor.code_check(user, old[0]).ok is False
    with time_machine.travel(timezone.now() + timedelta(seconds=2), tick=False):
        assert two_factor.code_check(user, new[0]).ok is True


def test_a_holder_may_switch_it_on_and_off_staff_may_not_switch_it_off(client, world):
    holder = world.users["holder"]
    client.force_login(holder)
    assert client.get(reverse("two_factor:account")).status_code == 200
    page = client.get(reverse("two_factor:setup")).content.decode()
    secret = re.search(r'id="two-factor-secret">([A-Z2-7 ]+)<', page).group(1)
    client.post(reverse("two_factor:setup"), {"code": code_for_key(secret)})
    assert two_factor.two_factor_applies(holder)
    other = Client()
    _password_login(other, holder)
    assert other.get(reverse("home"))["Location"].startswith(reverse("two_factor:verify"))

    client.post(reverse("two_factor:account"), {"action": "turn_off"})
    assert not two_factor.two_factor_applies(holder)
    # no code asked: the holder of one holder goes straight to the dashboard
    dashboard = reverse("budgets:dashboard", args=[world.mine.pk])
    assert other.get(reverse("home"))["Location"] == dashboard
    assert other.get(dashboard).status_code == 200

    staff = world.users["staff"]
    verified_login(client, staff)
    assert client.post(reverse("two_factor:account"), {"action": "turn_off"}).status_code == 403
    assert two_factor.has_device(staff)


def test_the_back_office_resets_a_lost_phone(client, admin_client, world):
    user = world.users["bureau"]
    verified_login(client, user)
    two_factor.backup_codes_renew(user)
    assert client.get(reverse("home")).status_code == 200
    url = reverse("admin:accounts_user_changelist")
    response = admin_client.post(
        url, {"action": "reset_two_factor", admin.helpers.ACTION_CHECKBOX_NAME: [user.pk]}
    )
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=user).exists()
    assert not StaticDevice.objects.filter(user=user).exists()
    # the session verified by the removed app is no longer verified: set up a new one
    assert client.get(reverse("home"))["Location"].startswith(reverse("two_factor:setup"))
    assert DEVICE_ID_SESSION_KEY not in client.session


def test_the_admin_shows_no_secrets(admin_client, world):
    device = authenticator(world.users["bureau"])
    two_factor.backup_codes_renew(world.users["bureau"])
    page = admin_client.get(
        reverse("admin:otp_totp_totpdevice_change", args=[device.pk])
    ).content.decode()
    assert device.key not in page
    token = StaticToken.objects.filter(device__user=world.users["bureau"]).first().token
    static = StaticDevice.objects.get(user=world.users["bureau"])
    page = admin_client.get(
        reverse("admin:otp_static_staticdevice_change", args=[static.pk])
    ).content.decode()
    assert token not in page


# API tokens ---------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", sorted(REQUIRED))
def test_a_token_for_an_account_with_two_factor_needs_a_code(client, world, persona):
    user = world.users[persona]
    device = authenticator(user)
    missing = _token(client, user)
    assert missing.status_code == 400
    assert _params(missing) == [("otp_code", "otp_required")]
    wrong = _token(client, user, otp_code="000000")
    assert (wrong.status_code, _params(wrong)) == (400, [("otp_code", "otp_invalid")])
    with time_machine.travel(timezone.now() + timedelta(seconds=2), tick=False):
        issued = _token(client, user, otp_code=code_now(device))
    assert issued.status_code == 201
    assert issued.json()["token"].startswith("pgb_")


def test_a_token_for_a_holder_needs_no_code(client, world):
    assert _token(client, world.users["holder"]).status_code == 201
    assert _token(client, world.users["family"], otp_code="").status_code == 201


def test_a_wrong_password_says_nothing_about_two_factor(client, world):
    user = world.users["bureau"]
    authenticator(user)
    response = client.post(
        f"{V1}/auth/token/",
        {"username": user.username, "password": "wrong"},
        content_type="application/json",
    )
    assert _params(response) == [("non_field_errors", "invalid_credentials")]


def test_a_token_with_a_backup_code_works_once_and_without_a_device_not_at_all(client, world):
    user = world.users["auditor_same"]
    none_yet = _token(client, user, otp_code="123456")
    assert _params(none_yet) == [("otp_code", "otp_not_set_up")]
    codes = two_factor.backup_codes_renew(user)
    assert _token(client, user, otp_code=codes[0]).status_code == 201
    with time_machine.travel(timezone.now() + timedelta(seconds=2), tick=False):
        again = _token(client, user, otp_code=codes[0])
    assert _params(again) == [("otp_code", "otp_invalid")]


def test_token_codes_are_throttled(client, world):
    user = world.users["staff"]
    device = authenticator(user)
    assert _params(_token(client, user, otp_code="000000")) == [("otp_code", "otp_invalid")]
    locked = _token(client, user, otp_code=code_now(device))
    assert locked.status_code == 400
    assert _params(locked) == [("otp_code", "otp_locked")]


def test_a_session_without_its_code_does_not_reach_the_api(client, world):
    user = world.users["bureau"]
    authenticator(user)
    _password_login(client, user)
    assert client.get(f"{V1}/me/").status_code == 401
    verified_login(client, user)
    assert client.get(f"{V1}/me/").status_code == 200


def test_users_are_not_changed_by_a_reset_of_someone_else(world):
    bureau, staff = world.users["bureau"], world.users["staff"]
    authenticator(bureau)
    authenticator(staff)
    assert two_factor.two_factor_reset(bureau) == 1
    assert TOTPDevice.objects.filter(user=staff).count() == 1
    assert User.objects.filter(pk=bureau.pk).exists()
