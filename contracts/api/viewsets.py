from django.http import Http404
from django.utils.translation import gettext_lazy as _

from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError

from pgb_admin.api.fields import DATE_SCHEMA, parse_iso_date, path_id
from pgb_admin.api.filters import DateFilter, FilterSet, IdFilter
from pgb_admin.api.viewsets import ListRetrieveMixin, ScopedViewSet
from pgb_admin.budgets.constants import Scheme
from pgb_admin.core.periods import date_out_of_range, is_supported

from .. import selectors, services
from ..constants import AgreementType, ApprovalStatus
from ..models import AgreementVersion, CareAgreement, HolderProvider, Provider
from . import serializers


class ProviderFilter(FilterSet):
    holder = IdFilter(method="filter_holder")

    class Meta:
        model = Provider
        fields = ["holder", "kind"]

    def filter_holder(self, queryset, name, value):
        # through the links the user sees: an auditor sees a provider's work for a holder
        # only where it is under an agreement on their funder's grants
        links = HolderProvider.objects.visible_to(self.request.user).filter(holder_id=value)
        return queryset.filter(pk__in=links.values("provider_id"))


@extend_schema_view(
    list=extend_schema(summary="The care providers you may see"),
    retrieve=extend_schema(summary="A care provider"),
)
class ProviderViewSet(ListRetrieveMixin, ScopedViewSet):
    """Care providers (zorgverleners): persons and organisations, and their relation to each
    budget holder, which decides formal or informal care. The IBAN is masked for those who
    may only look."""

    selector = selectors.provider_list
    serializer_class = serializers.ProviderSerializer
    filterset_class = ProviderFilter
    ordering_fields = ["name", "created_at"]

    @extend_schema(
        summary="Register a care provider with a budget holder",
        request=serializers.ProviderCreateSerializer,
        responses={201: serializers.ProviderSerializer},
    )
    def create(self, request):
        data = self.read_input(serializers.ProviderCreateSerializer)
        provider = services.provider_create(
            actor=request.user,
            holder_id=data.pop("holder").pk,
            relation=data.pop("relation"),
            **data,
        )
        return self.respond(provider, status=201)

    @extend_schema(
        summary="Correct a care provider's data",
        description="A provider is shared by every budget holder it works for. When you may "
        "change all of them, the provider changes in place. Otherwise the change makes a copy "
        "for the holders you act for (their registrations and agreements move to it) and the "
        "other holders keep the provider as it was: the answer is then the copy, with an `id` "
        "other than the one in the URL. Use that id from now on. Each holder the change "
        "reaches sees it in their access log.",
        request=serializers.ProviderFieldsSerializer,
        responses={200: serializers.ProviderSerializer},
    )
    def partial_update(self, request, pk=None):
        provider = self.get_object()
        data = self.read_input(serializers.ProviderFieldsSerializer)
        provider = services.provider_update(actor=request.user, provider_id=provider.pk, **data)
        return self.respond(provider)

    @extend_schema(
        summary="Register this provider with another budget holder",
        request=serializers.ProviderLinkSerializer,
        responses={201: serializers.ProviderSerializer},
    )
    @action(detail=True, methods=["post"])
    def link(self, request, pk=None):
        provider = self.get_object()
        data = self.read_input(serializers.ProviderLinkSerializer)
        services.provider_link(
            actor=request.user,
            holder_id=data["holder"].pk,
            provider_id=provider.pk,
            relation=data["relation"],
        )
        return self.respond(provider, status=201)


class AgreementFilter(FilterSet):
    holder = IdFilter(field_name="holder_id")
    provider = IdFilter(field_name="provider_id")
    agreement_type = filters.ChoiceFilter(choices=AgreementType.choices)
    scheme = filters.ChoiceFilter(
        choices=Scheme.choices, method="filter_versions", label="With a version under this law"
    )
    approval_status = filters.ChoiceFilter(
        choices=ApprovalStatus.choices,
        method="filter_versions",
        label="With a version in this approval state",
    )
    active_on = DateFilter(method="filter_active_on", label="In force on this date")

    class Meta:
        model = CareAgreement
        fields = ["holder", "provider", "agreement_type"]

    def filter_versions(self, queryset, name, value):
        lookup = {"scheme": "budget__scheme", "approval_status": "approval_status"}[name]
        versions = AgreementVersion.objects.filter(**{lookup: value})
        return queryset.filter(pk__in=versions.values("agreement_id"))

    def filter_active_on(self, queryset, name, value):
        versions = AgreementVersion.objects.valid_on(value)
        return queryset.filter(pk__in=versions.values("agreement_id"))


AS_OF = OpenApiParameter(
    "as_of",
    DATE_SCHEMA,
    description="Give `version` as the agreement was on this date (default: today).",
)


@extend_schema_view(
    list=extend_schema(summary="Care agreements with their dated versions", parameters=[AS_OF]),
    retrieve=extend_schema(summary="A care agreement", parameters=[AS_OF]),
)
class AgreementViewSet(ListRetrieveMixin, ScopedViewSet):
    """Care agreements (zorgovereenkomsten). What was agreed lives in dated versions: a change
    is a new version from a date, history is never edited; `as_of` reads the agreement as it
    was on a date."""

    selector = selectors.agreement_list
    serializer_class = serializers.AgreementSerializer
    filterset_class = AgreementFilter
    ordering_fields = ["start_date", "created_at"]

    def get_serializer_context(self):
        context = super().get_serializer_context()
        text = self.request.query_params.get("as_of") if self.request else None
        if text is not None:
            context["as_of"] = parse_iso_date(text)
            if context["as_of"] is None:
                raise ValidationError({"as_of": [_("Give a date as YYYY-MM-DD.")]})
            if not is_supported(context["as_of"]):
                error = date_out_of_range()
                raise ValidationError({"as_of": error.messages}, code=error.code)
        return context

    @extend_schema(
        summary="Register a care agreement and its first version",
        request=serializers.AgreementCreateSerializer,
        responses={201: serializers.AgreementSerializer},
    )
    def create(self, request):
        data = self.read_input(serializers.AgreementCreateSerializer)
        agreement = services.agreement_create(
            actor=request.user,
            holder_id=data.pop("holder").pk,
            provider_id=data.pop("provider").pk,
            budget_id=data.pop("budget").pk,
            **data,
        )
        return self.respond(agreement, status=201)

    @extend_schema(
        summary="Register the SVB's agreement number",
        description="What was agreed changes only through `changes`, as a new dated version.",
        request=serializers.AgreementUpdateSerializer,
        responses={200: serializers.AgreementSerializer},
    )
    def partial_update(self, request, pk=None):
        agreement = self.get_object()
        data = self.read_input(serializers.AgreementUpdateSerializer)
        agreement = services.agreement_update(actor=request.user, agreement_id=agreement.pk, **data)
        return self.respond(agreement)

    @extend_schema(
        summary="Change the agreement from a date (a new version)",
        description="The version in force the day before ends then; registered history is "
        "never rewritten. The new version awaits the funder's approval.",
        request=serializers.AgreementChangeSerializer,
        responses={201: serializers.AgreementSerializer},
    )
    @action(detail=True, methods=["post"])
    def changes(self, request, pk=None):
        agreement = self.get_object()
        data = self.read_input(serializers.AgreementChangeSerializer)
        if "budget" in data:
            data["budget_id"] = data.pop("budget").pk
        services.agreement_change(actor=request.user, agreement_id=agreement.pk, **data)
        return self.respond(agreement, status=201)

    @extend_schema(
        summary="End the agreement on a date",
        request=serializers.AgreementEndSerializer,
        responses={200: serializers.AgreementSerializer},
    )
    @action(detail=True, methods=["post"])
    def end(self, request, pk=None):
        agreement = self.get_object()
        data = self.read_input(serializers.AgreementEndSerializer)
        services.agreement_end(actor=request.user, agreement_id=agreement.pk, **data)
        return self.respond(agreement)

    @extend_schema(
        summary="Record the funder's decision on a version",
        request=serializers.ApprovalSerializer,
        responses={200: serializers.AgreementSerializer},
        parameters=[OpenApiParameter("version_id", OpenApiTypes.INT, OpenApiParameter.PATH)],
    )
    @action(detail=True, methods=["post"], url_path=r"versions/(?P<version_id>[0-9]+)/approval")
    def approval(self, request, pk=None, version_id=None):
        agreement = self.get_object()
        if not agreement.versions.filter(pk=path_id(version_id)).exists():
            raise Http404
        data = self.read_input(serializers.ApprovalSerializer)
        services.agreement_record_approval(actor=request.user, version_id=int(version_id), **data)
        return self.respond(agreement)
