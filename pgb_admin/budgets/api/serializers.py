from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from pgb_admin.accounts.constants import ACTING_ROLES, MandateRole, RepresentativeKind
from pgb_admin.accounts.scoping import (
    audited_funder_ids,
    represented_holder_ids,
    request_scope,
    sees_everything,
)
from pgb_admin.api.fields import (
    CodeRelatedField,
    InputSerializer,
    ScopedRelatedField,
    StrictBooleanField,
    StrictChoiceField,
    StrictDateField,
    char_for,
    choice_for,
    decimal_for,
)
from pgb_admin.api.lean import LeanModelSerializer
from pgb_admin.core.masking import mask_identifier, mask_postcode

from ..models import Budget, BudgetHolder, CareProduct, Funder, HolderAdmission, Indication


class FunderSerializer(LeanModelSerializer):
    class Meta:
        model = Funder
        fields = ["id", "code", "name", "kind"]


class CareProductSerializer(LeanModelSerializer):
    name = serializers.CharField(read_only=True, help_text="In the requested language.")

    class Meta:
        model = CareProduct
        fields = ["code", "name", "name_nl", "name_en"]


@extend_schema_field(
    {
        "type": "string",
        "description": "The full BSN for the holder and those who act for them, in the "
        "answer about one holder; masked as *****1234 in lists and for everyone else.",
        "example": "*****6782",
    }
)
class BSNOutputField(serializers.Field):
    def __init__(self, **kwargs):
        super().__init__(source="*", read_only=True, **kwargs)

    def to_representation(self, holder: BudgetHolder) -> str:
        return holder.bsn if shows_full_bsn(self, holder) else mask_identifier(holder.bsn)


def shows_full_bsn(field: serializers.Field, holder: BudgetHolder) -> bool:
    """The view asks for it (one holder, not a list) and the user acts for the holder."""
    return bool(field.context.get("full_bsn") and getattr(holder, "shows_full_bsn", False))


class HolderAdmissionSerializer(LeanModelSerializer):
    class Meta:
        model = HolderAdmission
        fields = ["id", "kind", "valid_from", "valid_to", "note"]


class BudgetHolderSerializer(LeanModelSerializer):
    bsn = BSNOutputField()
    postcode = serializers.CharField(
        read_only=True, help_text="Masked as 2514 ** for auditors (the letters hidden)."
    )
    house_number = serializers.CharField(
        read_only=True, allow_null=True, help_text="null for auditors: never shown to them."
    )
    admissions = HolderAdmissionSerializer(
        many=True,
        read_only=True,
        help_text="Stays in a hospital or a Wlz institution: no care at home meanwhile.",
    )
    bsn_masked = serializers.SerializerMethodField()
    # many=True makes a ManyRelatedField; djangorestframework-stubs does not model it
    funders: serializers.ManyRelatedField = serializers.SlugRelatedField(  # type: ignore[assignment]
        slug_field="code", many=True, read_only=True
    )
    can_edit = serializers.BooleanField(
        read_only=True, help_text="Whether you may change this holder's data."
    )

    class Meta:
        model = BudgetHolder
        fields = [
            "id",
            "initials",
            "first_name",
            "surname",
            "display_name",
            "bsn",
            "bsn_masked",
            "date_of_birth",
            "svb_client_number",
            "postcode",
            "house_number",
            "date_of_death",
            "cak_exemption",
            "admissions",
            "funders",
            "can_edit",
            "created_at",
            "updated_at",
        ]

    def get_bsn_masked(self, holder) -> bool:
        return not shows_full_bsn(self, holder)

    def to_representation(self, holder):
        data = super().to_representation(holder)
        audited = _funders_of_auditor(self.context, holder)
        if audited is not None:
            data["funders"] = [code for code in data["funders"] if code in audited]
            data["postcode"] = mask_postcode(holder.postcode)
            data["house_number"] = None
        return data


def _funders_of_auditor(context: dict, holder: BudgetHolder) -> set[str] | None:
    """The codes of the funders the user audits, when the user sees ``holder`` only as an
    auditor (they see those of the holder's funders only); ``None`` for staff and for whoever
    has a mandate for the holder. Two queries per response, kept in the context."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or sees_everything(user):
        return None
    if "funder_scope" not in context:
        context["funder_scope"] = _funder_scope(user)
    represented, audited = context["funder_scope"]
    return None if holder.pk in represented else audited


def _funder_scope(user) -> tuple[set[int], set[str]]:
    """The holders the user has a mandate for and the codes of the funders they audit: from
    the scope resolved for the request where there is one."""
    scope = request_scope(user)
    if scope is not None:
        audited = scope.audited_funders
        codes = Funder.objects.filter(pk__in=audited).values_list("code", flat=True)
        return set(scope.mandates), set(codes) if audited else set()
    return (
        set(
            BudgetHolder.objects.filter(pk__in=represented_holder_ids(user)).values_list(
                "pk", flat=True
            )
        ),
        set(Funder.objects.filter(pk__in=audited_funder_ids(user)).values_list("code", flat=True)),
    )


def _identifier(name: str, **kwargs):
    # typed numbers may hold spaces or dots ("1234 56 782"): the model normalises them
    return char_for(BudgetHolder, name, max_length=20, **kwargs)


def _postcode():
    # typed as 2514ab or 2514 AB: the model normalises it to 2514 AB and checks it
    return char_for(
        BudgetHolder,
        "postcode",
        max_length=10,
        required=False,
        help_text="A Dutch postcode, e.g. 2514 AB.",
    )


class BudgetHolderCreateSerializer(InputSerializer):
    role = StrictChoiceField(
        choices=[(role.value, role.label) for role in MandateRole if role in ACTING_ROLES],
        help_text="How you act for the new holder; you get a mandate in this role. `bureau` "
        "only if you act for a holder as a pgb bureau today (400 otherwise).",
    )
    representative_kind = StrictChoiceField(
        choices=RepresentativeKind.choices, required=False, allow_blank=True
    )
    initials = char_for(BudgetHolder, "initials")
    first_name = char_for(BudgetHolder, "first_name")
    surname = char_for(BudgetHolder, "surname")
    bsn = _identifier("bsn")
    date_of_birth = StrictDateField()
    svb_client_number = _identifier("svb_client_number")
    postcode = _postcode()
    house_number = char_for(BudgetHolder, "house_number", required=False)
    date_of_death = StrictDateField(required=False, allow_null=True)
    cak_exemption = choice_for(BudgetHolder, "cak_exemption", required=False)
    funders = CodeRelatedField(
        slug_field="code",
        queryset=Funder.objects.all(),
        many=True,
        required=False,
        help_text="Staff only (400 for anyone else): a holder's funders follow from the "
        "grants registered for them.",
    )


class BudgetHolderUpdateSerializer(InputSerializer):
    initials = char_for(BudgetHolder, "initials", required=False)
    first_name = char_for(BudgetHolder, "first_name", required=False)
    surname = char_for(BudgetHolder, "surname", required=False)
    bsn = _identifier(
        "bsn",
        required=False,
        help_text="Changed by staff only (the back office checks the identity); anyone else "
        "gets 400 unless it is the BSN the holder has.",
    )
    date_of_birth = StrictDateField(required=False)
    svb_client_number = _identifier("svb_client_number", required=False)
    postcode = _postcode()
    house_number = char_for(BudgetHolder, "house_number", required=False)
    date_of_death = StrictDateField(required=False, allow_null=True)
    cak_exemption = choice_for(BudgetHolder, "cak_exemption", required=False)


class AdmissionCreateSerializer(InputSerializer):
    kind = choice_for(HolderAdmission, "kind")
    valid_from = StrictDateField()
    valid_to = StrictDateField(required=False, allow_null=True)
    note = char_for(HolderAdmission, "note", required=False)


class AdmissionEndSerializer(InputSerializer):
    valid_to = StrictDateField(help_text="The last day of the stay.")


class BSNLookupSerializer(InputSerializer):
    bsn = _identifier("bsn", help_text="The BSN to look for (sent in the body, never in a URL).")


class IndicationSerializer(LeanModelSerializer):
    product: serializers.SlugRelatedField[CareProduct] = serializers.SlugRelatedField(
        slug_field="code", read_only=True
    )

    class Meta:
        model = Indication
        fields = ["id", "product", "hours", "per", "valid_from", "valid_to"]


class BudgetSerializer(LeanModelSerializer):
    funder: serializers.SlugRelatedField[Funder] = serializers.SlugRelatedField(
        slug_field="code", read_only=True
    )
    # many=True makes a ManyRelatedField; djangorestframework-stubs does not model it
    products: serializers.ManyRelatedField = serializers.SlugRelatedField(  # type: ignore[assignment]
        slug_field="code", many=True, read_only=True
    )
    indications = IndicationSerializer(
        many=True, read_only=True, help_text="The hours the decision indicates per product."
    )
    objection_deadline = serializers.SerializerMethodField(
        help_text="Last day to object to the decision (bezwaar): 6 weeks after it, by the "
        "dated figure."
    )

    class Meta:
        model = Budget
        fields = [
            "id",
            "holder",
            "funder",
            "scheme",
            "products",
            "start_date",
            "end_date",
            "amount",
            "decision_date",
            "decision_reference",
            "svb_payroll",
            "indications",
            "objection_deadline",
            "created_at",
            "updated_at",
        ]

    @extend_schema_field(serializers.DateField(allow_null=True))
    def get_objection_deadline(self, budget):
        deadline = budget.objection_deadline_from(self.context["figures"])
        return deadline.isoformat() if deadline else None


def _products(**kwargs):
    return CodeRelatedField(
        slug_field="code", queryset=CareProduct.objects.all(), many=True, **kwargs
    )


class BudgetCreateSerializer(InputSerializer):
    holder = ScopedRelatedField(BudgetHolder)
    funder = CodeRelatedField(slug_field="code", queryset=Funder.objects.all())
    scheme = choice_for(Budget, "scheme")
    products = _products()
    start_date = StrictDateField()
    end_date = StrictDateField()
    amount = decimal_for(Budget, "amount")
    decision_date = StrictDateField()
    decision_reference = char_for(Budget, "decision_reference")
    svb_payroll = StrictBooleanField(
        required=False, help_text="Zvw only (400 otherwise): the SVB runs the payroll."
    )


class BudgetUpdateSerializer(InputSerializer):
    products = _products(required=False)
    start_date = StrictDateField(required=False)
    end_date = StrictDateField(required=False)
    amount = decimal_for(Budget, "amount", required=False)
    decision_date = StrictDateField(required=False)
    decision_reference = char_for(Budget, "decision_reference", required=False)
    svb_payroll = StrictBooleanField(
        required=False, help_text="Zvw only (400 otherwise): the SVB runs the payroll."
    )


class IndicationCreateSerializer(InputSerializer):
    product = CodeRelatedField(
        slug_field="code",
        queryset=CareProduct.objects.all(),
        help_text="One of the grant's care products.",
    )
    hours = decimal_for(Indication, "hours", help_text='More than 0, e.g. "3.00".')
    per = choice_for(Indication, "per")
    valid_from = StrictDateField()
    valid_to = StrictDateField(required=False, allow_null=True)
