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
