"""The REST API: ``/api/v1/`` (resources), ``/api/schema/`` (OpenAPI 3), ``/api/docs/``.

Every app declares its own resources in a router (here those of ``pgb_admin``'s apps; the
others in their ``api/urls.py``); the project's URLconf (``pgb_admin/urls.py``) composes them
with :func:`api_urlpatterns`, so this package never imports the apps built on it."""

from collections.abc import Iterable

from django.urls import URLPattern, URLResolver, include, path

from drf_spectacular.views import SpectacularAPIView
from rest_framework.routers import DefaultRouter, SimpleRouter

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

budget_router = SimpleRouter()
budget_router.register("funders", FunderViewSet, basename="funder")
budget_router.register("care-products", CareProductViewSet, basename="care-product")
budget_router.register("budget-holders", BudgetHolderViewSet, basename="budget-holder")
budget_router.register("budgets", BudgetViewSet, basename="budget")

core_router = SimpleRouter()
core_router.register("tasks", TaskRunViewSet, basename="task")

account_paths = [
    path("v1/auth/token/", TokenView.as_view(), name="token"),
    path("v1/me/", MeView.as_view(), name="me"),
]
audit_paths = [
    path(
        "v1/budget-holders/<int:holder_id>/access-log/",
        HolderAccessLogView.as_view(),
        name="budget-holder-access-log",
    ),
    path("v1/access-log/", AccessLogSearchView.as_view(), name="access-log"),
]


def api_urlpatterns(
    *, paths: Iterable[URLPattern | URLResolver], routers: Iterable[SimpleRouter]
) -> tuple[list, str]:
    """The API's URLconf (namespace ``api``): ``paths`` first, then the resources of the
    routers under ``/api/v1/`` (listed by its root in this order), the schema and its page."""
    router = DefaultRouter()
    for app_router in routers:
        for prefix, viewset, basename in app_router.registry:
            router.register(prefix, viewset, basename=basename)
    urlpatterns = [
        *paths,
        path("v1/", include(router.urls)),
        path("schema/", SpectacularAPIView.as_view(), name="schema"),
        path("docs/", ApiDocsView.as_view(url_name="api:schema"), name="docs"),
    ]
    return urlpatterns, "api"
