"""The BSN at rest: encrypted with Fernet (AES-128-CBC and HMAC-SHA256, randomised, so one BSN
never gives the same text twice) and found by a keyed hash (HMAC-SHA256 with a separate key).

Keys come from the environment (see SECURITY.md, "BSN"):

- ``BSN_ENCRYPTION_KEYS``: Fernet keys, comma-separated. The first encrypts, every one decrypts,
  so a new key goes in front and the old one stays behind it until ``rotate_bsn_keys`` ran.
- ``BSN_HASH_KEY``: the key of the hash that lookups and the uniqueness check use;
  ``BSN_HASH_KEY_FALLBACKS``: earlier hash keys, still matched until ``rotate_bsn_keys`` ran.

With DEBUG on and no keys set, keys are derived from SECRET_KEY, so a checkout runs without
setup; with DEBUG off they must be set (system check pgb_admin.E002-E005).
"""

import base64
import hashlib
import hmac
from dataclasses import dataclass
from functools import lru_cache

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed
from django.dispatch import receiver

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

MIN_HASH_KEY_LENGTH = 32
_SETTINGS = {
    "BSN_ENCRYPTION_KEYS",
    "BSN_HASH_KEY",
    "BSN_HASH_KEY_FALLBACKS",
    "SECRET_KEY",
    "DEBUG",
}


class BSNKeyError(ImproperlyConfigured):
    """The BSN keys are missing or unusable (a stored BSN cannot be read or written)."""


@dataclass(frozen=True)
class _Keys:
    fernet: MultiFernet
    first: Fernet
    hash_keys: tuple[bytes, ...]  # the current key first, then the fallbacks


def _derived(label: str) -> bytes:
    """A development key: 32 bytes from SECRET_KEY, one per purpose."""
    return hashlib.sha256(f"pgb-admin {label}:{settings.SECRET_KEY}".encode()).digest()


def encryption_keys() -> list[str]:
    configured = [key for key in settings.BSN_ENCRYPTION_KEYS if key]
    if configured or not settings.DEBUG:
        return configured
    return [base64.urlsafe_b64encode(_derived("bsn encryption")).decode()]


def hash_keys() -> list[str]:
    current = settings.BSN_HASH_KEY
    if not current and settings.DEBUG:
        current = base64.urlsafe_b64encode(_derived("bsn hash")).decode()
    fallbacks = [key for key in settings.BSN_HASH_KEY_FALLBACKS if key]
    return [current, *fallbacks] if current else []


def configuration_errors() -> list[tuple[str, str]]:
    """What is wrong with the keys, as (check id, message); empty when they can be used."""
    errors = []
    fernet_keys = encryption_keys()
    if not fernet_keys:
        errors.append(("pgb_admin.E002", "BSN_ENCRYPTION_KEYS is not set while DEBUG is off."))
    for position, key in enumerate(fernet_keys, start=1):
        try:
            Fernet(key)
        except (ValueError, TypeError):
            errors.append(
                (
                    "pgb_admin.E003",
                    f"Key {position} of BSN_ENCRYPTION_KEYS is not a Fernet key "
                    "(32 url-safe base64-encoded bytes).",
                )
            )
    keys = hash_keys()
    if not keys:
        errors.append(("pgb_admin.E004", "BSN_HASH_KEY is not set while DEBUG is off."))
    elif any(len(key) < MIN_HASH_KEY_LENGTH for key in keys):
        errors.append(
            (
                "pgb_admin.E004",
                f"BSN_HASH_KEY (or a fallback) is shorter than {MIN_HASH_KEY_LENGTH} characters.",
            )
        )
    if keys and (keys[0] in fernet_keys or keys[0] == settings.SECRET_KEY):
        errors.append(
            ("pgb_admin.E005", "BSN_HASH_KEY must differ from SECRET_KEY and the encryption keys.")
        )
    return errors


@lru_cache(maxsize=1)
def _keys() -> _Keys:
    errors = configuration_errors()
    if errors:
        raise BSNKeyError(" ".join(message for _, message in errors))
    fernets = [Fernet(key) for key in encryption_keys()]
    return _Keys(
        fernet=MultiFernet(fernets),
        first=fernets[0],
        hash_keys=tuple(key.encode() for key in hash_keys()),
    )


@receiver(setting_changed)
def _forget_keys(*, setting, **kwargs) -> None:
    if setting in _SETTINGS:
        _keys.cache_clear()


def encrypt(bsn: str) -> str:
    return _keys().first.encrypt(bsn.encode()).decode("ascii")


def decrypt(token: str) -> str:
    try:
        return _keys().fernet.decrypt(token.encode("ascii")).decode()
    except InvalidToken:
        raise BSNKeyError(
            "A stored BSN cannot be decrypted with BSN_ENCRYPTION_KEYS: is a key missing?"
        ) from None


def _hmac(key: bytes, bsn: str) -> str:
    return hmac.new(key, bsn.encode(), hashlib.sha256).hexdigest()


def hash_bsn(bsn: str) -> str:
    """The keyed hash stored next to the encrypted BSN (current key)."""
    return _hmac(_keys().hash_keys[0], bsn)


def lookup_hashes(bsn: str) -> list[str]:
    """The hashes a stored row of ``bsn`` can have: with the current key and each fallback."""
    return [_hmac(key, bsn) for key in _keys().hash_keys]
