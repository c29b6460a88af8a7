"""A believable demo world for The Hague and Assen, built through the same services as real
work. Deterministic: the same seed gives the same holders, numbers and agreements.
"""

import random
from datetime import date, timedelta
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from auditlog.context import set_actor

from contracts import services as contract_services
from contracts.constants import AgreementType, ApprovalStatus, ProviderKind, Relation
from contracts.models import AgreementVersion, Provider
from pgb_admin.accounts.constants import ACTING_ROLES, MandateRole, RepresentativeKind
from pgb_admin.accounts.models import AuditorScope, Mandate, User
from pgb_admin.budgets import services as budget_services
from pgb_admin.budgets.constants import Scheme
from pgb_admin.budgets.models import BudgetHolder, CareProduct, Funder
from pgb_admin.core.money import round_money
from pgb_admin.figures.constants import RateUnit

from .plan import (
    ASSEN,
    CARE_OFFICE,
    DEMO_PASSWORD,
    FIRST_NAMES,
    HOLDER_PLAN,
    INDEXATION,
    INSURER,
    LOGINS,
    MID_YEAR,
    MISTAKE_HOLDERS,
    ORGANISATIONS,
    PRODUCTS_OF_SCHEME,
    SEED,
    SURNAMES,
    THE_HAGUE,
    WMO_PRODUCTS_BESIDE_WLZ,
    YEAR,
    YEAR_END,
    YEAR_START,
    demo_backup_codes_renew,
    demo_bsns,
    demo_iban,
)


class DemoWorld:
    def __init__(self) -> None:
        self.rng = random.Random(SEED)  # noqa: S311  (reproducible demo data, not secrets)
        self.bsns = demo_bsns()
        self.accounts = iter(range(1_000_001, 9_999_999, 7919))
        self.kvk = iter(range(70_000_001, 79_999_999, 3))
        self.agb = iter(range(91_000_001, 91_999_999, 11))
        self.agreement_numbers = iter(range(1, 10_000))
        self.funders = {funder.code: funder for funder in Funder.objects.all()}
        self.products = {product.code: product for product in CareProduct.objects.all()}
        self.organisations: dict[tuple[str, int], Provider] = {}
        self.counts = {"holders": 0, "budgets": 0, "providers": 0, "agreements": 0, "versions": 0}
        self.holders: list[BudgetHolder] = []
        self.users: dict[str, User] = {}
        # the funder's decisions, recorded once the people acting for the holders exist
        self.approvals: list[tuple[AgreementVersion, str, date]] = []
        self._recorders: dict[int, User] = {}

    def build(self) -> dict[str, int]:
        users = self.users = self._users()
        self.admin = users["beheer"]
        with set_actor(self.admin):
            holders = [self._holder(index, plan) for index, plan in enumerate(HOLDER_PLAN)]
            self.holders = holders
            self._mandates(users, holders)
            for version, status, decided_on in self.approvals:
                self.record_approval(version, status, decided_on)
            self._auditors(users)
            demo_backup_codes_renew()
        return self.counts

    # people and access ------------------------------------------------------------------

    def _users(self) -> dict[str, User]:
        password = make_password(DEMO_PASSWORD)  # hashed once: hashing is slow on purpose
        users = {}
        for login in LOGINS:
            is_admin = login.username == "beheer"
            users[login.username] = User.objects.create(
                username=login.username,
                first_name=login.first_name,
                last_name=login.last_name,
                email=f"{login.username}@example.org",
                password=password,
                is_staff=is_admin,
                is_superuser=is_admin,
            )
        return users

    def _mandates(self, users: dict[str, User], holders: list[BudgetHolder]) -> None:
        grants: list[tuple[User, BudgetHolder, str, str, date, date | None]] = [
            (users["jansen"], holders[0], MandateRole.HOLDER, "", YEAR_START, None)
        ]
        kinds = [
            RepresentativeKind.PARENT,
            RepresentativeKind.BEWINDVOERDER,
            RepresentativeKind.MENTOR,
        ]
        grants += [
            (users["vertegenwoordiger"], holder, MandateRole.REPRESENTATIVE, kind, YEAR_START, None)
            for holder, kind in zip(holders[1:4], kinds, strict=True)
        ]
        grants += [
            (users["bureau"], holder, MandateRole.BUREAU, "", YEAR_START, None)
            for holder in holders[4:24]
        ]
        grants.append(
            (users["familie"], holders[24], MandateRole.FAMILY_READONLY, "", YEAR_START, None)
        )
        grants.append(
            (
                users["oud.vertegenwoordiger"],
                holders[1],
                MandateRole.REPRESENTATIVE,
                RepresentativeKind.AUTHORISED,
                date(YEAR - 2, 1, 1),
                date(YEAR - 1, 12, 31),
            )
        )
        for user, holder, role, kind, valid_from, valid_to in grants:
            mandate = Mandate(
                user=user,
                holder=holder,
                role=role,
                representative_kind=kind,
                valid_from=valid_from,
                valid_to=valid_to,
            )
            mandate.full_clean()
            mandate.save()

    def _auditors(self, users: dict[str, User]) -> None:
        for username, code in (("controleur.denhaag", THE_HAGUE), ("controleur.assen", ASSEN)):
            scope = AuditorScope(
                user=users[username], funder=self.funders[code], valid_from=YEAR_START
            )
            scope.full_clean()
            scope.save()

    # holders, grants and agreements -----------------------------------------------------------

    def _holder(self, index: int, plan: tuple[str, tuple[str, ...]]) -> BudgetHolder:
        municipality, schemes = plan
        is_child = Scheme.JEUGDWET in schemes
        first_name = "Johan" if index == 0 else self.rng.choice(FIRST_NAMES)
        surname = "Jansen" if index == 0 else self.rng.choice(SURNAMES)
        birth_year = self.rng.randint(2010, 2019) if is_child else self.rng.randint(1938, 2001)
        holder = BudgetHolder(
            initials=f"{first_name[0]}.",
            first_name=first_name,
            surname=surname,
            bsn=next(self.bsns),
            date_of_birth=date(birth_year, self.rng.randint(1, 12), self.rng.randint(1, 28)),
            svb_client_number=f"{40_000_000 + index * 37:08d}",
        )
        holder.full_clean()
        holder.save()
        holder.funders.add(self.funders[municipality])
        self.counts["holders"] += 1
        self._indexed = index not in MISTAKE_HOLDERS
        for scheme in schemes:
            self._grant_with_agreements(
                holder, municipality, scheme, index, beside_wlz=Scheme.WLZ in schemes
            )
        return holder

    def _grant_with_agreements(
        self, holder, municipality: str, scheme: str, index: int, *, beside_wlz: bool = False
    ) -> None:
        funder_of_scheme: dict[str, str] = {
            Scheme.WMO: municipality,
            Scheme.JEUGDWET: municipality,
            Scheme.WLZ: CARE_OFFICE[municipality],
            Scheme.ZVW: INSURER,
        }
        funder_code = funder_of_scheme[scheme]
        # Most decisions came in December; a few this autumn, still open to objection.
        decision_date = date(YEAR, 11, 2) if index % 9 == 5 else date(YEAR - 1, 12, 1 + index % 20)
        # beside a Wlz grant the Wmo covers no need the Wlz covers (plan.py)
        wmo_beside_wlz = beside_wlz and scheme == Scheme.WMO
        products = WMO_PRODUCTS_BESIDE_WLZ if wmo_beside_wlz else PRODUCTS_OF_SCHEME[scheme]
        budget = budget_services.budget_create(
            actor=self.admin,
            holder_id=holder.pk,
            funder=self.funders[funder_code],
            scheme=scheme,
            products=[self.products[code] for code in products],
            start_date=YEAR_START,
            end_date=YEAR_END,
            amount=self._grant_amount(scheme),
            decision_date=decision_date,
            decision_reference=f"{funder_code}-{YEAR}-{index + 1:04d}-{scheme}",
        )
        self.counts["budgets"] += 1
        plan = (
            [self._institution_household_help, self._employee_hourly]
            if wmo_beside_wlz
            else self._agreement_plan(scheme, index)
        )
        for make_agreement in plan:
            make_agreement(holder, budget, municipality)

    def _grant_amount(self, scheme: str) -> Decimal:
        amounts: dict[str, tuple[int, int]] = {
            Scheme.WMO: (4_000, 18_000),
            Scheme.JEUGDWET: (8_000, 24_000),
            Scheme.WLZ: (35_000, 95_000),
            Scheme.ZVW: (15_000, 40_000),
        }
        low, high = amounts[scheme]
        return Decimal(self.rng.randrange(low, high, 250))

    def _agreement_plan(self, scheme: str, index: int):
        if scheme == Scheme.WMO:
            plan = [self._institution_household_help]
            plan.append(self._employee_hourly if index % 2 else self._family_support)
        elif scheme == Scheme.JEUGDWET:
            plan = [self._family_support, self._institution_short_stay]
        elif scheme == Scheme.WLZ:
            plan = [self._employee_fixed, self._self_employed_nursing, self._institution_day_parts]
        else:
            plan = [self._self_employed_nursing, self._family_personal_care]
        return plan

    def _institution_household_help(self, holder, budget, municipality) -> None:
        provider = self._organisation(holder, municipality, 0)
        self._agreement(
            holder,
            provider,
            budget,
            AgreementType.INSTITUTION,
            "huishoudelijke_hulp",
            Decimal("29.00"),
            RateUnit.HOUR,
            Decimal("3"),
        )

    def _institution_short_stay(self, holder, budget, municipality) -> None:
        provider = self._organisation(holder, municipality, 1)
        self._agreement(
            holder,
            provider,
            budget,
            AgreementType.INSTITUTION,
            "kortdurend_verblijf",
            Decimal("135.00"),
            RateUnit.DAY,
            None,
        )

    def _institution_day_parts(self, holder, budget, municipality) -> None:
        provider = self._organisation(holder, municipality, 1)
        self._agreement(
            holder,
            provider,
            budget,
            AgreementType.INSTITUTION,
            "begeleiding_groep",
            Decimal("62.00"),
            RateUnit.DAY_PART,
            None,
        )

    def _employee_hourly(self, holder, budget, municipality) -> None:
        provider = self._person(holder, Relation.NONE)
        self._agreement(
            holder,
            provider,
            budget,
            AgreementType.EMPLOYMENT_HOURLY,
            "huishoudelijke_hulp",
            Decimal("18.25"),
            RateUnit.HOUR,
            Decimal("4"),
            holiday_pay=True,
        )

    def _employee_fixed(self, holder, budget, municipality) -> None:
        provider = self._person(holder, Relation.NONE)
        self._agreement(
            holder,
            provider,
            budget,
            AgreementType.EMPLOYMENT_FIXED,
            "persoonlijke_verzorging",
            Decimal("1950.00"),
            RateUnit.MONTH,
            Decimal("24"),
            holiday_pay=True,
        )

    def _family_support(self, holder, budget, municipality) -> None:
        relation = Relation.PARENT if budget.scheme == Scheme.JEUGDWET else Relation.PARTNER
        provider = self._person(holder, relation)
        self._agreement(
            holder,
            provider,
            budget,
            AgreementType.FAMILY,
            "begeleiding_individueel",
            Decimal("20.00"),
            RateUnit.HOUR,
            Decimal("6"),
            holiday_pay=True,
        )

    def _family_personal_care(self, holder, budget, municipality) -> None:
        provider = self._person(holder, Relation.CHILD)
        self._agreement(
            holder,
            provider,
            budget,
            AgreementType.FAMILY,
            "persoonlijke_verzorging",
            Decimal("22.00"),
            RateUnit.HOUR,
            Decimal("8"),
            holiday_pay=True,
        )

    def _self_employed_nursing(self, holder, budget, municipality) -> None:
        provider = self._person(holder, Relation.NONE, self_employed=True)
        self._agreement(
            holder,
            provider,
            budget,
            AgreementType.ASSIGNMENT,
            "verpleging",
            Decimal("58.00"),
            RateUnit.HOUR,
            Decimal("6"),
            travel=Decimal("0.23"),
        )

    def _organisation(self, holder, municipality: str, which: int) -> Provider:
        provider = self.organisations.get((municipality, which))
        if provider is None:
            name, kvk, agb = ORGANISATIONS[municipality][which]
            provider = contract_services.provider_create(
                actor=self.admin,
                holder_id=holder.pk,
                relation=Relation.NONE,
                kind=ProviderKind.ORGANISATION,
                name=name,
                iban=demo_iban(next(self.accounts)),
                kvk_number=kvk,
                agb_code=agb,
            )
            self.organisations[municipality, which] = provider
            self.counts["providers"] += 1
        elif not provider.holder_links.filter(holder=holder).exists():
            contract_services.provider_link(
                actor=self.admin,
                holder_id=holder.pk,
                provider_id=provider.pk,
                relation=Relation.NONE,
            )
        return provider

    def _person(self, holder, relation: str, *, self_employed: bool = False) -> Provider:
        first_name = self.rng.choice(FIRST_NAMES)
        surname = holder.surname if relation != Relation.NONE else self.rng.choice(SURNAMES)
        fields = {
            "kind": ProviderKind.PERSON,
            "name": f"{first_name[0]}. {surname}",
            "date_of_birth": date(self.rng.randint(1960, 2000), self.rng.randint(1, 12), 14),
            "iban": demo_iban(next(self.accounts)),
        }
        if self_employed:
            fields.update(
                kvk_number=str(next(self.kvk)), agb_code=str(next(self.agb)), is_entrepreneur=True
            )
        if relation == Relation.PARENT:
            fields["date_of_birth"] = date(self.rng.randint(1975, 1988), 5, 14)
        provider = contract_services.provider_create(
            actor=self.admin, holder_id=holder.pk, relation=relation, **fields
        )
        self.counts["providers"] += 1
        return provider

    def _agreement(
        self,
        holder,
        provider,
        budget,
        agreement_type,
        product_code,
        rate,
        unit,
        hours_per_week,
        *,
        holiday_pay=False,
        travel=None,
    ) -> None:
        number = next(self.agreement_numbers)
        agreement = contract_services.agreement_create(
            actor=self.admin,
            holder_id=holder.pk,
            provider_id=provider.pk,
            agreement_type=agreement_type,
            budget_id=budget.pk,
            product=self.products[product_code],
            valid_from=YEAR_START,
            rate=rate,
            unit=unit,
            hours_per_week=hours_per_week,
            rate_includes_holiday_pay=holiday_pay,
            travel_allowance_per_km=travel,
            svb_agreement_number=f"ZO-{YEAR}-{number:06d}",
        )
        self.counts["agreements"] += 1
        self.counts["versions"] += 1
        first = agreement.versions.get()
        if number % 11 == 7:
            return  # still awaiting the funder's approval
        status = ApprovalStatus.REJECTED if number % 23 == 13 else ApprovalStatus.APPROVED
        self._approve(first, status, YEAR_START - timedelta(days=10))
        if number % 4 == 0 and status == ApprovalStatus.APPROVED and self._indexed:
            # indexation of the rate from 1 July: a new version, history kept
            raised = round_money(rate * INDEXATION)
            version = contract_services.agreement_change(
                actor=self.admin,
                agreement_id=agreement.pk,
                effective_from=MID_YEAR,
                reason="Indexatie per 1 juli / indexation from 1 July",
                rate=raised,
            )
            self._approve(version, ApprovalStatus.APPROVED, MID_YEAR - timedelta(days=14))
            self.counts["versions"] += 1

    def _approve(self, version: AgreementVersion, status: str, decided_on: date) -> None:
        self.approvals.append((version, status, decided_on))

    # the decisions of others, typed in as the holder's people saw them --------------------------

    def recorder_of(self, holder_id: int) -> User:
        """Who types in the funder's and the SVB's decisions for a holder: whoever acts for
        them (the holder, their representative or bureau), else the back office."""
        if holder_id not in self._recorders:
            mandate = (
                Mandate.objects.valid_on(timezone.localdate())
                .filter(holder_id=holder_id, role__in=ACTING_ROLES)
                .select_related("user")
                .order_by("pk")
                .first()
            )
            self._recorders[holder_id] = mandate.user if mandate else self.admin
        return self._recorders[holder_id]

    def record_approval(self, version: AgreementVersion, status: str, decided_on: date) -> None:
        agreement = version.agreement
        contract_services.agreement_record_approval(
            actor=self.recorder_of(agreement.holder_id),
            version_id=version.pk,
            status=status,
            decided_on=decided_on,
            evidence=portal_message(decided_on, agreement.svb_agreement_number),
        )


def portal_message(on: date, agreement_number: str) -> str:
    """The demo's evidence of a funder's decision: the PGB Portaal message it came in."""
    return f"PGB Portaal, bericht van {on:%d-%m-%Y} over zorgovereenkomst {agreement_number}"


@transaction.atomic
def load_demo_world() -> dict[str, int]:
    from .care import DemoCare
    from .signals import DemoSignals

    world = DemoWorld()
    counts = world.build()
    counts.update(DemoCare(world).build())
    counts.update(DemoSignals(world).build())
    return counts
