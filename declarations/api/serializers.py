from django.core.exceptions import ValidationError as DjangoValidationError
from django.urls import reverse

from rest_framework import serializers

from contracts.api.serializers import RecordedDecisionSerializer
from contracts.models import CareAgreement
from pgb_admin.accounts.models import User
from pgb_admin.api.fields import (
    CodeRelatedField,
    InputSerializer,
    LocalTimeField,
    MonthField,
    ScopedRelatedField,
    StrictBooleanField,
    StrictDateField,
    StrictDecimalField,
    StrictIntegerField,
    StrictTimeField,
    char_for,
    choice_for,
    decimal_for,
)
from pgb_admin.api.lean import LeanModelSerializer
from pgb_admin.budgets.models import BudgetHolder, Funder

from ..models import Batch, BatchFile, Declaration, DeclarationLine, Expense, Finding, TimeEntry
from ..services.common import parse_quantity

# The most rows one request may write (a month of entries, several a day).
MAX_ROWS = 1000
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def _agreement():
    return ScopedRelatedField(CareAgreement)


class NumberField(StrictDecimalField):
    """A quantity or amount as a string. Text that is no number is refused in the words a form,
    the weekly pattern and an import use (:func:`~declarations.services.common.parse_quantity`);
    the rest of the checks are the services'."""

    def to_internal_value(self, data):
        try:
            return super().to_internal_value(data)
        except serializers.ValidationError as refused:
            if isinstance(data, str) and refused.get_codes() == ["invalid"]:
                try:
                    parse_quantity(data)
                except DjangoValidationError as error:
                    raise serializers.ValidationError(error.messages, code="invalid") from None
            raise


def _number_for(model, name: str, **kwargs) -> NumberField:
    # the model field's digits and nullability, as decimal_for reads them (DRF keeps a field's
    # arguments in ``_kwargs``, set by Field.__new__, which the DRF stubs do not declare)
    return NumberField(**decimal_for(model, name, **kwargs)._kwargs)  # type: ignore[attr-defined]


class TimeEntrySerializer(LeanModelSerializer):
    holder = serializers.IntegerField(source="agreement.holder_id", read_only=True)
    start_time = LocalTimeField(read_only=True, allow_null=True)
    end_time = LocalTimeField(read_only=True, allow_null=True)

    class Meta:
        model = TimeEntry
        fields = [
            "id",
            "agreement",
            "holder",
            "care_date",
            "quantity",
            "start_time",
            "end_time",
            "note",
            "created_at",
            "updated_at",
        ]


class TimeEntryFieldsSerializer(InputSerializer):
    care_date = StrictDateField()
    quantity = _number_for(
        TimeEntry,
        "quantity",
        required=False,
        allow_null=True,
        help_text='Hours in quarter hours ("7.25"), or whole day parts or 24-hour periods; '
        "leave out when start and end time are given.",
    )
    start_time = StrictTimeField(required=False, allow_null=True)
    end_time = StrictTimeField(
        required=False, allow_null=True, help_text="At or before the start: past midnight."
    )
    note = char_for(TimeEntry, "note")


class TimeEntryCreateSerializer(TimeEntryFieldsSerializer):
    agreement = _agreement()


class TimeEntryUpdateSerializer(TimeEntryFieldsSerializer):
    care_date = StrictDateField(required=False)


class TimeEntryMonthSerializer(InputSerializer):
    agreement = _agreement()
    month = MonthField()
    # many=True makes a ListSerializer, which takes max_length; the DRF stubs do not model it
    entries = TimeEntryFieldsSerializer(  # type: ignore[call-arg]
        many=True,
        max_length=MAX_ROWS,
        help_text="All entries of the month: they replace the month's entries, all or none.",
    )


class TimeEntryMonthResultSerializer(serializers.Serializer):
    agreement = serializers.IntegerField()
    month = MonthField()
    entries = TimeEntrySerializer(many=True)


def _weekday():
    return NumberField(max_digits=5, decimal_places=2, required=False, allow_null=True)


class WeeklyPatternSerializer(InputSerializer):
    monday = _weekday()
    tuesday = _weekday()
    wednesday = _weekday()
    thursday = _weekday()
    friday = _weekday()
    saturday = _weekday()
    sunday = _weekday()


class TimeEntryFillSerializer(InputSerializer):
    agreement = _agreement()
    month = MonthField()
    pattern = WeeklyPatternSerializer(help_text='The quantity per weekday, e.g. {"monday": "4"}.')
    replace = StrictBooleanField(
        required=False,
        default=False,
        help_text="Remove the month's entries first; otherwise days with entries are kept.",
    )

    def validate_pattern(self, pattern):
        return {WEEKDAYS.index(day): value for day, value in pattern.items() if value is not None}


class ExpenseSerializer(LeanModelSerializer):
    holder = serializers.IntegerField(source="agreement.holder_id", read_only=True)

    class Meta:
        model = Expense
        fields = [
            "id",
            "agreement",
            "holder",
            "expense_date",
            "kind",
            "kilometres",
            "amount",
            "description",
            "created_at",
            "updated_at",
        ]


class ExpenseFieldsSerializer(InputSerializer):
    expense_date = StrictDateField(required=False)
    kind = choice_for(Expense, "kind", required=False)
    kilometres = _number_for(Expense, "kilometres")
    amount = _number_for(
        Expense,
        "amount",
        required=False,
        allow_null=True,
        help_text="Leave out for travel: kilometres times the agreed allowance.",
    )
    description = char_for(Expense, "description")


class ExpenseCreateSerializer(ExpenseFieldsSerializer):
    agreement = _agreement()
    expense_date = StrictDateField()
    kind = choice_for(Expense, "kind")


class FindingSerializer(LeanModelSerializer):
    message = serializers.CharField(read_only=True, help_text="In the requested language.")
    fix = serializers.CharField(read_only=True, help_text="How to fix it.")
    is_open = serializers.BooleanField(read_only=True)
    acknowledged_by: serializers.SlugRelatedField[User] = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )

    class Meta:
        model = Finding
        fields = [
            "id",
            "rule_code",
            "severity",
            "care_date",
            "message",
            "fix",
            "params",
            "is_open",
            "acknowledged_at",
            "acknowledged_by",
            "acknowledgement_reason",
        ]


class DeclarationLineSerializer(LeanModelSerializer):
    class Meta:
        model = DeclarationLine
        fields = ["care_date", "quantity", "unit", "rate", "amount", "version"]


class DeclarationSerializer(LeanModelSerializer):
    month = MonthField(read_only=True)
    holder = serializers.IntegerField(source="agreement.holder_id", read_only=True)
    provider = serializers.IntegerField(source="agreement.provider_id", read_only=True)
    scheme = serializers.CharField(source="budget.scheme", read_only=True, allow_null=True)
    findings = FindingSerializer(many=True, read_only=True)
    settlement_provenance = RecordedDecisionSerializer(
        read_only=True,
        allow_null=True,
        help_text="Who recorded the SVB's answer (paid or rejected) and on what evidence; null "
        "before there is one.",
    )

    class Meta:
        model = Declaration
        fields = [
            "id",
            "agreement",
            "holder",
            "provider",
            "month",
            "status",
            "corrects",
            "budget",
            "scheme",
            "declared_rate",
            "care_quantity",
            "care_amount",
            "travel_kilometres",
            "travel_amount",
            "other_amount",
            "total_amount",
            "batch",
            "validated_at",
            "submitted_at",
            "settled_at",
            "rejection_reason",
            "settlement_provenance",
            "findings",
            "created_at",
            "updated_at",
        ]


class DeclarationDetailSerializer(DeclarationSerializer):
    lines = DeclarationLineSerializer(many=True, read_only=True)

    class Meta(DeclarationSerializer.Meta):
        fields = [*DeclarationSerializer.Meta.fields, "lines"]


class DeclarationDraftSerializer(InputSerializer):
    agreement = _agreement()
    month = MonthField()
    declared_rate = decimal_for(
        Declaration,
        "declared_rate",
        help_text="Only when the invoice states another rate than the agreement.",
    )


class PeriodSerializer(InputSerializer):
    """A month, optionally of one holder or one funder."""

    month = MonthField()
    holder = ScopedRelatedField(BudgetHolder, required=False)
    funder = CodeRelatedField(slug_field="code", queryset=Funder.objects.all(), required=False)


class AcknowledgeSerializer(InputSerializer):
    finding = StrictIntegerField(min_value=1, help_text="The id of the warning.")
    reason = char_for(Finding, "acknowledgement_reason", required=True, max_length=2000)


class SettleSerializer(InputSerializer):
    paid = StrictBooleanField(
        help_text="true: it was paid; false: it was rejected (your record of the answer of the "
        "SVB, or of the insurer for a Zvw pgb)."
    )
    rejection_reason = char_for(Declaration, "rejection_reason", max_length=2000)
    evidence = char_for(
        Declaration,
        "settled_evidence",
        required=True,
        allow_blank=False,
        help_text="Where you saw the answer: the PGB Portaal message, the SVB's or the "
        "insurer's letter.",
    )
    on = StrictDateField(required=False, help_text="When it was paid or rejected (default: today).")


class BatchFileSerializer(LeanModelSerializer):
    size = serializers.IntegerField(read_only=True, help_text="In bytes.")
    url = serializers.SerializerMethodField()

    class Meta:
        model = BatchFile
        fields = ["format", "filename", "size", "sha256", "url"]

    def get_url(self, file) -> str:
        return reverse(f"api:batch-{file.format}", kwargs={"pk": file.batch_id})


class SkippedSerializer(serializers.Serializer):
    declaration_id = serializers.IntegerField()
    reason = serializers.CharField()


class BatchSerializer(LeanModelSerializer):
    period = MonthField(read_only=True)
    funder: serializers.SlugRelatedField[Funder] = serializers.SlugRelatedField(
        slug_field="code", read_only=True, allow_null=True
    )
    created_by: serializers.SlugRelatedField[User] = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )
    # counts as plain integers: the database's column range is no part of the contract
    declaration_count = serializers.IntegerField(read_only=True)
    line_count = serializers.IntegerField(read_only=True)
    files = BatchFileSerializer(many=True, read_only=True)
    # many=True makes a ManyRelatedField; djangorestframework-stubs does not model it
    declarations: serializers.ManyRelatedField = serializers.PrimaryKeyRelatedField(  # type: ignore[assignment]
        many=True, read_only=True
    )
    skipped = SkippedSerializer(many=True, read_only=True)

    class Meta:
        model = Batch
        fields = [
            "id",
            "period",
            "holder",
            "funder",
            "created_by",
            "created_at",
            "declaration_count",
            "line_count",
            "total_amount",
            "declarations",
            "skipped",
            "files",
            "channel",
        ]
        extra_kwargs = {
            "channel": {
                "read_only": True,
                "help_text": "svb: a PGB Portaal entry aid (typed in by hand: the SVB takes no "
                "file); insurer: a declaration to send to the health insurer (Zvw pgb).",
            }
        }


class BatchCreateSerializer(PeriodSerializer):
    background = StrictBooleanField(
        required=False,
        default=False,
        help_text="Export in a background task: the answer is the task to follow (202).",
    )
    channel = choice_for(
        Batch,
        "channel",
        required=False,
        help_text="Only this channel. Without it, every channel with something ready gets its "
        "own export (the PGB Portaal entry aid first).",
    )


class RuleSerializer(serializers.Serializer):
    code = serializers.CharField()
    severity = serializers.CharField()
    blocks_export = serializers.BooleanField()
    title = serializers.CharField()
    message = serializers.CharField(help_text="With %(name)s where a finding fills in figures.")
    fix = serializers.CharField()
    # a field named like Field.source: DRF takes declared fields off the class, the stubs do not
    source = serializers.CharField()  # type: ignore[assignment]
    valid_from = serializers.DateField()
    valid_to = serializers.DateField(allow_null=True)
    params = serializers.DictField(
        child=serializers.CharField(), help_text="The figures a finding carries, and their kind."
    )


class HoursImportRequestSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="An .xlsx (the template's columns) or .csv file.")
    dry_run = serializers.BooleanField(
        default=False, help_text="Only say what would change; store nothing."
    )


class MonthChangeSerializer(serializers.Serializer):
    agreement = serializers.IntegerField()
    month = serializers.CharField(help_text="YYYY-MM")
    days_changed = serializers.IntegerField()
    entries_removed = serializers.IntegerField()
    entries_added = serializers.IntegerField()
    expenses_removed = serializers.IntegerField()
    expenses_added = serializers.IntegerField()


class HoursImportResultSerializer(serializers.Serializer):
    rows = serializers.IntegerField(help_text="Data rows read from the file.")
    dry_run = serializers.BooleanField()
    changed = serializers.BooleanField(help_text="Whether anything was (or would be) changed.")
    entries_removed = serializers.IntegerField()
    entries_added = serializers.IntegerField()
    expenses_removed = serializers.IntegerField()
    expenses_added = serializers.IntegerField()
    months = MonthChangeSerializer(many=True)
