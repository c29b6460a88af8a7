"""Identifier validators: property tests on generated valid numbers and their mutations."""

import re

from django.core.exceptions import ValidationError
from django.utils import translation

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from pgb_admin.core import validators

from ..factories import bsn_from, iban_from

BSN_WEIGHTS = (9, 8, 7, 6, 5, 4, 3, 2, -1)


def passes_eleven_test(digits: str) -> bool:
    total = sum(int(digit) * weight for digit, weight in zip(digits, BSN_WEIGHTS, strict=True))
    return total % 11 == 0 and digits != "000000000"


valid_bsns = st.integers(min_value=1, max_value=99_999_999).map(bsn_from)


@given(valid_bsns)
def test_valid_bsns_pass(bsn):
    assert passes_eleven_test(bsn)
    validators.validate_bsn(bsn)


@given(valid_bsns, st.integers(0, 8), st.integers(1, 9))
def test_any_single_digit_error_in_a_bsn_is_caught(bsn, position, shift):
    digit = (int(bsn[position]) + shift) % 10
    wrong = bsn[:position] + str(digit) + bsn[position + 1 :]
    with pytest.raises(ValidationError) as error:
        validators.validate_bsn(wrong)
    assert error.value.code == "invalid_bsn"


@given(valid_bsns, st.integers(0, 7))
def test_swapping_neighbouring_bsn_digits_is_caught(bsn, position):
    assume(bsn[position] != bsn[position + 1])
    swapped = bsn[:position] + bsn[position + 1] + bsn[position] + bsn[position + 2 :]
    with pytest.raises(ValidationError):
        validators.validate_bsn(swapped)


@given(st.text(max_size=20))
def test_bsn_validator_agrees_with_the_eleven_test_for_any_text(text):
    normalized = validators.normalize_bsn(text)
    expected = len(normalized) == 9 and normalized.isdigit() and passes_eleven_test(normalized)
    try:
        validators.validate_bsn(text)
        accepted = True
    except ValidationError:
        accepted = False
    assert accepted == expected


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("999996708", "999996708"),
        ("9999.96.708", "999996708"),
        ("99999 6708", "999996708"),
        ("12345678", "012345678"),
    ],
)
def test_bsn_normalisation(typed, stored):
    assert validators.normalize_bsn(typed) == stored


@pytest.mark.parametrize("bsn", ["999998620", "000000000", "12345", "99999670A", ""])
def test_invalid_bsns(bsn):
    with pytest.raises(ValidationError):
        validators.validate_bsn(bsn)


valid_ibans = st.integers(min_value=0, max_value=9_999_999_999).map(iban_from)


@given(valid_ibans)
def test_valid_ibans_pass(iban):
    validators.validate_iban(iban)
    validators.validate_iban(" ".join(iban[i : i + 4] for i in range(0, len(iban), 4)).lower())


@given(valid_ibans, st.integers(8, 17), st.integers(1, 9))
def test_any_single_digit_error_in_an_iban_is_caught(iban, position, shift):
    digit = (int(iban[position]) + shift) % 10
    wrong = iban[:position] + str(digit) + iban[position + 1 :]
    with pytest.raises(ValidationError) as error:
        validators.validate_iban(wrong)
    assert error.value.code == "invalid_iban"


@pytest.mark.parametrize(
    "iban", ["NL91ABNA0417164301", "NL91ABNA041716430", "XX91ABNA0417164300", "NL91", "abc"]
)
def test_invalid_ibans(iban):
    with pytest.raises(ValidationError):
        validators.validate_iban(iban)


@pytest.mark.parametrize(
    "validator", [validators.validate_agb_code, validators.validate_kvk_number]
)
@given(text=st.text(max_size=12))
def test_eight_digit_codes(validator, text):
    # spaces, dots and hyphens between the digits are allowed (12.34.56.78), as typed
    digits = re.sub(r"[\s.\-]", "", text)
    expected = digits.isascii() and digits.isdigit() and len(digits) == 8
    try:
        validator(text)
        accepted = True
    except ValidationError:
        accepted = False
    assert accepted == expected


@given(st.integers(0, 99_999_999))
def test_any_eight_digits_is_an_agb_code_and_a_kvk_number(number):
    validators.validate_agb_code(f"{number:08d}")
    validators.validate_kvk_number(f"{number:08d}")


@pytest.mark.parametrize("code", ["GM0518", "GM0106"])
def test_municipality_codes(code):
    validators.validate_municipality_code(code)


@pytest.mark.parametrize("code", ["GM518", "gm0518", "0518", "GM05189"])
def test_bad_municipality_codes(code):
    with pytest.raises(ValidationError):
        validators.validate_municipality_code(code)


@pytest.mark.parametrize(
    ("language", "fragment"),
    [("nl", "geen geldig BSN"), ("en", "is not a valid BSN")],
)
def test_messages_name_the_value_in_the_users_language(language, fragment):
    with translation.override(language):
        with pytest.raises(ValidationError) as error:
            validators.validate_bsn("123456789")
        message = error.value.messages[0]
    assert fragment in message
    assert "123456789" in message
