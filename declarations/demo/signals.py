"""Demo cases for the audit signals that enforcement uses (issue 16, item 6), all in The Hague
(GM0518), so its municipal report shows each of them. Built after the care and declarations
of the demo year (:mod:`.care`), on holders whose story has no other purpose:

- holder 3 (represented by Vera de Wit): Vera is also her carer, "V. de Wit", living at the
  holder's address with 24 agreed hours a week: a representative who is the provider, and
  holder and carer at one address;
- holder 15: the grant decision indicates 7 hours of household help a week, fewer than declared
  in the months with five care days; a hospital stay in March with care declared during it;
  the employee paid into an account in another name;
- holder 19: died on 18 September, care declared after; a company carrying the holder's
  surname paid the formal rate;
- holder 23: a self-employed carer, "K. Kopie", declares exactly the same every month from
  January to June; on 2 March holder 13 declares the same carer too, 26 hours that day;
- The Hague's own threshold for holders per representative or bureau (5, below the national
  default): the bureau acting for 8 of its holders shows, as a municipality's own row wins.
"""

from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone

from auditlog.context import set_actor

from contracts import services as contract_services
from contracts.constants import AgreementType, ApprovalStatus, ProviderKind, Relation
from contracts.models import CareAgreement, Provider
from declarations.constants import DeclarationStatus
from declarations.models import Declaration, DeclarationLine, TimeEntry
from pgb_admin.accounts.models import User
from pgb_admin.audit.provenance import recording
from pgb_admin.budgets.constants import AdmissionKind, IndicationPeriod, Scheme
from pgb_admin.budgets.models import Budget, HolderAdmission, Indication
from pgb_admin.figures.constants import FigureKind, FigureUnit, RateUnit
from pgb_admin.figures.models import StatutoryFigure

from .care import widen_grant
from .plan import THE_HAGUE, YEAR, YEAR_START, demo_iban
from .world import DemoWorld

REPRESENTED = 3
INDICATED = 15
DECEASED = 19
COPIED = 23
SECOND_HOLDER = 13
DIED_ON = date(YEAR, 9, 18)
ADMITTED = (date(YEAR, 3, 9), date(YEAR, 3, 20))
COPY_MONTHS = range(1, 7)
COPY_DAYS = ((2, Decimal("14")), (9, Decimal("6")), (16, Decimal("6")), (23, Decimal("6")))


class DemoSignals:
    def __init__(self, world: DemoWorld) -> None:
        self.world = world
        self.admin = world.admin
        self.holders = world.holders
        self.hague = world.funders[THE_HAGUE]

    def build(self) -> dict[str, int]:
        with set_actor(self.admin):
            self._representative_at_home()
            self._indication_admission_and_account()
            self._deceased_and_family_company()
            self._copied_months()
            self._own_threshold()
        return {"signal cases": 6}

    def _wmo(self, index: int) -> Budget:
        return Budget.objects.get(holder=self.holders[index], funder=self.hague, scheme=Scheme.WMO)

    def _agreement(self, holder, provider, budget, agreement_type, product, rate, hours):
        number = next(self.world.agreement_numbers)
        agreement = contract_services.agreement_create(
            actor=self.admin,
            holder_id=holder.pk,
            provider_id=provider.pk,
            agreement_type=agreement_type,
            budget_id=budget.pk,
            product=self.world.products[product],
            valid_from=YEAR_START,
            rate=rate,
            unit=RateUnit.HOUR,
            hours_per_week=hours,
            rate_includes_holiday_pay=agreement_type == AgreementType.FAMILY,
            svb_agreement_number=f"ZO-{YEAR}-{number:06d}",
        )
        self.world.record_approval(
            agreement.versions.get(), ApprovalStatus.APPROVED, YEAR_START - timedelta(days=10)
        )
        return agreement

    def _representative_at_home(self) -> None:
        holder = self.holders[REPRESENTED]
        vera = User.objects.get(username="vertegenwoordiger")
        holder.postcode, holder.house_number = "2514AB", "17"
        holder.save(update_fields=["postcode", "house_number"])
        carer = contract_services.provider_create(
            actor=self.admin,
            holder_id=holder.pk,
            relation=Relation.OTHER_FAMILY,
            kind=ProviderKind.PERSON,
            name=f"{vera.first_name[0]}. {vera.last_name}",
            date_of_birth=date(1972, 4, 14),
            iban=demo_iban(next(self.world.accounts)),
        )
        Provider.objects.filter(pk=carer.pk).update(postcode="2514 AB", house_number="17")
        self._agreement(
            holder,
            carer,
            self._wmo(REPRESENTED),
            AgreementType.FAMILY,
            "begeleiding_individueel",
            Decimal("20.00"),
            Decimal("24"),
        )

    def _indication_admission_and_account(self) -> None:
        holder = self.holders[INDICATED]
        budget = self._wmo(INDICATED)
        Indication.objects.create(
            budget=budget,
            product=self.world.products["huishoudelijke_hulp"],
            hours=Decimal("7"),
            per=IndicationPeriod.WEEK,
            valid_from=YEAR_START,
        )
        HolderAdmission.objects.create(
            holder=holder,
            kind=AdmissionKind.HOSPITAL,
            valid_from=ADMITTED[0],
            valid_to=ADMITTED[1],
            note="Heupoperatie / hip surgery",
        )
        employee = (
            CareAgreement.objects.filter(
                holder=holder, agreement_type=AgreementType.EMPLOYMENT_HOURLY
            )
            .order_by("pk")
            .first()
        )
        if employee is not None:
            Provider.objects.filter(pk=employee.provider_id).update(account_holder="R. Verhuurder")

    def _deceased_and_family_company(self) -> None:
        holder = self.holders[DECEASED]
        holder.date_of_death = DIED_ON
        holder.save(update_fields=["date_of_death"])
        company = contract_services.provider_create(
            actor=self.admin,
            holder_id=holder.pk,
            relation=Relation.NONE,
            kind=ProviderKind.ORGANISATION,
            name=f"Zorgbureau {holder.surname} B.V.",
            iban=demo_iban(next(self.world.accounts)),
            kvk_number=str(next(self.world.kvk)),
        )
        self._agreement(
            holder,
            company,
            self._wmo(DECEASED),
            AgreementType.INSTITUTION,
            "begeleiding_individueel",
            Decimal("62.00"),
            Decimal("4"),
        )

    def _copied_months(self) -> None:
        holder, second = self.holders[COPIED], self.holders[SECOND_HOLDER]
        carer = contract_services.provider_create(
            actor=self.admin,
            holder_id=holder.pk,
            relation=Relation.NONE,
            kind=ProviderKind.PERSON,
            name="K. Kopie",
            date_of_birth=date(1979, 8, 14),
            iban=demo_iban(next(self.world.accounts)),
            kvk_number=str(next(self.world.kvk)),
            is_entrepreneur=True,
        )
        contract_services.provider_link(
            actor=self.admin, holder_id=second.pk, provider_id=carer.pk, relation=Relation.NONE
        )
        rate = Decimal("32.00")
        copied = self._agreement(
            holder,
            carer,
            self._wmo(COPIED),
            AgreementType.ASSIGNMENT,
            "begeleiding_individueel",
            rate,
            Decimal("8"),
        )
        also = self._agreement(
            second,
            carer,
            self._wmo(SECOND_HOLDER),
            AgreementType.ASSIGNMENT,
            "begeleiding_individueel",
            rate,
            Decimal("3"),
        )
        # the grant covers the six copied months (demo/care.py sizes grants before this)
        hours = sum((hours for _day, hours in COPY_DAYS), Decimal(0))
        widen_grant(self.admin, copied.versions.get(), rate * hours * len(COPY_MONTHS))
        for month in COPY_MONTHS:
            self._paid(copied, date(YEAR, month, 1), COPY_DAYS, rate)
        self._paid(also, date(YEAR, 3, 1), ((2, Decimal("12")),), rate)

    def _paid(self, agreement, month: date, days, rate: Decimal) -> None:
        """A paid declaration of the hours, with the time entries behind it."""
        version = agreement.versions.get()
        entries = [
            TimeEntry(agreement=agreement, care_date=month.replace(day=day), quantity=hours)
            for day, hours in days
        ]
        TimeEntry.objects.bulk_create(entries)
        hours = sum((hours for _, hours in days), Decimal(0))
        # paid as whoever acts for the holder recorded it from the SVB's payment overview
        recorded = recording(
            actor=self.world.recorder_of(agreement.holder_id),
            holder_id=agreement.holder_id,
            evidence=f"PGB Portaal, betaaloverzicht declaraties {month:%m-%Y}",
        )
        now = timezone.now()
        declaration = Declaration.objects.create(
            agreement=agreement,
            budget=version.budget,
            month=month,
            status=DeclarationStatus.PAID,
            total_amount=hours * rate,
            care_quantity=hours,
            submitted_at=now,
            settled_at=now,
            settled_recorded_by=recorded.user,
            settled_recorded_role=recorded.role,
            settled_evidence=recorded.evidence,
        )
        DeclarationLine.objects.bulk_create(
            DeclarationLine(
                declaration=declaration,
                version=version,
                care_date=month.replace(day=day),
                quantity=quantity,
                unit=RateUnit.HOUR,
                rate=rate,
                amount=quantity * rate,
            )
            for day, quantity in days
        )

    def _own_threshold(self) -> None:
        StatutoryFigure.objects.update_or_create(
            kind=FigureKind.SIGNAL_HOLDERS_PER_REPRESENTATIVE,
            scheme="",
            funder=self.hague,
            age_min=None,
            valid_from=YEAR_START,
            defaults={
                "unit": FigureUnit.COUNT,
                "value": Decimal("5"),
                "source": "demo: The Hague sets its own threshold",
                "verified": False,
                "note": "a municipality's own row wins over the national default",
            },
        )
