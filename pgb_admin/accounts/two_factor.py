"""Two-factor authentication (django-otp): who needs it, and the devices that give it.

Staff, auditors and pgb bureaus must use it; anyone else may switch it on. The second factor is
an authenticator app (TOTP, RFC 6238), with ten one-time backup codes for when the phone is
lost. Wrong codes are throttled per device by django-otp: after ``n`` wrong codes in a row a
device accepts no code at all for ``2 ** (n - 1)`` seconds.
"""

import math
import secrets
from base64 import b32encode
from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

import segno
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from .constants import MandateRole
from .models import AuditorScope, Mandate, ProviderAccess, User

BACKUP_CODE_COUNT = 10
BACKUP_CODE_LENGTH = 10
# no 0/o, 1/l/i: codes are read from paper
BACKUP_CODE_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
TOTP_DIGITS = 6
TOTP_DEVICE_NAME = "authenticator app"
BACKUP_DEVICE_NAME = "backup codes"


def _required_q() -> Q:
    return (
        Q(is_staff=True)
        | Q(is_superuser=True)
        | Exists(AuditorScope.objects.filter(user=OuterRef("pk")))
        | Exists(Mandate.objects.filter(user=OuterRef("pk"), role=MandateRole.BUREAU))
        | Q(Exists(ProviderAccess.objects.filter(user=OuterRef("pk"), two_factor_required=True)))
    )


def _has_device_q() -> Q:
    return Exists(TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True)) | Exists(
        StaticDevice.objects.filter(user=OuterRef("pk"), confirmed=True)
    )


def requires_two_factor(user) -> bool:
    """Staff, anyone with an auditor scope, anyone with a bureau mandate and an organisation
    provider's login (a provider access requiring it), whatever the
    dates of that scope or mandate: these accounts reach many holders' data."""
    if not user.is_authenticated:
        return False
    if user.is_staff or user.is_superuser:
        return True
    return User.objects.filter(pk=user.pk).filter(_required_q()).exists()


def two_factor_applies(user) -> bool:
    """Required, or switched on by the user: every login then asks for a code (one query)."""
    if not user.is_authenticated:
        return False
    if user.is_staff or user.is_superuser:
        return True
    return User.objects.filter(pk=user.pk).filter(_required_q() | _has_device_q()).exists()


def has_device(user) -> bool:
    """A confirmed authenticator app or backup codes."""
    return User.objects.filter(pk=user.pk).filter(_has_device_q()).exists()


def has_authenticator(user) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def backup_codes_left(user) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


# checking a code --------------------------------------------------------------------------


@dataclass(frozen=True)
class CodeCheck:
    device: Device | None = None
    locked_until: datetime | None = None  # every device that could take the code is throttled
    backup_codes_left: int | None = None  # after a backup code was used

    @property
    def ok(self) -> bool:
        return self.device is not None


def normalize_code(code: str) -> str:
    """``"123 456"`` and ``"ABCDE-FGHJK"`` as typed, as stored."""
    return "".join(code.split()).replace("-", "").lower()


def is_totp_shaped(code: str) -> bool:
    return len(code) == TOTP_DIGITS and code.isdigit()


@transaction.atomic
def code_check(user, code: str, *, devices=None) -> CodeCheck:
    """Checks ``code`` against the user's authenticator app (six digits) or backup codes
    (anything else), or against ``devices``. A used backup code is gone; a used app code is
    not accepted again. A wrong code counts towards the device's throttling."""
    code = normalize_code(code)
    if devices is None:
        model = TOTPDevice if is_totp_shaped(code) else StaticDevice
        devices = model.objects.filter(user=user, confirmed=True).order_by("pk")
        devices = devices.select_for_update()
    locked = []
    candidates = list(devices)
    for device in candidates:
        allowed, info = device.verify_is_allowed()
        if not allowed:
            locked.append(info["locked_until"])
            continue
        if device.verify_token(code):
            left = device.token_set.count() if isinstance(device, StaticDevice) else None
            return CodeCheck(device=device, backup_codes_left=left)
    if candidates and len(locked) == len(candidates):
        return CodeCheck(locked_until=min(locked))
    return CodeCheck()


def locked_message(locked_until: datetime) -> str:
    seconds = max(1, math.ceil((locked_until - timezone.now()).total_seconds()))
    if seconds < 120:
        return ngettext(
            "Too many wrong codes. Wait %(count)d second, then try again.",
            "Too many wrong codes. Wait %(count)d seconds, then try again.",
            seconds,
        ) % {"count": seconds}
    minutes = math.ceil(seconds / 60)
    return ngettext(
        "Too many wrong codes. Wait %(count)d minute, then try again.",
        "Too many wrong codes. Wait %(count)d minutes, then try again.",
        minutes,
    ) % {"count": minutes}


def api_code_check(user, code: str | None) -> bool:
    """For a token: ``False`` when the user needs no code (none is checked), ``True`` when
    they gave a right one, else a ``ValidationError`` on ``otp_code``."""
    if not two_factor_applies(user):
        return False
    if not code:
        raise _otp_error(
            _(
                "This account uses two-factor authentication: give the code of your "
                "authenticator app, or a backup code."
            ),
            "otp_required",
        )
    if not has_device(user):
        raise _otp_error(
            _("Set up two-factor authentication first: log in on the website once."),
            "otp_not_set_up",
        )
    check = code_check(user, code)
    if check.ok:
        return True
    if check.locked_until is not None:
        raise _otp_error(locked_message(check.locked_until), "otp_locked")
    raise _otp_error(_("This code is not right."), "otp_invalid")


def _otp_error(message: str, code: str) -> ValidationError:
    return ValidationError({"otp_code": ValidationError(message, code=code)})


# setting up and resetting -----------------------------------------------------------------


@transaction.atomic
def totp_device_pending(user) -> TOTPDevice:
    """The authenticator app the user is setting up: the same one until it is confirmed,
    so a reload of the setup page keeps the secret already scanned."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=TOTP_DEVICE_NAME, confirmed=False)
    return device


@transaction.atomic
def totp_device_confirm(user, code: str) -> tuple[CodeCheck, list[str]]:
    """Confirms the pending app with a code it shows. It then replaces any earlier app, and
    the user gets new backup codes (returned, formatted; they are not shown again)."""
    pending = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=False)
    device = pending.order_by("-pk").first()
    if device is None:
        return CodeCheck(), []
    check = code_check(user, code, devices=[device])
    if not check.ok:
        return check, []
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    return check, backup_codes_renew(user)


def new_backup_code() -> str:
    return "".join(secrets.choice(BACKUP_CODE_ALPHABET) for _ in range(BACKUP_CODE_LENGTH))


def format_code(code: str) -> str:
    half = len(code) // 2
    return f"{code[:half]}-{code[half:]}"


@transaction.atomic
def backup_codes_renew(user) -> list[str]:
    """Ten new backup codes instead of any earlier ones, formatted for reading."""
    codes = [new_backup_code() for _ in range(BACKUP_CODE_COUNT)]
    backup_codes_set(user, codes)
    return [format_code(code) for code in codes]


@transaction.atomic
def backup_codes_set(user, codes: list[str]) -> StaticDevice:
    device = StaticDevice.objects.filter(user=user).order_by("pk").first()
    if device is None:
        device = StaticDevice.objects.create(user=user, name=BACKUP_DEVICE_NAME, confirmed=True)
    device.token_set.all().delete()
    StaticToken.objects.bulk_create(
        StaticToken(device=device, token=normalize_code(code)) for code in codes
    )
    device.confirmed = True
    device.throttle_reset(commit=False)
    device.save()
    return device


@transaction.atomic
def two_factor_reset(user) -> int:
    """Removes the user's app and backup codes (a lost phone, via the back office; or a user
    who switched it on and off again). Returns how many devices were removed."""
    removed = 0
    for model in (TOTPDevice, StaticDevice):
        devices = model.objects.filter(user=user)
        removed += devices.count()
        devices.delete()
    return removed


# showing the secret -----------------------------------------------------------------------


def secret_text(device: TOTPDevice) -> str:
    """The secret as an authenticator app asks for it when typed: base32, in groups of 4."""
    secret = b32encode(device.bin_key).decode("ascii").rstrip("=")
    return " ".join(secret[index : index + 4] for index in range(0, len(secret), 4))


def qr_data_uri(text: str) -> str:
    """A QR code of ``text`` as an SVG ``data:`` URI (the CSP allows ``img-src data:``)."""
    return segno.make(text, error="m").svg_data_uri(scale=4, dark="#000", light="#fff")
