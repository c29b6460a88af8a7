"""One decision of the carer class (formal, self-employed, informal) for the whole project:
contracts.carers.carer_class, used by the validation engine, HolderProvider.carer_class and
the report frames (issue 16, item 7)."""

from datetime import date

import numpy as np
import pandas as pd
import pytest

from contracts.carers import PROFESSIONAL_CLASSES, carer_class
from contracts.constants import AgreementType, ProviderKind, Relation
from pgb_admin.budgets.models import Budget
from pgb_admin.figures.constants import CarerClass
from reports.frames import load_report_data
from tests.factories import (
    AgreementVersionFactory,
    BudgetHolderFactory,
    CareAgreementFactory,
    HolderProviderFactory,
    ProviderFactory,
)

# (relation, kind, KvK or BIG number, agreement type) -> class
CASES = [
    (Relation.NONE, ProviderKind.ORGANISATION, "12345678", AgreementType.INSTITUTION, "formal"),
    (Relation.NONE, ProviderKind.PERSON, "12345678", AgreementType.ASSIGNMENT, "self_employed"),
    (Relation.NONE, ProviderKind.PERSON, "", AgreementType.ASSIGNMENT, "self_employed"),
    (Relation.NONE, ProviderKind.PERSON, "12345678", AgreementType.EMPLOYMENT_HOURLY, "formal"),
    (Relation.NONE, ProviderKind.PERSON, "", AgreementType.EMPLOYMENT_HOURLY, "informal"),
    (Relation.NETWORK, ProviderKind.PERSON, "12345678", AgreementType.ASSIGNMENT, "informal"),
    (Relation.PARTNER, ProviderKind.PERSON, "", AgreementType.FAMILY, "informal"),
    (Relation.CHILD, ProviderKind.PERSON, "12345678", AgreementType.FAMILY, "informal"),
]


@pytest.mark.parametrize(("relation", "kind", "number", "agreement_type", "expected"), CASES)
def test_one_case(relation, kind, number, agreement_type, expected):
    assert carer_class(relation, kind, bool(number), agreement_type) == expected


def test_many_cases_at_once_as_the_engine_asks():
    frame = pd.DataFrame(CASES, columns=["relation", "kind", "number", "type", "expected"])
    registered = frame["number"].astype(bool).astype(object)
    registered.iloc[0] = np.nan  # a gap after a left merge counts as not registered
    classes = carer_class(frame["relation"], frame["kind"], registered, frame["type"])
    expected = frame["expected"].to_numpy().copy()
    expected[0] = "formal"  # an organisation is formal, registered or not
    assert list(classes) == list(expected)
    assert set(PROFESSIONAL_CLASSES) == {CarerClass.FORMAL, CarerClass.SELF_EMPLOYED}


def test_the_link_and_the_report_frames_agree_with_it(db):
    holder = BudgetHolderFactory()
    seen = {}
    for relation, kind, number, agreement_type, expected in CASES:
        provider = ProviderFactory(kind=kind, kvk_number=number)
        link = HolderProviderFactory(holder=holder, provider=provider, relation=relation)
        agreement = CareAgreementFactory(
            holder=holder, provider=provider, agreement_type=agreement_type
        )
        AgreementVersionFactory(agreement=agreement, valid_from=date(2026, 1, 1))
        assert link.carer_class == expected, (relation, kind, number, agreement_type)
        seen[agreement.pk] = expected
    versions = load_report_data(
        Budget.objects.filter(holder=holder), today=date(2026, 6, 1)
    ).versions
    assert dict(zip(versions["agreement_id"], versions["carer_class"], strict=True)) == seen
