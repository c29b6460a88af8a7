"""Which class of carer gives the care, and so which maximum tariff applies: formal (a care
organisation or a registered professional), self-employed (zzp) or informal (the social network).

One function decides it for the whole project: the validation engine (vectorised over many
declarations), :attr:`contracts.models.HolderProvider.carer_class` and the report frames (one
case at a time). It imports only constants, so the engine may use it without touching the
database.

Sources: domain.md 3.6 (formal and informal care, SVB and Per Saldo); municipalities publish
three pgb tiers, professional (zorgaanbieder), self-employed (zzp) and social network, e.g.
Meerinzicht 2023 (domain.md 1).
"""

from typing import Any, overload

import numpy as np
import pandas as pd

from pgb_admin.figures.constants import CarerClass

from .constants import AgreementType, ProviderKind, Relation

# Classes of professional carers: the checks on a professional registration (KvK, AGB, BIG)
# and the "formal" group of the reports take both.
PROFESSIONAL_CLASSES = frozenset({CarerClass.FORMAL.value, CarerClass.SELF_EMPLOYED.value})

# The tariff row a class falls back to when a funder has no row of its own for it: national
# tables (Wlz, Zvw) have formal and informal rows only.
TARIFF_FALLBACK = {CarerClass.SELF_EMPLOYED.value: CarerClass.FORMAL.value}


@overload
def carer_class(relation: str, provider_kind: str, registered: Any, agreement_type: Any) -> str: ...
@overload
def carer_class(
    relation: Any, provider_kind: Any, registered: Any, agreement_type: Any
) -> np.ndarray: ...
def carer_class(relation: Any, provider_kind: Any, registered: Any, agreement_type: Any) -> Any:
    """The carer class of one case (strings in, a string out) or of many (arrays or Series
    in, an array out).

    - informal: every provider with a personal relation to the holder (partner, family,
      household, friends and neighbours), registered or not, and a person who is neither
      registered (KvK, BIG) nor working on an assignment;
    - self-employed: a person without a relation to the holder working on an assignment
      (opdrachtovereenkomst, zzp);
    - formal: an organisation, or a KvK/BIG-registered person on another agreement, without a
      relation to the holder.

    ``registered`` is true when the person has a KvK or BIG number; ``agreement_type`` may be
    missing (None) where no agreement is known, e.g. for a provider link on its own.
    """
    relations = np.asarray(relation, dtype=object)
    scalar = relations.ndim == 0
    kinds = np.asarray(provider_kind, dtype=object)
    types = np.asarray(agreement_type, dtype=object)
    known = np.asarray(registered)
    if known.dtype != bool:  # a KvK or BIG number, or a flag with gaps (NaN, None)
        flat = pd.Series(known.ravel(), dtype=object).fillna(False).astype(bool)
        known = flat.to_numpy(dtype=bool).reshape(known.shape)
    unrelated = relations == Relation.NONE.value
    organisation = kinds == ProviderKind.ORGANISATION.value
    self_employed = unrelated & ~organisation & (types == AgreementType.ASSIGNMENT.value)
    formal = unrelated & (organisation | known)
    result = np.where(
        self_employed,
        CarerClass.SELF_EMPLOYED.value,
        np.where(formal, CarerClass.FORMAL.value, CarerClass.INFORMAL.value),
    ).astype(object)
    return str(result.item()) if scalar else result
