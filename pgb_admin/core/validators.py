"""Validators for the identifiers of the pgb world.

Each validator raises ValidationError with a stable ``code`` and a translated message that names
the value. The ``normalize_*`` functions turn what a user types (spaces, dots, lower case) into
the stored form; the model fields in :mod:`pgb_admin.core.fields` apply them before validating.
"""

import re
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _

from stdnum import iban as stdnum_iban
from stdnum.nl import bsn as stdnum_bsn

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

_SEPARATORS = re.compile(r"[\s.\-]")


def _strip(value: str) -> str:
    return _SEPARATORS.sub("", str(value or "")).upper()


def normalize_bsn(value: str) -> str:
    """Digits only; legacy 8-digit numbers are left-padded to 9."""
    digits = _strip(value)
    if digits.isdigit() and len(digits) == 8:
        return "0" + digits
    return digits


def normalize_iban(value: str) -> str:
    return _strip(value)


def normalize_digits(value: str) -> str:
    return _strip(value)


@deconstructible
class BSNValidator:
    """Burgerservicenummer: 9 digits passing the 11-proef (weights 9..2, -1), not all zeros."""

    message = _("%(value)s is not a valid BSN: it needs 9 digits that pass the 11-proef.")
    code = "invalid_bsn"

    def __call__(self, value: str) -> None:
        normalized = normalize_bsn(value)
        if not (len(normalized) == 9 and normalized.isdigit() and stdnum_bsn.is_valid(normalized)):
            raise ValidationError(self.message, code=self.code, params={"value": value})

    def __eq__(self, other: object) -> bool:
        return isinstance(other, BSNValidator)


@deconstructible
class IBANValidator:
    """ISO 13616 IBAN: the country's length and layout, and the mod-97 check."""

    message = _("%(value)s is not a valid IBAN: check the country code, length and check digits.")
    code = "invalid_iban"

    def __call__(self, value: str) -> None:
        if not stdnum_iban.is_valid(normalize_iban(value)):
            raise ValidationError(self.message, code=self.code, params={"value": value})

    def __eq__(self, other: object) -> bool:
        return isinstance(other, IBANValidator)


@deconstructible
class DigitsValidator:
    """A number of exactly ``lengths`` digits, e.g. an AGB code or a KvK number (no checksum
    is published for either)."""

    def __init__(self, lengths: tuple[int, ...], message: "StrOrPromise", code: str) -> None:
        self.lengths = tuple(lengths)
        self.message = message
        self.code = code

    def __call__(self, value: str) -> None:
        normalized = normalize_digits(value)
        if not (normalized.isascii() and normalized.isdigit() and len(normalized) in self.lengths):
            raise ValidationError(self.message, code=self.code, params={"value": value})

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, DigitsValidator)
            and self.lengths == other.lengths
            and self.code == other.code
        )


validate_bsn = BSNValidator()
validate_iban = IBANValidator()
validate_agb_code = DigitsValidator(
    (8,), _("%(value)s is not a valid AGB code: it has exactly 8 digits."), "invalid_agb_code"
)
validate_kvk_number = DigitsValidator(
    (8,), _("%(value)s is not a valid KvK number: it has exactly 8 digits."), "invalid_kvk_number"
)
validate_big_number = DigitsValidator(
    (11,), _("%(value)s is not a valid BIG number: it has exactly 11 digits."), "invalid_big_number"
)
validate_svb_client_number = DigitsValidator(
    (8, 9),
    _("%(value)s is not a valid SVB client number: it has 8 or 9 digits."),
    "invalid_svb_client_number",
)


@deconstructible
class MunicipalityCodeValidator:
    """CBS municipality code: ``GM`` and four digits, e.g. GM0518 for The Hague."""

    message = _("%(value)s is not a CBS municipality code: write GM and four digits, e.g. GM0518.")
    code = "invalid_municipality_code"
    pattern = re.compile(r"^GM\d{4}$")

    def __call__(self, value: str) -> None:
        if not self.pattern.match(value or ""):
            raise ValidationError(self.message, code=self.code, params={"value": value})

    def __eq__(self, other: object) -> bool:
        return isinstance(other, MunicipalityCodeValidator)


validate_municipality_code = MunicipalityCodeValidator()


# --- addresses and activity codes --------------------------------------------------------------

# Dutch postcodes: four digits (no leading 0, the first is 1011 AA) and two capital letters;
# SA, SD and SS are not used (en.wikipedia.org/wiki/Postal_codes_in_the_Netherlands,
# nl.wikipedia.org/wiki/Postcodes_in_Nederland).
_POSTCODE = re.compile(r"^[1-9][0-9]{3} ?[A-Z]{2}$")
_POSTCODE_UNUSED_LETTERS = frozenset({"SA", "SD", "SS"})
# a house number and an optional addition: 17, 17A, 17-2, 17 bis
_HOUSE_NUMBER = re.compile(r"^[1-9][0-9]{0,4}(?:[ -]?[A-Z0-9]{1,6})?$", re.IGNORECASE)
# SBI (CBS, Standaard Bedrijfsindeling, cbs.nl "SBI"; unverified here): 2 to 5 digits,
# often written with dots (86.91); stored as digits only
_SBI_CODE = re.compile(r"^[0-9]{2,5}$")


def normalize_postcode(value: str) -> str:
    """``2514ab`` and `` 2514 AB `` become ``2514 AB``; anything else is returned trimmed."""
    compact = re.sub(r"\s", "", str(value or "")).upper()
    if re.fullmatch(r"[0-9]{4}[A-Z]{2}", compact):
        return f"{compact[:4]} {compact[4:]}"
    return str(value or "").strip().upper()


def validate_postcode(value: str) -> None:
    if not value:
        return
    if not _POSTCODE.match(value) or value[-2:] in _POSTCODE_UNUSED_LETTERS:
        raise ValidationError(
            _("%(value)s is not a Dutch postcode: four digits and two letters, e.g. 2514 AB."),
            code="invalid_postcode",
            params={"value": value},
        )


def normalize_house_number(value: str) -> str:
    return re.sub(r"\s+", " ", str(value or "")).strip().upper()


def validate_house_number(value: str) -> None:
    if value and not _HOUSE_NUMBER.match(value):
        raise ValidationError(
            _("%(value)s is not a house number: a number with an optional addition, e.g. 17A."),
            code="invalid_house_number",
            params={"value": value},
        )


def normalize_sbi_code(value: str) -> str:
    """Digits only: ``86.91`` is stored as ``8691``."""
    return _strip(value)


def validate_sbi_code(value: str) -> None:
    if value and not _SBI_CODE.match(value):
        raise ValidationError(
            _("%(value)s is not an SBI code: 2 to 5 digits, e.g. 86.91."),
            code="invalid_sbi_code",
            params={"value": value},
        )


def clean_address(instance: object, errors: dict[str, ValidationError]) -> None:
    """Normalise and check an instance's ``postcode`` and ``house_number``; errors are added to
    ``errors`` by field."""
    postcode = normalize_postcode(getattr(instance, "postcode", ""))
    house_number = normalize_house_number(getattr(instance, "house_number", ""))
    setattr(instance, "postcode", postcode)  # noqa: B010
    setattr(instance, "house_number", house_number)  # noqa: B010
    for field, validate, value in (
        ("postcode", validate_postcode, postcode),
        ("house_number", validate_house_number, house_number),
    ):
        try:
            validate(value)
        except ValidationError as error:
            errors[field] = error
