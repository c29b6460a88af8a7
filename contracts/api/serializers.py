from django.utils import timezone

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from pgb_admin.api.fields import (
    CodeRelatedField,
    InputSerializer,
    ScopedRelatedField,
    StrictBooleanField,
    StrictDateField,
    char_for,
    choice_for,
    decimal_for,
)
from pgb_admin.api.lean import LeanModelSerializer
from pgb_admin.budgets.models import Budget, BudgetHolder, CareProduct
from pgb_admin.core.masking import mask_identifier

from ..constants import ApprovalStatus
from ..models import AgreementVersion, CareAgreement, HolderProvider, Provider
from ..selectors import version_on


class HolderLinkSerializer(LeanModelSerializer):
    carer_class = serializers.CharField(
        read_only=True, help_text="formal or informal care, from the relation and the provider."
    )

    class Meta:
        model = HolderProvider
        fields = ["holder", "relation", "carer_class"]


@extend_schema_field(
    {
        "type": "string",
        "description": "In full for those who may change the provider; otherwise masked.",
    }
)
class IBANOutputField(serializers.Field):
    def __init__(self, **kwargs):
        super().__init__(source="*", read_only=True, **kwargs)

    def to_representation(self, provider: Provider) -> str:
        return (
            provider.iban
            if getattr(provider, "can_edit", False)
            else mask_identifier(provider.iban)
        )


class ProviderSerializer(LeanModelSerializer):
    iban = IBANOutputField()
    holders = HolderLinkSerializer(
        source="visible_links",
        many=True,
        read_only=True,
        help_text="The budget holders you may see that this provider works for.",
    )
    can_edit = serializers.BooleanField(read_only=True)

    class Meta:
        model = Provider
        fields = [
            "id",
            "kind",
            "name",
            "date_of_birth",
            "iban",
            "account_holder",
            "agb_code",
            "kvk_number",
            "big_number",
            "is_entrepreneur",
            "sbi_code",
            "holders",
            "can_edit",
            "created_at",
            "updated_at",
        ]


def _identifier(name: str, **kwargs):
    # typed numbers may hold spaces or dots: the model normalises them
    return char_for(Provider, name, max_length=40, **kwargs)


class ProviderFieldsSerializer(InputSerializer):
    """The provider's own data, all optional (a correction)."""

    kind = choice_for(Provider, "kind", required=False)
    name = char_for(Provider, "name", required=False)
    date_of_birth = StrictDateField(required=False, allow_null=True)
    iban = _identifier("iban", required=False)
    account_holder = char_for(Provider, "account_holder")
    agb_code = _identifier("agb_code")
    kvk_number = _identifier("kvk_number")
    big_number = _identifier("big_number")
    is_entrepreneur = StrictBooleanField(required=False)
    sbi_code = _identifier(
        "sbi_code",
        required=False,
        help_text="SBI code of the Handelsregister, 2 to 5 digits; dots are dropped (86.91).",
    )


class ProviderCreateSerializer(ProviderFieldsSerializer):
    holder = ScopedRelatedField(BudgetHolder)
    relation = choice_for(HolderProvider, "relation")
    kind = choice_for(Provider, "kind")
    name = char_for(Provider, "name")
    iban = _identifier("iban")


class ProviderLinkSerializer(InputSerializer):
    holder = ScopedRelatedField(BudgetHolder)
    relation = choice_for(HolderProvider, "relation")


class RecordedDecisionSerializer(serializers.Serializer):
    """A decision of others (the funder's approval, the SVB's answer) as it was recorded in
    pgb-admin: typed in by hand, not received from the funder or the SVB."""

    # a field named like Field.source: DRF takes declared fields off the class, the stubs do not
    source = serializers.CharField(  # type: ignore[assignment]
        read_only=True, help_text="Always `recorded`: typed in, not received from its source."
    )
    kept = serializers.BooleanField(
        read_only=True, help_text="false: recorded before provenance was kept."
    )
    recorded_by = serializers.CharField(
        read_only=True, allow_null=True, help_text="The username of who recorded it."
    )
    role = serializers.CharField(
        read_only=True,
        help_text="Their role towards the holder then: holder, representative, bureau, staff "
        "(empty when not kept).",
    )
    recorded_at = serializers.DateTimeField(read_only=True, allow_null=True)
    evidence = serializers.CharField(
        read_only=True, help_text="The reference they gave (a PGB Portaal message, a letter)."
    )
    summary = serializers.CharField(read_only=True, help_text="In the requested language.")


class AgreementVersionSerializer(LeanModelSerializer):
    product: serializers.SlugRelatedField[CareProduct] = serializers.SlugRelatedField(
        slug_field="code", read_only=True
    )
    approval_provenance = RecordedDecisionSerializer(
        read_only=True,
        allow_null=True,
        help_text="Who recorded the funder's decision and on what evidence; null while none "
        "was recorded.",
    )

    class Meta:
        model = AgreementVersion
        fields = [
            "id",
            "valid_from",
            "valid_to",
            "budget",
            "product",
            "rate",
            "unit",
            "hours_per_week",
            "rate_includes_holiday_pay",
            "travel_allowance_per_km",
            "approval_status",
            "approval_date",
            "approval_provenance",
            "change_reason",
            "registered_at",
        ]


class AgreementSerializer(LeanModelSerializer):
    start_date = serializers.DateField(read_only=True)
    end_date = serializers.DateField(
        read_only=True, allow_null=True, help_text="Empty while the agreement is open-ended."
    )
    version = serializers.SerializerMethodField(
        help_text="The version in force on `as_of` (default: today), or null."
    )
    versions = AgreementVersionSerializer(source="visible_versions", many=True, read_only=True)

    class Meta:
        model = CareAgreement
        fields = [
            "id",
            "holder",
            "provider",
            "agreement_type",
            "svb_agreement_number",
            "start_date",
            "end_date",
            "version",
            "versions",
            "created_at",
            "updated_at",
        ]

    @extend_schema_field(AgreementVersionSerializer(allow_null=True))
    def get_version(self, agreement):
        as_of = self.context.get("as_of") or timezone.localdate()
        version = version_on(agreement.visible_versions, as_of)
        if version is None:
            return None
        # one serializer for every row: building a serializer's fields costs more than a row
        serializer = self.__dict__.get("_version_serializer")
        if serializer is None:
            serializer = AgreementVersionSerializer(context=self.context)
            self.__dict__["_version_serializer"] = serializer
        return serializer.to_representation(version)


def _product(**kwargs):
    return CodeRelatedField(slug_field="code", queryset=CareProduct.objects.all(), **kwargs)


class AgreementTermsSerializer(InputSerializer):
    """What a version agrees; all optional (a change carries the rest over)."""

    budget = ScopedRelatedField(Budget, required=False)
    product = _product(required=False)
    valid_to = StrictDateField(required=False, allow_null=True)
    rate = decimal_for(AgreementVersion, "rate", required=False)
    unit = choice_for(AgreementVersion, "unit", required=False)
    hours_per_week = decimal_for(AgreementVersion, "hours_per_week")
    rate_includes_holiday_pay = StrictBooleanField(required=False)
    travel_allowance_per_km = decimal_for(AgreementVersion, "travel_allowance_per_km")


class AgreementCreateSerializer(AgreementTermsSerializer):
    holder = ScopedRelatedField(BudgetHolder)
    provider = ScopedRelatedField(Provider)
    agreement_type = choice_for(CareAgreement, "agreement_type")
    svb_agreement_number = char_for(CareAgreement, "svb_agreement_number")
    budget = ScopedRelatedField(Budget)
    product = _product()
    valid_from = StrictDateField()
    rate = decimal_for(AgreementVersion, "rate")
    unit = choice_for(AgreementVersion, "unit")


class AgreementUpdateSerializer(InputSerializer):
    svb_agreement_number = char_for(CareAgreement, "svb_agreement_number", required=True)


class AgreementChangeSerializer(AgreementTermsSerializer):
    effective_from = StrictDateField(help_text="The first day of the new version.")
    reason = char_for(AgreementVersion, "change_reason", required=False)


class AgreementEndSerializer(InputSerializer):
    end_date = StrictDateField(help_text="The agreement's last day.")


class ApprovalSerializer(InputSerializer):
    status = choice_for(AgreementVersion, "approval_status", required=True)
    decided_on = StrictDateField()
    evidence = char_for(
        AgreementVersion,
        "approval_evidence",
        required=True,
        allow_blank=False,
        help_text="Where you saw the funder's decision: the PGB Portaal message or the "
        "decision letter's number and date.",
    )

    def validate_status(self, value):
        return ApprovalStatus(value)
