"""The shapes of the reports in the API: they document the schema and write the responses
(money as decimal strings, dates ISO 8601, months YYYY-MM)."""

from rest_framework import serializers

from pgb_admin.api.fields import InputSerializer, StrictIntegerField

from ..selectors import FIRST_YEAR, LAST_YEAR


def _money(**kwargs):
    return serializers.DecimalField(
        max_digits=16, decimal_places=2, coerce_to_string=True, allow_null=True, **kwargs
    )


class YearQuerySerializer(serializers.Serializer):
    """The query parameter ``year``."""

    year = serializers.IntegerField(min_value=FIRST_YEAR, max_value=LAST_YEAR, required=False)


class NamedSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class AlertSerializer(serializers.Serializer):
    code = serializers.ChoiceField(
        choices=["attention", "nearly_exhausted", "exhausted", "runs_out_early", "no_budget"]
    )
    message = serializers.CharField()


class MonthFiguresSerializer(serializers.Serializer):
    month = serializers.CharField()
    elapsed = serializers.BooleanField(help_text="The month is over: its spend is actual.")
    actual = _money()
    actual_cumulative = _money()
    trend = _money(help_text="Spend of the month, projected from the recent months when ahead.")
    trend_cumulative = _money()
    agreed = _money(help_text="Spend of the month, projected from the agreements when ahead.")
    agreed_cumulative = _money()
    holiday_allowance = _money(help_text="Holiday allowance reserved in the month (employment).")
    holiday_allowance_paid_out = _money(
        help_text="Holiday allowance the SVB pays out in the month (May, or the agreement's end)."
    )
    employer_costs = _money(help_text="Employer costs the SVB pays from the budget.")


class ExtraCostSerializer(serializers.Serializer):
    used = _money()
    committed = _money()


class EmployerCostsSerializer(ExtraCostSerializer):
    known = serializers.BooleanField(
        help_text="False: no employer-costs figure for some month; not counted, not zero."
    )


class EmploymentCostsSerializer(serializers.Serializer):
    holiday_allowance = ExtraCostSerializer()
    employer_costs = EmployerCostsSerializer()
    message = serializers.CharField(allow_blank=True)
    help = serializers.CharField(
        help_text="What the SVB adds to an employee's wage; declarations state the wage only."
    )


class FreeAmountSerializer(serializers.Serializer):
    allowed = _money(help_text="Verantwoordingsvrij bedrag of the grant; null: no figure.")
    claimed = _money()
    remaining = _money()
    message = serializers.CharField(allow_blank=True)


class ShareSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    used = _money()


class BurnRateSerializer(serializers.Serializer):
    recent = _money(help_text="Average spend a month over the last three months that are over.")
    overall = _money(help_text="Average spend a month so far.")
    trend_per_month = _money(help_text="How much the monthly spend rises (or falls) a month.")
    months = serializers.IntegerField(help_text="Months of the grant that are over.")


class ProjectionSerializer(serializers.Serializer):
    run_out = serializers.DateField(
        allow_null=True, help_text="The day the grant is used up; null: not before it ends."
    )
    balance_at_end = _money(help_text="Left at the end of the grant (negative: overspent).")


class ProjectionsSerializer(serializers.Serializer):
    trend = ProjectionSerializer(help_text="If the recent months' pace goes on.")
    agreed = ProjectionSerializer(help_text="If the running agreements are kept to.")


class GrantReportSerializer(serializers.Serializer):
    budget = serializers.IntegerField()
    scheme = serializers.CharField()
    funder = serializers.CharField()
    start_date = serializers.DateField()
    end_date = serializers.DateField()
    granted = _money()
    paid = _money(help_text="Paid declarations and fixed monthly pay of the months that are over.")
    validated_unpaid = _money(help_text="Validated, exported or submitted, not yet paid.")
    reserved = _money(help_text="Holiday allowance reserved from the grant, paid out in May.")
    used = _money(help_text="paid + validated_unpaid + reserved: what the grant has used.")
    drafts = _money(help_text="In drafts: not counted yet.")
    committed_fixed = _money(help_text="Fixed monthly pay for the rest of the grant.")
    committed_agreed = _money(help_text="Agreed hours per week times the rate, rest of the grant.")
    committed = _money(help_text="Fixed, agreed, holiday allowance and employer costs ahead.")
    remaining = _money(help_text="granted - used.")
    free = _money(help_text="remaining - committed.")
    employment_costs = EmploymentCostsSerializer()
    free_amount = FreeAmountSerializer(allow_null=True, required=False)
    used_pct = serializers.FloatField(allow_null=True)
    burn_rate = BurnRateSerializer()
    projection = ProjectionsSerializer()
    alerts = AlertSerializer(many=True)
    months = MonthFiguresSerializer(many=True)
    by_provider = ShareSerializer(many=True)
    by_product = ShareSerializer(many=True)


class ThresholdsSerializer(serializers.Serializer):
    attention_pct = serializers.FloatField(allow_null=True)
    nearly_exhausted_pct = serializers.FloatField(allow_null=True)


class HolderTotalsSerializer(serializers.Serializer):
    granted = _money()
    paid = _money()
    validated_unpaid = _money()
    used = _money()
    committed = _money()
    remaining = _money()


class ExhaustionReportSerializer(serializers.Serializer):
    holder = NamedSerializer()
    year = serializers.IntegerField(allow_null=True)
    reference_month = serializers.CharField(
        help_text="The last month that is over (YYYY-MM): declared spend is up to it."
    )
    thresholds = ThresholdsSerializer()
    totals = HolderTotalsSerializer(help_text="Over all the holder's grants in the report.")
    grants = GrantReportSerializer(many=True)
    message = serializers.CharField(allow_blank=True)


class CakExemptionSerializer(serializers.Serializer):
    code = serializers.CharField()
    reason = serializers.CharField()


class CostMonthSerializer(serializers.Serializer):
    month = serializers.CharField()
    budget_spend = _money()
    eigen_bijdrage = _money(
        help_text="The CAK abonnementstarief (Wmo), paid by the holder; null when exempt."
    )
    exemption = CakExemptionSerializer(allow_null=True)


class CostTotalsSerializer(serializers.Serializer):
    budget_spend = _money()
    eigen_bijdrage = _money()
    total = _money()


class CostGrantSerializer(serializers.Serializer):
    budget = serializers.IntegerField()
    scheme = serializers.CharField()
    granted = _money()
    used_in_year = _money()


class YearCostsSerializer(serializers.Serializer):
    holder = NamedSerializer()
    year = serializers.IntegerField()
    months = CostMonthSerializer(many=True)
    totals = CostTotalsSerializer()
    grants = CostGrantSerializer(many=True)
    notes = serializers.ListField(child=serializers.CharField())


class FunderRefSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class MunicipalityTotalsSerializer(serializers.Serializer):
    holders = serializers.IntegerField()
    grants = serializers.IntegerField()
    granted = _money()
    used = _money()
    paid = _money()
    validated_unpaid = _money()
    committed = _money()
    remaining = _money()
    spend_in_year = _money()


class SchemeSpendSerializer(serializers.Serializer):
    scheme = serializers.CharField()
    used = _money()


class ProductSpendSerializer(serializers.Serializer):
    product = serializers.CharField()
    used = _money()


class ProviderSpendSerializer(serializers.Serializer):
    provider = serializers.IntegerField()
    name = serializers.CharField()
    used = _money()
    holders = serializers.IntegerField()


class MonthSpendSerializer(serializers.Serializer):
    month = serializers.CharField()
    used = _money()


class CarerClassSerializer(serializers.Serializer):
    carer_class = serializers.CharField()
    used = _money()
    share_pct = serializers.FloatField(allow_null=True)


class AboveMaximumSerializer(serializers.Serializer):
    version = serializers.IntegerField()
    agreement = serializers.IntegerField()
    holder = serializers.IntegerField()
    provider = serializers.IntegerField()
    carer_class = serializers.CharField()
    unit = serializers.CharField()
    rate = _money()
    maximum = _money()
    # a field named like Field.source: DRF takes declared fields off the class, the stubs do not
    source = serializers.CharField()  # type: ignore[assignment]


class TariffSummarySerializer(serializers.Serializer):
    versions = serializers.IntegerField()
    without_maximum = serializers.IntegerField()
    at_maximum = serializers.IntegerField()
    above_maximum = AboveMaximumSerializer(many=True)


class UnderspendGrantSerializer(serializers.Serializer):
    budget = serializers.IntegerField()
    holder = serializers.CharField()
    ended = serializers.BooleanField()
    left = _money()


class UnderspendSerializer(serializers.Serializer):
    ended_grants = _money(
        help_text="Left of the grants that have ended: budget not used, returns to the funder."
    )
    projected_for_running_grants = _money(help_text="Projected left at the end (agreements).")
    grants = UnderspendGrantSerializer(many=True)


class NearExhaustionSerializer(serializers.Serializer):
    budget = serializers.IntegerField()
    holder = serializers.IntegerField()
    name = serializers.CharField()
    used_pct = serializers.FloatField(allow_null=True)
    run_out = serializers.DateField(allow_null=True)


class SignalLinkSerializer(serializers.Serializer):
    # a field named like Field.label: DRF takes declared fields off the class, the stubs do not
    label = serializers.CharField()  # type: ignore[assignment]
    url = serializers.CharField(help_text="A page the auditor may open (holder, providers, ...).")


class SignalSerializer(serializers.Serializer):
    code = serializers.CharField()
    level = serializers.ChoiceField(
        choices=["alarm", "context"],
        help_text="alarm: a pattern enforcement looks for; context: a legal situation, listed "
        "after the alarms.",
    )
    title = serializers.CharField()
    rule = serializers.CharField(help_text="The rule behind the signal, with its threshold.")
    holder = serializers.IntegerField(allow_null=True)
    holder_name = serializers.CharField(allow_blank=True)
    provider = serializers.IntegerField(allow_null=True)
    provider_name = serializers.CharField(allow_blank=True)
    evidence = serializers.DictField(help_text="The figures that raised the signal.")
    links = SignalLinkSerializer(many=True)


class MunicipalityReportSerializer(serializers.Serializer):
    funder = FunderRefSerializer()
    year = serializers.IntegerField()
    reference_month = serializers.CharField()
    totals = MunicipalityTotalsSerializer()
    spend_by_scheme = SchemeSpendSerializer(many=True)
    spend_by_product = ProductSpendSerializer(many=True)
    spend_by_provider = ProviderSpendSerializer(many=True)
    spend_by_month = MonthSpendSerializer(many=True)
    carer_classes = CarerClassSerializer(many=True)
    tariffs = TariffSummarySerializer()
    underspend = UnderspendSerializer()
    near_exhaustion = NearExhaustionSerializer(many=True)
    signals = SignalSerializer(many=True)
    message = serializers.CharField(allow_blank=True)


class MunicipalityRunSerializer(InputSerializer):
    year = StrictIntegerField(min_value=FIRST_YEAR, max_value=LAST_YEAR)
