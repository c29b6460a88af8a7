"""One masking rule for citizen numbers and account numbers: all but the last four characters
become ``*`` (a BSN 123456782 shows as ``*****6782``)."""

VISIBLE_CHARACTERS = 4


def mask_identifier(value: str | None) -> str:
    if not value:
        return ""
    value = str(value)
    if len(value) <= VISIBLE_CHARACTERS:
        return "*" * len(value)
    return "*" * (len(value) - VISIBLE_CHARACTERS) + value[-VISIBLE_CHARACTERS:]


def mask_postcode(value: str | None) -> str:
    """A Dutch postcode as auditors see it: the four digits, the letters hidden (``2514 AB``
    shows as ``2514 **``). The house number is never shown to them at all."""
    if not value:
        return ""
    compact = str(value).replace(" ", "").upper()
    return f"{compact[:4]} **"
