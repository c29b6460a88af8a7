"""The REST API: ``/api/v1/`` (resources), ``/api/schema/`` (OpenAPI 3), ``/api/docs/``."""

from django.urls import include, path

from drf_spectacular.views import SpectacularAPIView
from rest_framework import routers

from contracts.api.viewsets import AgreementViewSet, ProviderViewSet
from declarations.api.viewsets import (
    BatchViewSet,
    DeclarationViewSet,
    ExpenseViewSet,
    HoursImportView,
    RuleViewSet,
    TimeEntryViewSet,
)
from pgb_admin.accounts.api.views import MeView, TokenView
from pgb_admin.api.docs import ApiDocsView
from pgb_admin.audit.api import AccessLogSearchView, HolderAccessLogView
from pgb_admin.budgets.api.viewsets import (
    BudgetHolderViewSet,
    BudgetViewSet,
    CareProductViewSet,
    FunderViewSet,
)
from pgb_admin.core.api.viewsets import TaskRunViewSet
from reports.api.viewsets import (
    HolderReportViewSet,
    MunicipalityReportViewSet,
    ReportFileViewSet,
)

router = routers.DefaultRouter()
router.register("funders", FunderViewSet, basename="funder")
router.register("care-products", CareProductViewSet, basename="care-product")
router.register("budget-holders", BudgetHolderViewSet, basename="budget-holder")
router.register("budgets", BudgetViewSet, basename="budget")
router.register("providers", ProviderViewSet, basename="provider")
router.register("agreements", AgreementViewSet, basename="agreement")
router.register("time-entries", TimeEntryViewSet, basename="time-entry")
router.register("expenses", ExpenseViewSet, basename="expense")
router.register("declarations", DeclarationViewSet, basename="declaration")
router.register("batches", BatchViewSet, basename="batch")
router.register("rules", RuleViewSet, basename="rule")
router.register("tasks", TaskRunViewSet, basename="task")
router.register("reports/holders", HolderReportViewSet, basename="holder-report")
router.register("reports/municipalities", MunicipalityReportViewSet, basename="municipality-report")
router.register("reports/files", ReportFileViewSet, basename="report-file")

app_name = "api"
urlpatterns = [
    path("v1/auth/token/", TokenView.as_view(), name="token"),
    path("v1/me/", MeView.as_view(), name="me"),
    path("v1/imports/hours/", HoursImportView.as_view(), name="hours-import"),
    path(
        "v1/budget-holders/<int:holder_id>/access-log/",
        HolderAccessLogView.as_view(),
        name="budget-holder-access-log",
    ),
    path("v1/access-log/", AccessLogSearchView.as_view(), name="access-log"),
    path("v1/", include(router.urls)),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", ApiDocsView.as_view(url_name="api:schema"), name="docs"),
]
