"""factory_boy factories for the core model. Identifiers are generated valid (BSN 11-proef,
IBAN mod-97) so tests only meet invalid ones on purpose."""

from datetime import date
from decimal import Decimal

import factory
from factory.django import DjangoModelFactory

from contracts.constants import AgreementType, ApprovalStatus, ProviderKind, Relation
from contracts.models import AgreementVersion, CareAgreement, HolderProvider, Provider
from pgb_admin.accounts.constants import MandateRole
from pgb_admin.accounts.models import AuditorScope, Mandate, ProviderAccess, User
from pgb_admin.budgets.constants import FunderKind, Scheme
from pgb_admin.budgets.models import Budget, BudgetHolder, CareProduct, Funder
from pgb_admin.figures.constants import RateUnit

BSN_WEIGHTS = (9, 8, 7, 6, 5, 4, 3, 2)


def bsn_from(number: int) -> str:
    """A valid BSN derived from ``number``: its first eight digits come from the number, the
    ninth makes the 11-proef pass (numbers whose check digit would be 10 move on by one)."""
    while True:
        head = f"{number % 100_000_000:08d}"
        remainder = (
            sum(int(digit) * weight for digit, weight in zip(head, BSN_WEIGHTS, strict=True)) % 11
        )
        if remainder != 10 and head != "00000000":
            return head + str(remainder)
        number += 1


def iban_from(number: int, bank: str = "TEST") -> str:
    bban = f"{bank}{number % 10_000_000_000:010d}"
    digits = "".join(str(int(character, 36)) for character in bban + "NL00")
    return f"NL{98 - int(digits) % 97:02d}{bban}"


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password("correct-horse-battery")


class FunderFactory(DjangoModelFactory):
    class Meta:
        model = Funder
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"GM{9000 + n:04d}")
    name = factory.Sequence(lambda n: f"Gemeente {n}")
    kind = FunderKind.MUNICIPALITY


class CareProductFactory(DjangoModelFactory):
    class Meta:
        model = CareProduct
        django_get_or_create = ("code",)

    code = "begeleiding_individueel"
    name_nl = "Individuele begeleiding"
    name_en = "Individual support"


class BudgetHolderFactory(DjangoModelFactory):
    class Meta:
        model = BudgetHolder
        skip_postgeneration_save = True

    initials = "A."
    first_name = factory.Sequence(lambda n: f"Anna{n}")
    surname = "de Vries"
    bsn = factory.Sequence(lambda n: bsn_from(123_456_00 + n * 13))
    date_of_birth = date(1980, 5, 17)

    @factory.post_generation
    def funders(self, create, extracted, **kwargs):
        if create and extracted:
            self.funders.set(extracted)


class BudgetFactory(DjangoModelFactory):
    class Meta:
        model = Budget
        skip_postgeneration_save = True

    holder = factory.SubFactory(BudgetHolderFactory)
    funder = factory.SubFactory(FunderFactory)
    scheme = Scheme.WMO
    start_date = date(2026, 1, 1)
    end_date = date(2026, 12, 31)
    amount = Decimal("12000.00")
    decision_date = date(2025, 12, 1)
    decision_reference = factory.Sequence(lambda n: f"BESCHIKKING-{n}")

    @factory.post_generation
    def products(self, create, extracted, **kwargs):
        if create:
            self.products.set(extracted or [CareProductFactory()])
            self.holder.funders.add(self.funder)


class ProviderFactory(DjangoModelFactory):
    class Meta:
        model = Provider

    kind = ProviderKind.PERSON
    name = factory.Sequence(lambda n: f"P. Zorg{n}")
    date_of_birth = date(1985, 3, 3)
    iban = factory.Sequence(lambda n: iban_from(1000 + n))


class HolderProviderFactory(DjangoModelFactory):
    class Meta:
        model = HolderProvider

    holder = factory.SubFactory(BudgetHolderFactory)
    provider = factory.SubFactory(ProviderFactory)
    relation = Relation.NONE


class CareAgreementFactory(DjangoModelFactory):
    class Meta:
        model = CareAgreement

    holder = factory.SubFactory(BudgetHolderFactory)
    provider = factory.SubFactory(ProviderFactory)
    agreement_type = AgreementType.EMPLOYMENT_HOURLY


class AgreementVersionFactory(DjangoModelFactory):
    class Meta:
        model = AgreementVersion

    agreement = factory.SubFactory(CareAgreementFactory)
    budget = factory.SubFactory(BudgetFactory, holder=factory.SelfAttribute("..agreement.holder"))
    product = factory.SubFactory(CareProductFactory)
    valid_from = date(2026, 1, 1)
    rate = Decimal("18.50")
    unit = RateUnit.HOUR
    hours_per_week = Decimal("8")
    approval_status = ApprovalStatus.APPROVED


class MandateFactory(DjangoModelFactory):
    class Meta:
        model = Mandate

    user = factory.SubFactory(UserFactory)
    holder = factory.SubFactory(BudgetHolderFactory)
    role = MandateRole.REPRESENTATIVE
    valid_from = date(2026, 1, 1)


class ProviderAccessFactory(DjangoModelFactory):
    """A care provider's login to one agreement (issue 19): no mandate."""

    class Meta:
        model = ProviderAccess

    user = factory.SubFactory(UserFactory)
    agreement = factory.SubFactory(CareAgreementFactory)
    valid_from = date(2026, 1, 1)


class AuditorScopeFactory(DjangoModelFactory):
    class Meta:
        model = AuditorScope

    user = factory.SubFactory(UserFactory)
    funder = factory.SubFactory(FunderFactory)
    valid_from = date(2026, 1, 1)
