"""Two-factor helpers for tests: an authenticator app for a user, its current code, and a
test client whose session is verified as after a code (what ``django_otp.login`` stores)."""

import time
from base64 import b32decode

from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from pgb_admin.accounts.two_factor import two_factor_applies


def authenticator(user) -> TOTPDevice:
    """The user's confirmed authenticator app, made when there is none."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    return device or TOTPDevice.objects.create(user=user, name="test app", confirmed=True)


def code_now(device: TOTPDevice, *, steps_ahead: int = 0) -> str:
    """The code the app shows now (``steps_ahead`` later: the device takes one step either
    side, and never the same step twice)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + steps_ahead * device.step
    return f"{totp.token():0{device.digits}d}"


def code_for_key(base32_key: str) -> str:
    """What an authenticator app shows now for a key typed from the setup page."""
    key = base32_key.replace(" ", "")
    totp = TOTP(b32decode(key + "=" * (-len(key) % 8)))
    totp.time = time.time()
    return f"{totp.token():06d}"


def verify_session(client, user) -> None:
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = authenticator(user).persistent_id
    session.save()


def verified_login(client, user):
    """``client.force_login(user)``, and for a user with two-factor authentication a session
    verified with their app: the state after password and code."""
    client.force_login(user)
    if two_factor_applies(user):
        verify_session(client, user)
    return client
