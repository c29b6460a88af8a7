"""A year of care in the demo world: hours and costs from January, declarations validated,
exported, submitted and paid month by month, October validated and waiting for export, and May
full of mistakes, so every rule of the catalogue shows a finding straight after ``make run``.

History is validated as it would have been at the time (two weeks after each month); May,
October and the month in progress are validated today.
"""

from collections import defaultdict
from datetime import date, time, timedelta
from decimal import Decimal

from django.utils import timezone

from auditlog.context import set_actor

from contracts import services as contract_services
from contracts.constants import AgreementType, ApprovalStatus, ProviderKind, Relation
from contracts.models import AgreementVersion, CareAgreement, Provider
from declarations.constants import DeclarationStatus, Severity
from declarations.models import Declaration, Expense, Finding, TimeEntry
from declarations.selectors.batches import channel_q
from declarations.services import batches as batch_services
from declarations.services import declarations as declaration_services
from declarations.services import hours as hour_services
from declarations.services.batches import NothingToExport
from declarations.services.declarations import draft_lines
from declarations.services.findings import validate_declarations
from pgb_admin.audit.provenance import recording
from pgb_admin.budgets import services as budget_services
from pgb_admin.budgets.constants import Channel, IndicationPeriod, Scheme
from pgb_admin.budgets.models import Indication
from pgb_admin.core.money import round_money
from pgb_admin.core.periods import month_end, month_start, next_month, previous_month
from pgb_admin.figures.constants import CarerClass, RateUnit
from pgb_admin.figures.models import MaxTariff

from .plan import CARE_OFFICE, THE_HAGUE, YEAR, YEAR_END, YEAR_START, demo_iban
from .world import DemoWorld

MAY = date(YEAR, 5, 1)
QUARTER = Decimal("0.25")
ACKNOWLEDGED = "Afgestemd met de gemeente / agreed with the municipality"

# The holders (by their place in HOLDER_PLAN) whose May goes wrong, and how.
EXCEEDS_GRANT = 4  # Wmo, Assen: grant too small, exceeded in May, no care after
NEARLY_EXHAUSTED = 5  # Wmo, The Hague: grant nearly used up in May, no care after
GRANT_ENDED = 6  # Jeugdwet, Assen: grant decided for January to April only
FIXED_PAY_DECLARED = 7  # Wlz, The Hague: declares the fixed wage, lowered below the minimum
# wage in May for the same hours; its nurse also works for 17
RATE_ABOVE_MAXIMUM = 8  # Wmo, Assen: family rate above the informal maximum in May
BELOW_MINIMUM_WAGE = 9  # Wmo, The Hague: employee below the minimum wage, 4 days in a week
INDICATED = BELOW_MINIMUM_WAGE  # 36 hours of household help a month indicated: May has more
AGREEMENT_ENDED = 10  # Wmo, Assen: family agreement ended 15 May, care logged after
ZERO_AND_INVOICE = 13  # Wmo, The Hague: a zero entry, an invoice at another rate than agreed
PRODUCT_WITHDRAWN = 12  # Wlz, Assen: nursing withdrawn from the grant by a revised decision
OVERLAPPING_DAY = 14  # Wmo, Assen: two overlapping entries of 13 hours on one day
TAKEN_OVER = 16  # Jeugdwet, Assen: taken over from an older program: bad IBAN, bad amount,
# the parent's fixed monthly amount without its hours a week
SHARED_NURSE = 17  # Wlz, The Hague: holder 7's nurse too: over 24 hours a day, 60 a week
PRIOR_YEAR = 24  # a Wlz declaration for December of last year, made after 1 April
# Jeugdwet, The Hague: one home help employed by both works 61 hours in the week of 18 May,
# 15 of them on the Wednesday (the Working Hours Act, over her employment agreements)
LONG_WEEK = (11, 25)
LONG_WEEK_START = date(YEAR, 5, 18)
FORMAL_UNREGISTERED = 28  # Wlz, The Hague: a BIG nurse without KvK or AGB paid the formal rate
# audit signals for the municipal reports (not validation errors)
SHARED_ACCOUNT = (BELOW_MINIMUM_WAGE, ZERO_AND_INVOICE)  # The Hague: two providers, one IBAN


class DemoCare:
    def __init__(self, world: DemoWorld) -> None:
        self.world = world
        self.admin = world.admin
        self.holders = world.holders
        self.today = timezone.localdate()
        # the month in progress (December when the demo is loaded after the demo year)
        self.current = month_start(min(self.today, YEAR_END))
        self.last_day: dict[int, date] = {}  # agreement -> last day of logged care
        self.entries: list[TimeEntry] = []
        self.counts: dict[str, int] = defaultdict(int)

    def build(self) -> dict[str, int]:
        with set_actor(self.admin):
            self._may_changes()
            self._regular_care()
            self._may_mistakes()
            TimeEntry.objects.bulk_create(self.entries, batch_size=2000)
            self._travel_costs()
            for month in self._months():
                if month == MAY:
                    self._withdraw_product()
                    self._declare_today(MAY)
                elif month == previous_month(self.current):
                    self._declare_today(month)  # last month: validated, awaiting export
                else:
                    self._declare_history(month)
            self._month_in_progress()
            self._prior_year_declaration()
            self._taken_over_data()
        self.counts["time entries"] = TimeEntry.objects.count()
        self.counts["declarations"] = Declaration.objects.count()
        self.counts["findings"] = Finding.objects.count()
        return dict(self.counts)

    def _months(self) -> list[date]:
        months, month = [], YEAR_START
        while month < self.current:
            months.append(month)
            month = next_month(month)
        return months

    # --- agreements and grants ------------------------------------------------------------

    def _agreements(self, index: int, agreement_type: str | None = None) -> list[CareAgreement]:
        agreements = CareAgreement.objects.filter(holder=self.holders[index]).order_by("pk")
        if agreement_type:
            agreements = agreements.filter(agreement_type=agreement_type)
        return list(agreements)

    def _change(self, agreement, effective_from: date, **changes) -> None:
        version = contract_services.agreement_change(
            actor=self.admin,
            agreement_id=agreement.pk,
            effective_from=effective_from,
            reason="demo",
            **changes,
        )
        self.world.record_approval(
            version, ApprovalStatus.APPROVED, effective_from - timedelta(days=7)
        )

    def _may_changes(self) -> None:
        """Dated changes from May: they leave the months before as they were."""
        june = date(YEAR, 6, 1)
        for index in (EXCEEDS_GRANT, NEARLY_EXHAUSTED, GRANT_ENDED):
            for agreement in self._agreements(index):
                self.last_day[agreement.pk] = month_end(MAY)
        self._size_grants()
        grant = self.holders[GRANT_ENDED].budgets.get()
        budget_services.budget_update(
            actor=self.admin, budget_id=grant.pk, end_date=date(YEAR, 4, 30)
        )

        (family,) = self._agreements(RATE_ABOVE_MAXIMUM, AgreementType.FAMILY)
        self._change(family, MAY, rate=Decimal("27.50"))
        # corrected after the finding, to the informal maximum: an audit signal
        self._change(family, june, rate=self._informal_maximum(family, june))

        (employee,) = self._agreements(BELOW_MINIMUM_WAGE, AgreementType.EMPLOYMENT_HOURLY)
        self._change(employee, MAY, rate=Decimal("12.00"))
        self._change(employee, june, rate=Decimal("18.25"))

        (ended,) = self._agreements(AGREEMENT_ENDED, AgreementType.FAMILY)
        contract_services.agreement_end(
            actor=self.admin, agreement_id=ended.pk, end_date=date(YEAR, 5, 15)
        )

        (nursing,) = self._agreements(PRODUCT_WITHDRAWN, AgreementType.ASSIGNMENT)
        self.last_day[nursing.pk] = month_end(MAY)

        (nurse_agreement,) = self._agreements(FIXED_PAY_DECLARED, AgreementType.ASSIGNMENT)
        nurse = nurse_agreement.provider
        shared = self.holders[SHARED_NURSE]
        contract_services.provider_link(
            actor=self.admin, holder_id=shared.pk, provider_id=nurse.pk, relation=Relation.NONE
        )
        agreement = contract_services.agreement_create(
            actor=self.admin,
            holder_id=shared.pk,
            provider_id=nurse.pk,
            agreement_type=AgreementType.ASSIGNMENT,
            budget_id=shared.budgets.get().pk,
            product=nursing_product(),
            valid_from=MAY,
            valid_to=month_end(MAY),
            rate=Decimal("58.00"),
            unit=RateUnit.HOUR,
            hours_per_week=Decimal("6"),
            svb_agreement_number=f"ZO-{YEAR}-900015",
        )
        self.world.record_approval(
            agreement.versions.get(), ApprovalStatus.APPROVED, date(YEAR, 4, 20)
        )
        self.shared_nursing = (nurse_agreement, agreement)
        self._shared_account()

        (fixed,) = self._agreements(FIXED_PAY_DECLARED, AgreementType.EMPLOYMENT_FIXED)
        # EUR 1,500 for 24 hours a week: EUR 14.42 an hour, below the minimum with holiday pay
        self._change(fixed, MAY, rate=Decimal("1500.00"))
        self._change(fixed, june, rate=Decimal("1950.00"))
        self._indication()
        self.long_week = self._long_week_agreements()
        self._formal_without_registration()

    def _indication(self) -> None:
        """The grant decision indicates 36 hours of household help a month: room for the
        regular care (at most 35 hours in a month with five Tuesdays), not for May's extra
        days."""
        indication = Indication(
            budget=self.holders[INDICATED].budgets.get(),
            product=self.world.products["huishoudelijke_hulp"],
            hours=Decimal("36"),
            per=IndicationPeriod.MONTH,
            valid_from=YEAR_START,
        )
        indication.full_clean()
        indication.save()

    def _long_week_agreements(self) -> list[CareAgreement]:
        """A home help employed by two families for the week of 18 May, each within its own
        agreed hours."""
        first = self.holders[LONG_WEEK[0]]
        helper = contract_services.provider_create(
            actor=self.admin,
            holder_id=first.pk,
            relation=Relation.NONE,
            kind=ProviderKind.PERSON,
            name="L. Vermeulen",
            date_of_birth=date(1984, 3, 14),
            iban=demo_iban(next(self.world.accounts)),
        )
        agreements = []
        for index, hours in zip(LONG_WEEK, (Decimal("33"), Decimal("28")), strict=True):
            holder = self.holders[index]
            if index != LONG_WEEK[0]:
                contract_services.provider_link(
                    actor=self.admin,
                    holder_id=holder.pk,
                    provider_id=helper.pk,
                    relation=Relation.NONE,
                )
            agreement = contract_services.agreement_create(
                actor=self.admin,
                holder_id=holder.pk,
                provider_id=helper.pk,
                agreement_type=AgreementType.EMPLOYMENT_HOURLY,
                budget_id=holder.budgets.get().pk,
                product=self.world.products["persoonlijke_verzorging"],
                valid_from=LONG_WEEK_START,
                valid_to=LONG_WEEK_START + timedelta(days=6),
                rate=Decimal("18.25"),
                unit=RateUnit.HOUR,
                hours_per_week=hours,
                rate_includes_holiday_pay=True,
                svb_agreement_number=f"ZO-{YEAR}-9000{index}",
            )
            self.world.record_approval(
                agreement.versions.get(), ApprovalStatus.APPROVED, date(YEAR, 5, 11)
            )
            agreements.append(agreement)
        return agreements

    def _formal_without_registration(self) -> None:
        """A BIG-registered nurse, no relation of the holder, takes on some shifts in May at
        the formal rate, without a KvK registration or an AGB code. Her hours follow the
        regular pattern."""
        holder = self.holders[FORMAL_UNREGISTERED]
        nurse = contract_services.provider_create(
            actor=self.admin,
            holder_id=holder.pk,
            relation=Relation.NONE,
            kind=ProviderKind.PERSON,
            name="S. Dijkstra",
            date_of_birth=date(1991, 9, 14),
            iban=demo_iban(next(self.world.accounts)),
            big_number="49012345601",
        )
        agreement = contract_services.agreement_create(
            actor=self.admin,
            holder_id=holder.pk,
            provider_id=nurse.pk,
            agreement_type=AgreementType.ASSIGNMENT,
            budget_id=holder.budgets.get().pk,
            product=nursing_product(),
            valid_from=MAY,
            valid_to=month_end(MAY),
            rate=Decimal("52.00"),
            unit=RateUnit.HOUR,
            hours_per_week=Decimal("4"),
            svb_agreement_number=f"ZO-{YEAR}-9000{FORMAL_UNREGISTERED}",
        )
        self.world.record_approval(
            agreement.versions.get(), ApprovalStatus.APPROVED, date(YEAR, 4, 24)
        )

    def _informal_maximum(self, agreement, on: date) -> Decimal:
        version = agreement.versions.order_by("-valid_from").first()
        tariff = MaxTariff.objects.applicable(
            scheme=version.budget.scheme,
            funder_id=version.budget.funder_id,
            product_id=version.product_id,
            carer_class=CarerClass.INFORMAL,
            unit=version.unit,
            on=on,
        )
        return tariff.amount if tariff else Decimal("20.00")

    def _shared_account(self) -> None:
        """Two providers of different holders paid into one bank account."""
        first, second = (
            Provider.objects.filter(
                holder_links__holder=self.holders[index], kind=ProviderKind.PERSON
            ).earliest("pk")
            for index in SHARED_ACCOUNT
        )
        contract_services.provider_update(actor=self.admin, provider_id=second.pk, iban=first.iban)

    def _size_grants(self) -> None:
        """Grants follow the agreed care with a margin, except the two that run short."""
        months_of_care = {EXCEEDS_GRANT: Decimal("4.5"), NEARLY_EXHAUSTED: Decimal("5.4")}
        for index, holder in enumerate(self.holders):
            for budget in holder.budgets.all():
                # each version for the part of the grant's year it runs (an indexed
                # agreement has two versions, not two years)
                yearly = sum(
                    (
                        planned_yearly_cost(v) * share_of_year(v)
                        for v in budget.agreement_versions.all()
                    ),
                    Decimal(0),
                )
                if index in months_of_care:
                    amount = yearly / 12 * months_of_care[index]
                else:
                    amount = yearly * GRANT_MARGIN
                amount = max(Decimal(1000), (amount / 250).to_integral_value() * 250)
                budget_services.budget_update(
                    actor=self.admin, budget_id=budget.pk, amount=round_money(amount)
                )

    def _withdraw_product(self) -> None:
        """A revised decision registered in the back office takes nursing out of the grant."""
        grant = self.holders[PRODUCT_WITHDRAWN].budgets.get()
        grant.products.remove(nursing_product())

    # --- hours and costs ----------------------------------------------------------------------

    def _regular_care(self) -> None:
        versions = AgreementVersion.objects.filter(
            approval_status=ApprovalStatus.APPROVED,
            agreement__agreement_type__in=[
                AgreementType.EMPLOYMENT_HOURLY,
                AgreementType.FAMILY,
                AgreementType.ASSIGNMENT,
                AgreementType.INSTITUTION,
            ],
            valid_from__year=YEAR,
        ).order_by("agreement_id", "valid_from")
        last_care = min(self.today - timedelta(days=1), YEAR_END)
        # logged by hand in _may_mistakes
        own_entries = {self.shared_nursing[1].pk, *(agreement.pk for agreement in self.long_week)}
        for version in versions:
            if version.agreement_id in own_entries:
                continue
            end = min(
                version.valid_to or last_care,
                last_care,
                self.last_day.get(version.agreement_id, last_care),
            )
            day = version.valid_from
            while day <= end:
                quantity = care_on(version, day)
                if quantity:
                    self.entries.append(
                        TimeEntry(
                            agreement_id=version.agreement_id, care_date=day, quantity=quantity
                        )
                    )
                day += timedelta(days=1)

    def _travel_costs(self) -> None:
        """Self-employed nurses drive to their clients: 12 km a visit at the agreed allowance."""
        expenses = []
        for version in AgreementVersion.objects.filter(
            travel_allowance_per_km__isnull=False, approval_status=ApprovalStatus.APPROVED
        ):
            allowance = version.travel_allowance_per_km
            if allowance is None:  # not so: the query asks for an allowance
                continue
            visits = TimeEntry.objects.filter(
                agreement_id=version.agreement_id,
                care_date__range=(version.valid_from, version.valid_to or YEAR_END),
            ).values_list("care_date", flat=True)
            km = Decimal("12.0")
            expenses += [
                Expense(
                    agreement_id=version.agreement_id,
                    expense_date=day,
                    kind="travel",
                    kilometres=km,
                    amount=round_money(km * allowance),
                )
                for day in visits
            ]
        Expense.objects.bulk_create(expenses, batch_size=2000)

    def _entry(self, agreement, day: int, quantity=None, start=None, end=None, month=MAY):
        on = month.replace(day=day)
        if start is not None:
            self.entries.append(
                TimeEntry(
                    agreement=agreement,
                    care_date=on,
                    quantity=duration(start, end),
                    start_time=start,
                    end_time=end,
                )
            )
        else:
            self.entries.append(TimeEntry(agreement=agreement, care_date=on, quantity=quantity))

    def _may_mistakes(self) -> None:
        """What goes wrong in May, logged the way people log it."""
        jansen_help = self._agreements(0, AgreementType.INSTITUTION)[0]
        self._entry(jansen_help, 6, start=time(9, 0), end=time(10, 20))  # not quarter hours
        self._entry(jansen_help, 20, Decimal("2"))
        self._entry(jansen_help, 20, Decimal("2"))  # the same day twice

        (employee,) = self._agreements(BELOW_MINIMUM_WAGE, AgreementType.EMPLOYMENT_HOURLY)
        for day in (12, 13, 14, 15):  # four days in one week, more hours than agreed
            self._entry(employee, day, Decimal("3"))
        # reported sick on Thursday 14 May and recovered on Saturday 16: the hours logged on
        # the 14th and 15th were not worked (employment.hours_while_sick)
        contract_services.sick_report(
            actor=self.admin, agreement_id=employee.pk, sick_from=date(YEAR, 5, 14)
        )
        contract_services.recovery_report(
            actor=self.admin, agreement_id=employee.pk, recovered_on=date(YEAR, 5, 16)
        )

        (family,) = self._agreements(OVERLAPPING_DAY, AgreementType.FAMILY)
        self._entry(family, 19, start=time(0, 0), end=time(13, 0))
        self._entry(family, 19, start=time(10, 0), end=time(23, 0))

        (ended,) = self._agreements(AGREEMENT_ENDED, AgreementType.FAMILY)
        for day in (18, 21, 25, 28):  # the carer kept logging after the agreement ended
            self._entry(ended, day, Decimal("3"))

        zero = self._agreements(ZERO_AND_INVOICE)[0]
        self._entry(zero, 7, Decimal("0"))

        # hours logged under agreements the funder has not approved yet
        awaiting = AgreementVersion.objects.filter(
            approval_status=ApprovalStatus.PENDING, unit=RateUnit.HOUR, valid_from__lte=MAY
        ).select_related("agreement")
        for version in awaiting:
            for day in (4, 11):
                self._entry(version.agreement, day, Decimal("2"))

        nurse_agreement, shared_agreement = self.shared_nursing
        for day in (11, 12, 13, 14, 15):  # one nurse, two holders: 26 hours a day
            self._entry(nurse_agreement, day, Decimal("14"))
            self._entry(shared_agreement, day, Decimal("12"))

        # one home help, two employers: 33 + 28 hours in a week, 11 + 4 on Wednesday 20 May
        first, second = self.long_week
        for agreement, days in (
            (first, ((18, "11"), (19, "11"), (20, "11"))),
            (second, ((20, "4"), (21, "12"), (22, "12"))),
        ):
            for day, hours in days:
                self._entry(agreement, day, Decimal(hours))

    # --- declarations ---------------------------------------------------------------------

    def _draft(self, month: date, holder_index: int | None = None) -> list[Declaration]:
        holder_id = None if holder_index is None else self.holders[holder_index].pk
        return declaration_services.declarations_draft_period(
            actor=self.admin, month=month, holder_id=holder_id
        )

    def _declare_history(self, month: date) -> None:
        """Validated two weeks after the month, as it was then; exported by whoever acts for
        the holder; submitted and, but for last month's, paid."""
        declarations = self._draft(month)
        validate_declarations(declarations, today=month_end(month) + timedelta(days=14))
        for finding in Finding.objects.filter(
            declaration__in=declarations, severity=Severity.WARNING
        ):
            finding.acknowledged_at = timezone.now()
            finding.acknowledged_by = self.admin
            finding.acknowledgement_reason = ACKNOWLEDGED
            finding.save()
        for actor in self._exporters():
            try:
                # an export per channel: Zvw holders' go to the insurer's declaration
                self.counts["batches"] += len(batch_services.month_export(actor=actor, month=month))
            except NothingToExport:
                continue
        exported = Declaration.objects.filter(month=month, status=DeclarationStatus.EXPORTED)
        if month < month_start(self.current - timedelta(days=40)):
            self._paid(month, exported)
        else:
            exported.update(status=DeclarationStatus.SUBMITTED, submitted_at=timezone.now())

    def _paid(self, month: date, exported) -> None:
        """Paid, as whoever acts for each holder recorded it: from the SVB's payment overview
        in the PGB Portaal, or, for a Zvw pgb, from the insurer's payment statement (the SVB
        never pays those)."""
        for channel, evidence in (
            (Channel.SVB, f"PGB Portaal, betaaloverzicht declaraties {month:%m-%Y}"),
            (Channel.INSURER, f"Zorgverzekeraar, betaalspecificatie pgb {month:%m-%Y}"),
        ):
            self._paid_through(exported.filter(channel_q(channel)), evidence)

    def _paid_through(self, exported, evidence: str) -> None:
        for holder_id in sorted(set(exported.values_list("agreement__holder_id", flat=True))):
            recorded = recording(
                actor=self.world.recorder_of(holder_id), holder_id=holder_id, evidence=evidence
            )
            exported.filter(agreement__holder_id=holder_id).update(
                status=DeclarationStatus.PAID,
                submitted_at=timezone.now(),
                settled_at=timezone.now(),
                settled_recorded_by=recorded.user,
                settled_recorded_role=recorded.role,
                settled_evidence=recorded.evidence,
            )

    def _exporters(self):
        users = self.world.users
        return [users["bureau"], users["vertegenwoordiger"], users["jansen"], self.admin]

    def _declare_today(self, month: date) -> None:
        declarations = self._draft(month)
        if month == MAY:
            declarations += self._may_declarations()
        unique = {declaration.pk: declaration for declaration in declarations}
        validate_declarations(list(unique.values()))

    def _may_declarations(self) -> list[Declaration]:
        (fixed,) = self._agreements(FIXED_PAY_DECLARED, AgreementType.EMPLOYMENT_FIXED)
        declared_fixed = declaration_services.declaration_draft(
            actor=self.admin, agreement_id=fixed.pk, month=MAY
        )
        invoice = self._agreements(ZERO_AND_INVOICE)[0]
        at_other_rate = declaration_services.declaration_draft(
            actor=self.admin, agreement_id=invoice.pk, month=MAY, declared_rate="31.50"
        )
        (family,) = self._agreements(RATE_ABOVE_MAXIMUM, AgreementType.FAMILY)
        hour_services.expense_add(
            actor=self.admin,
            agreement_id=family.pk,
            expense_date=date(YEAR, 5, 29),
            kind="travel",
            kilometres="40",
            amount="9.20",
            description="ritten naar de dagbesteding",
        )
        draft_lines(list(Declaration.objects.filter(agreement=family, month=MAY)))
        return [declared_fixed, at_other_rate]

    def _month_in_progress(self) -> None:
        """Jansen drafts the month in progress, with tomorrow's visit already logged."""
        help_at_home = self._agreements(0, AgreementType.INSTITUTION)[0]
        tomorrow = self.today + timedelta(days=1)
        if month_start(tomorrow) == self.current and tomorrow.year == YEAR:
            TimeEntry.objects.create(agreement=help_at_home, care_date=tomorrow, quantity=3)
        declaration = declaration_services.declaration_draft(
            actor=self.admin, agreement_id=help_at_home.pk, month=self.current
        )
        validate_declarations([declaration])

    def _prior_year_declaration(self) -> None:
        """December of last year, under last year's Wlz grant, declared only now."""
        holder = self.holders[PRIOR_YEAR]
        last_year = YEAR - 1
        december = date(last_year, 12, 1)
        budget = budget_services.budget_create(
            actor=self.admin,
            holder_id=holder.pk,
            funder=self.world.funders[CARE_OFFICE[THE_HAGUE]],
            scheme=Scheme.WLZ,
            products=[nursing_product()],
            start_date=date(last_year, 1, 1),
            end_date=date(last_year, 12, 31),
            amount=Decimal("40000"),
            decision_date=date(last_year - 1, 12, 10),
            decision_reference=f"ZK-HAAGLANDEN-{last_year}-0025-wlz",
        )
        (nursing,) = self._agreements(PRIOR_YEAR, AgreementType.ASSIGNMENT)
        provider = nursing.provider
        agreement = contract_services.agreement_create(
            actor=self.admin,
            holder_id=holder.pk,
            provider_id=provider.pk,
            agreement_type=AgreementType.ASSIGNMENT,
            budget_id=budget.pk,
            product=nursing_product(),
            valid_from=december,
            valid_to=month_end(december),
            rate=Decimal("56.00"),
            unit=RateUnit.HOUR,
            hours_per_week=Decimal("6"),
            svb_agreement_number=f"ZO-{last_year}-900024",
        )
        self.world.record_approval(
            agreement.versions.get(), ApprovalStatus.APPROVED, date(last_year, 11, 20)
        )
        TimeEntry.objects.bulk_create(
            TimeEntry(agreement=agreement, care_date=december.replace(day=day), quantity=3)
            for day in (1, 3, 8, 10, 15, 17)
        )
        declaration = declaration_services.declaration_draft(
            actor=self.admin, agreement_id=agreement.pk, month=december
        )
        validate_declarations([declaration])

    def _taken_over_data(self) -> None:
        """Rows taken over from an older administration program, as an import writes them:
        an IBAN that fails the check and a line whose amount does not add up. The validation
        judges them as they are."""
        agreement = self._agreements(TAKEN_OVER)[0]
        provider = agreement.provider
        if provider.kind == ProviderKind.PERSON:
            type(provider).objects.filter(pk=provider.pk).update(iban="NL00DEMO0123456789")
        declaration = Declaration.objects.get(agreement=agreement, month=MAY)
        line = declaration.lines.earliest("care_date")
        type(line).objects.filter(pk=line.pk).update(amount=line.amount + Decimal("10.00"))
        type(declaration).objects.filter(pk=declaration.pk).update(
            total_amount=declaration.total_amount + Decimal("10.00")
        )
        validate_declarations([Declaration.objects.get(pk=declaration.pk)])
        self._taken_over_monthly_amount()

    def _taken_over_monthly_amount(self) -> None:
        """The older program kept the parent's fixed monthly amount for personal care from May
        without the agreed hours a week (the import writes the version as it was), and
        declared May for it."""
        holder = self.holders[TAKEN_OVER]
        (family,) = self._agreements(TAKEN_OVER, AgreementType.FAMILY)
        agreement = contract_services.agreement_create(
            actor=self.admin,
            holder_id=holder.pk,
            provider_id=family.provider_id,
            agreement_type=AgreementType.FAMILY,
            budget_id=holder.budgets.get().pk,
            product=self.world.products["persoonlijke_verzorging"],
            valid_from=MAY,
            rate=Decimal("450.00"),
            unit=RateUnit.MONTH,
            hours_per_week=Decimal("6"),
            rate_includes_holiday_pay=True,
            svb_agreement_number=f"ZO-{YEAR}-9000{TAKEN_OVER}",
        )
        version = agreement.versions.get()
        self.world.record_approval(version, ApprovalStatus.APPROVED, date(YEAR, 4, 22))
        widen_grant(self.admin, version)
        type(version).objects.filter(pk=version.pk).update(hours_per_week=None)
        declaration = declaration_services.declaration_draft(
            actor=self.admin, agreement_id=agreement.pk, month=MAY
        )
        validate_declarations([declaration])


# --- patterns ------------------------------------------------------------------------------


def nursing_product():
    from pgb_admin.budgets.models import CareProduct

    return CareProduct.objects.get(code="verpleging")


def duration(start: time, end: time) -> Decimal:
    minutes = (end.hour * 60 + end.minute) - (start.hour * 60 + start.minute)
    return round_money(Decimal(minutes) / 60)


def weekly_hours(version) -> dict[int, Decimal]:
    """The agreed hours of a week spread over one to three weekdays, in quarter hours."""
    hours = version.hours_per_week or Decimal(4)
    weekdays = [1] if hours <= 4 else [0, 3] if hours <= 8 else [0, 2, 4]
    each = (hours / len(weekdays) / QUARTER).to_integral_value(rounding="ROUND_FLOOR") * QUARTER
    pattern = dict.fromkeys(weekdays, each)
    pattern[weekdays[0]] += hours - each * len(weekdays)
    return pattern


def care_on(version, day: date) -> Decimal | None:
    """The care an agreement version gives on a day of the demo year."""
    if version.unit == RateUnit.HOUR:
        return weekly_hours(version).get(day.weekday())
    if version.unit == RateUnit.DAY_PART:
        return Decimal(2) if day.weekday() in (1, 3) else None
    if version.unit == RateUnit.DAY:
        first_saturday = 1 + (5 - day.replace(day=1).weekday()) % 7
        return Decimal(1) if day.day in (first_saturday, first_saturday + 1) else None
    return None


GRANT_MARGIN = Decimal("1.25")  # grants follow the agreed care with this margin


def widen_grant(actor, version, cost: Decimal | None = None) -> None:
    """A grant decided with care agreed after the demo sized it (a scenario's agreement): its
    amount grows by ``cost`` (by default the version's planned cost for the part of the year it
    runs) with the margin, so the grant still lasts the year."""
    budget = version.budget
    if cost is None:
        cost = planned_yearly_cost(version) * share_of_year(version)
    extra = (cost * GRANT_MARGIN / 250).to_integral_value(rounding="ROUND_CEILING") * 250
    budget_services.budget_update(
        actor=actor, budget_id=budget.pk, amount=round_money(budget.amount + extra)
    )


def share_of_year(version) -> Decimal:
    """The part of the demo year an agreement version runs."""
    start = max(version.valid_from, YEAR_START)
    end = min(version.valid_to or YEAR_END, YEAR_END)
    days = max((end - start).days + 1, 0)
    return Decimal(days) / Decimal((YEAR_END - YEAR_START).days + 1)


def planned_yearly_cost(version) -> Decimal:
    """What a version costs in a year of the demo's care pattern."""
    if version.unit == RateUnit.MONTH:
        return version.rate * 12
    if version.unit == RateUnit.HOUR:
        return version.rate * sum(weekly_hours(version).values()) * 52
    if version.unit == RateUnit.DAY_PART:
        return version.rate * 4 * 52
    return version.rate * 2 * 12
