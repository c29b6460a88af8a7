from django.http import Http404

from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError

from pgb_admin.api.fields import path_id
from pgb_admin.api.filters import DateFilter, FilterSet, IdFilter
from pgb_admin.api.permissions import reads_only
from pgb_admin.api.throttling import LookupRateThrottle
from pgb_admin.api.viewsets import ListRetrieveMixin, ScopedViewSet, collection_action
from pgb_admin.audit.models import Outcome

from .. import selectors, services
from ..constants import Scheme
from ..models import Budget, BudgetHolder, Funder
from . import serializers


class FunderFilter(FilterSet):
    class Meta:
        model = Funder
        fields = ["code", "kind"]


@extend_schema_view(
    list=extend_schema(summary="Funders: municipalities, care offices, health insurers"),
    retrieve=extend_schema(summary="A funder"),
)
class FunderViewSet(ListRetrieveMixin, ScopedViewSet):
    """Who grants budgets: municipalities (CBS code, e.g. GM0518), care offices, insurers."""

    selector = selectors.funder_list
    serializer_class = serializers.FunderSerializer
    filterset_class = FunderFilter
    ordering_fields = ["code", "name"]
    http_method_names = ["get", "head", "options"]


@extend_schema_view(
    list=extend_schema(summary="Care products a grant can be for"),
    retrieve=extend_schema(summary="A care product"),
)
class CareProductViewSet(ListRetrieveMixin, ScopedViewSet):
    """The kinds of care a grant can be for, by code."""

    selector = selectors.care_product_list
    serializer_class = serializers.CareProductSerializer
    lookup_field = "code"
    lookup_value_regex = r"[a-z0-9_-]+"
    ordering_fields = ["code"]
    http_method_names = ["get", "head", "options"]


#: the answers that show the full BSN to who acts for the holder (tests/bsn_scan.py)
FULL_BSN_ACTIONS = frozenset({"retrieve", "create", "partial_update", "lookup"})


class BudgetHolderFilter(FilterSet):
    funder = filters.CharFilter(method="filter_funder", label="With a grant of this funder")

    class Meta:
        model = BudgetHolder
        fields = ["funder"]

    def filter_funder(self, queryset, name, value):
        # through the grants the user sees: an auditor learns of no funder but their own
        grants = Budget.objects.visible_to(self.request.user).filter(funder__code=value)
        return queryset.filter(pk__in=grants.values("holder_id"))


@extend_schema_view(
    list=extend_schema(summary="The budget holders you may see"),
    retrieve=extend_schema(summary="A budget holder"),
)
class BudgetHolderViewSet(ListRetrieveMixin, ScopedViewSet):
    """Budget holders (budgethouders) you act for, look at or audit. The BSN is shown in full
    only to the holder and those who act for them, one holder at a time (never in the list),
    and is never accepted in a URL."""

    selector = selectors.holder_list
    serializer_class = serializers.BudgetHolderSerializer
    filterset_class = BudgetHolderFilter
    ordering_fields = ["surname", "date_of_birth", "created_at"]

    def get_queryset(self):
        # the answers list each holder's admissions; the overview page does not
        return super().get_queryset().prefetch_related("admissions")

    def get_serializer_context(self):
        # the full BSN only in the answer about one holder, never in a list of them, nor in
        # the answer to a change of their admissions
        return {**super().get_serializer_context(), "full_bsn": self.action in FULL_BSN_ACTIONS}

    def get_throttles(self):
        throttles = super().get_throttles()
        if self.action == "lookup":
            throttles.append(LookupRateThrottle())
        return throttles

    def throttled(self, request, wait):
        if self.action == "lookup":  # a refused attempt is logged too
            selectors.log_holder_lookup(user=request.user, holder=None, outcome=Outcome.REFUSED)
        super().throttled(request, wait)

    @extend_schema(
        summary="Register a budget holder (you get a mandate for them)",
        request=serializers.BudgetHolderCreateSerializer,
        responses={201: serializers.BudgetHolderSerializer},
    )
    def create(self, request):
        data = self.read_input(serializers.BudgetHolderCreateSerializer)
        holder = services.holder_create(actor=request.user, funders=data.pop("funders", []), **data)
        return self.respond(holder, status=201)

    @extend_schema(
        summary="Correct a budget holder's data",
        request=serializers.BudgetHolderUpdateSerializer,
        responses={200: serializers.BudgetHolderSerializer},
    )
    def partial_update(self, request, pk=None):
        holder = self.get_object()
        data = self.read_input(serializers.BudgetHolderUpdateSerializer)
        holder = services.holder_update(actor=request.user, holder_id=holder.pk, **data)
        return self.respond(holder)

    @extend_schema(
        summary="Register a stay in a hospital or a Wlz institution",
        request=serializers.AdmissionCreateSerializer,
        responses={201: serializers.BudgetHolderSerializer},
    )
    @action(detail=True, methods=["post"])
    def admissions(self, request, pk=None):
        holder = self.get_object()
        data = self.read_input(serializers.AdmissionCreateSerializer)
        services.admission_create(actor=request.user, holder_id=holder.pk, **data)
        return self.respond(holder, status=201)

    @extend_schema(
        summary="End a stay (its last day)",
        request=serializers.AdmissionEndSerializer,
        responses={200: serializers.BudgetHolderSerializer},
        parameters=[OpenApiParameter("admission_id", OpenApiTypes.INT, OpenApiParameter.PATH)],
    )
    @action(detail=True, methods=["post"], url_path=r"admissions/(?P<admission_id>[0-9]+)/end")
    def admission_end(self, request, pk=None, admission_id=None):
        holder = self.get_object()
        if not holder.admissions.filter(pk=path_id(admission_id)).exists():
            raise Http404
        data = self.read_input(serializers.AdmissionEndSerializer)
        services.admission_end(actor=request.user, admission_id=int(admission_id), **data)
        return self.respond(holder)

    @extend_schema(
        summary="Find a budget holder you act for by BSN",
        description="For the holder and those who act for them (representative, pgb bureau): "
        "it finds only holders whose full BSN you see; anyone else gets 403. The BSN goes in "
        "the body, so it never appears in a URL or a log. Every attempt is in the access log, "
        "and lookups have their own rate per user (429 past it).",
        request=serializers.BSNLookupSerializer,
        responses={200: serializers.BudgetHolderSerializer},
    )
    @collection_action(url_path="lookup")
    @reads_only
    def lookup(self, request):
        try:
            data = self.read_input(serializers.BSNLookupSerializer)
        except ValidationError:
            selectors.log_holder_lookup(user=request.user, holder=None, outcome=Outcome.REFUSED)
            raise
        holder = selectors.holder_lookup(user=request.user, bsn=data["bsn"])
        if holder is None:
            raise Http404
        return self.respond(holder)


class BudgetFilter(FilterSet):
    holder = IdFilter(field_name="holder_id")
    funder = filters.CharFilter(field_name="funder__code")
    scheme = filters.ChoiceFilter(choices=Scheme.choices)
    active_on = DateFilter(method="filter_active_on", label="Grants running on this date")

    class Meta:
        model = Budget
        fields = ["holder", "funder", "scheme", "active_on"]

    def filter_active_on(self, queryset, name, value):
        return queryset.covering(value)


@extend_schema_view(
    list=extend_schema(summary="Budget grants (toekenningen)"),
    retrieve=extend_schema(summary="A budget grant"),
)
class BudgetViewSet(ListRetrieveMixin, ScopedViewSet):
    """Budget grants (toekenningen): an amount for a period under one law, by one funder."""

    selector = selectors.budget_list
    serializer_class = serializers.BudgetSerializer
    filterset_class = BudgetFilter
    ordering_fields = ["start_date", "end_date", "amount", "decision_date"]

    @extend_schema(
        summary="Register a budget grant",
        request=serializers.BudgetCreateSerializer,
        responses={201: serializers.BudgetSerializer},
    )
    def create(self, request):
        data = self.read_input(serializers.BudgetCreateSerializer)
        budget = services.budget_create(actor=request.user, holder_id=data.pop("holder").pk, **data)
        return self.respond(budget, status=201)

    @extend_schema(
        summary="Correct a budget grant",
        request=serializers.BudgetUpdateSerializer,
        responses={200: serializers.BudgetSerializer},
    )
    def partial_update(self, request, pk=None):
        budget = self.get_object()
        data = self.read_input(serializers.BudgetUpdateSerializer)
        budget = services.budget_update(actor=request.user, budget_id=budget.pk, **data)
        return self.respond(budget)

    @extend_schema(
        summary="Register the hours the decision indicates for one of the grant's products",
        request=serializers.IndicationCreateSerializer,
        responses={201: serializers.BudgetSerializer},
    )
    @action(detail=True, methods=["post"])
    def indications(self, request, pk=None):
        budget = self.get_object()
        data = self.read_input(serializers.IndicationCreateSerializer)
        services.indication_create(actor=request.user, budget_id=budget.pk, **data)
        return self.respond(budget, status=201)
