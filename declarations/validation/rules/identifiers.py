"""Rules on identifiers: the provider's IBAN (ISO 13616)."""

from django.utils.translation import gettext_lazy as _

import numpy as np
import pandas as pd

from pgb_admin.core.masking import VISIBLE_CHARACTERS

from ..engine import Context
from ..registry import Param, rule
from ._common import ERROR, TREKKINGSRECHT, on_declarations

# the format of ISO 13616, not a dated figure: a Dutch IBAN has 18 characters, others 15 to 34
NL_LENGTH, MIN_LENGTH, MAX_LENGTH = 18, 15, 34


def _iban_is_valid(ibans: pd.Series) -> np.ndarray:
    """ISO 13616 mod-97 over many IBANs at once (an NL IBAN also needs its length); each
    distinct IBAN is checked once (many declarations share a provider)."""
    which, distinct = pd.factorize(ibans.fillna("").astype(str))
    text = pd.Series(distinct, dtype=str).str.upper().str.replace(" ", "", regex=False)
    lengths = text.str.len().to_numpy()
    rearranged = (text.str[4:] + text.str[:4]).to_numpy().astype(f"U{MAX_LENGTH}")
    # one row per character position: contiguous columns for the loop
    codes = rearranged.view(np.uint32).reshape(len(text), MAX_LENGTH).T.astype(np.int64)
    digit = (codes >= 48) & (codes <= 57)
    letter = (codes >= 65) & (codes <= 90)
    bad_character = ~(digit | letter | (codes == 0)).all(axis=0)
    # a digit appends one decimal place, a letter (A=10 … Z=35) two; anything else nothing
    factor = np.where(digit, 10, np.where(letter, 100, 1))
    value = np.where(digit, codes - 48, np.where(letter, codes - 55, 0))
    remainder = np.zeros(len(text), dtype=np.int64)
    for position in range(MAX_LENGTH):
        remainder = (remainder * factor[position] + value[position]) % 97
    dutch = text.str.startswith("NL").to_numpy()
    good_length = np.where(
        dutch, lengths == NL_LENGTH, (lengths >= MIN_LENGTH) & (lengths <= MAX_LENGTH)
    )
    country = text.str[:2].str.isalpha().to_numpy() & text.str[2:4].str.isdigit().to_numpy()
    valid: np.ndarray = (remainder == 1) & ~bad_character & good_length & country
    return valid[which]


@rule(
    code="provider.iban_invalid",
    severity=ERROR,
    title=_("Provider's IBAN not valid"),
    message=_("The provider's IBAN %(iban)s is not valid: the SVB cannot pay to it."),
    fix=_("Correct the provider's IBAN."),
    source="ISO 13616 (IBAN mod-97)",
    valid_from=TREKKINGSRECHT,
    params={"iban": Param.TEXT},
)
def iban_invalid(ctx: Context) -> pd.DataFrame:
    d = ctx.declarations
    mask = ~_iban_is_valid(d["iban"])
    text = d["iban"].fillna("").astype(str)[mask]  # only the invalid ones are shown
    hidden = (text.str.len() - VISIBLE_CHARACTERS).clip(lower=0)
    masked = np.full(len(d), "", dtype=object)
    masked[mask] = (
        pd.Series("*", index=text.index).str.repeat(hidden.tolist())
        + text.str[-VISIBLE_CHARACTERS:]
    ).to_numpy()
    return on_declarations(ctx, mask, iban=masked)
