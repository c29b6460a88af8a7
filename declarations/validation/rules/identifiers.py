"""Rules on identifiers: the provider's IBAN (ISO 13616), and the registrations formal care
needs (KvK, AGB, SBI, BIG)."""

from django.utils.translation import gettext_lazy as _

import numpy as np
import pandas as pd

from contracts.carers import PROFESSIONAL_CLASSES
from pgb_admin.core.masking import VISIBLE_CHARACTERS

from ..engine import Context
from ..registry import Param, rule
from ._common import ERROR, TREKKINGSRECHT, on_declarations, on_segments

# the format of ISO 13616, not a dated figure: a Dutch IBAN has 18 characters, others 15 to 34
NL_LENGTH, MIN_LENGTH, MAX_LENGTH = 18, 15, 34


def _iban_is_valid(ibans: pd.Series) -> np.ndarray:
    """ISO 13616 mod-97 over many IBANs at once (an NL IBAN also needs its length), on fixed
    width unicode arrays: one row of code points per IBAN, one step per character position."""
    text = ibans.fillna("").to_numpy(dtype=object).astype(str)
    text = np.strings.replace(np.strings.upper(text), " ", "")
    lengths = np.strings.str_len(text)
    width = max(text.dtype.itemsize // 4, 4)
    codes = np.ascontiguousarray(text.astype(f"U{width}")).view(np.uint32)
    # one row per character position: contiguous rows for the loop
    codes = codes.reshape(len(text), width).T.astype(np.int64)
    digit = (codes >= 48) & (codes <= 57)
    letter = (codes >= 65) & (codes <= 90)
    bad_character = ~(digit | letter | (codes == 0)).all(axis=0)
    # a digit appends one decimal place, a letter (A=10 … Z=35) two; the padding nothing
    factor = np.where(digit, 10, np.where(letter, 100, 1))
    value = np.where(digit, codes - 48, np.where(letter, codes - 55, 0))
    remainder = np.zeros(len(text), dtype=np.int64)
    # the first four characters move to the end (the padding between adds nothing)
    for position in [*range(4, width), *range(4)]:
        remainder = (remainder * factor[position] + value[position]) % 97
    dutch = (codes[0] == ord("N")) & (codes[1] == ord("L"))
    good_length = np.where(
        dutch, lengths == NL_LENGTH, (lengths >= MIN_LENGTH) & (lengths <= MAX_LENGTH)
    )
    country = letter[0] & letter[1] & digit[2] & digit[3]
    valid: np.ndarray = (remainder == 1) & ~bad_character & good_length & country
    return valid


@rule(
    code="provider.iban_invalid",
    severity=ERROR,
    title=_("Provider's IBAN not valid"),
    message=_("The provider's IBAN %(iban)s is not valid: the SVB cannot pay to it."),
    fix=_("Correct the provider's IBAN."),
    source=_("ISO 13616 (IBAN mod-97)"),
    valid_from=TREKKINGSRECHT,
    params={"iban": Param.TEXT},
)
def iban_invalid(ctx: Context) -> pd.DataFrame:
    """Each provider's IBAN is checked once (many declarations share a provider); a
    declaration without a known provider has no IBAN, which is not valid."""
    d = ctx.declarations
    providers = ctx.inp.providers
    provider_valid = np.append(_iban_is_valid(providers["iban"]), False)
    row = pd.Index(providers["provider_id"]).get_indexer(d["provider_id"])
    mask = ~provider_valid[row]  # row -1: the appended False
    text = d["iban"].fillna("").astype(str)[mask]  # only the invalid ones are shown
    hidden = (text.str.len() - VISIBLE_CHARACTERS).clip(lower=0)
    masked = np.full(len(d), "", dtype=object)
    masked[mask] = (
        pd.Series("*", index=text.index).str.repeat(hidden.tolist())
        + text.str[-VISIBLE_CHARACTERS:]
    ).to_numpy()
    return on_declarations(ctx, mask, iban=masked)


# The SVB pays the formal rate only to a provider who gives care professionally: registered
# in the Handelsregister (KvK) or with an AGB code (Vektis). Under the Zvw the insurer also
# wants the AGB code and, for an organisation, health or social care as its activity (SBI 86,
# 87 or 88), or else a BIG-registered professional.
ZVW_CARE_SBI = ("86", "87", "88")


@rule(
    code="provider.formal_without_registration",
    severity=ERROR,
    title=_("Formal care without KvK number or AGB code"),
    message=_(
        "The agreement version from %(start)s pays the formal rate, but the provider has "
        "neither a KvK number nor an AGB code."
    ),
    fix=_(
        "Register the provider's KvK number or AGB code, or agree the informal rate "
        "(sociaal netwerk)."
    ),
    source=_(
        "SVB: formal care is given professionally, with a KvK registration or an AGB code "
        "(svb.nl, Per Saldo: formele en informele zorg)"
    ),
    valid_from=TREKKINGSRECHT,
    params={"start": Param.DATE},
)
def formal_without_registration(ctx: Context) -> pd.DataFrame:
    s = ctx.segments
    formal = s["has_version"].to_numpy() & s["carer_class"].isin(PROFESSIONAL_CLASSES).to_numpy()
    registered = s["has_kvk"].fillna(False).astype(bool) | s["has_agb"].fillna(False).astype(bool)
    return on_segments(ctx, formal & ~registered.to_numpy(), start="valid_from")


@rule(
    code="provider.zvw_formal_requirements",
    severity=ERROR,
    title=_("Zvw formal care without AGB code, care SBI code or BIG registration"),
    message=_(
        "Under the Zvw the formal rate (agreement version from %(start)s) needs the provider's "
        "AGB code, and an organisation in health or social care (SBI 86, 87 or 88) or a "
        "BIG-registered professional."
    ),
    fix=_(
        "Register the provider's AGB code and SBI code or BIG number, or agree the informal rate."
    ),
    source=_(
        "SVB: Tarieven bij een Zvw-budget; Per Saldo: formele zorg in de Zvw (AGB code, SBI "
        "86/87/88 or BIG)"
    ),
    valid_from=TREKKINGSRECHT,
    params={"start": Param.DATE},
)
def zvw_formal_requirements(ctx: Context) -> pd.DataFrame:
    s = ctx.segments
    formal = (
        s["has_version"].to_numpy()
        & s["carer_class"].isin(PROFESSIONAL_CLASSES).to_numpy()
        & (s["scheme"] == "zvw").to_numpy()
    )
    # the SBI code's text, once per distinct code (no code: no care business)
    codes, values = pd.factorize(s["sbi_code"])
    sections = pd.Series(values, dtype=object).astype(str).str.replace(".", "", regex=False)
    in_care = np.append(sections.str[:2].isin(ZVW_CARE_SBI).to_numpy(), False)
    care_business = (s["provider_kind"] == "organisation").to_numpy() & in_care[codes]
    big = s["has_big"].fillna(False).astype(bool).to_numpy()
    agb = s["has_agb"].fillna(False).astype(bool).to_numpy()
    return on_segments(ctx, formal & ~(agb & (care_business | big)), start="valid_from")
