from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path, register_converter

from contracts.api.urls import router as contract_router
from declarations.api import urls as declaration_api
from pgb_admin.accounts import views as account_views
from pgb_admin.api import routing as api
from pgb_admin.core import views as core_views
from pgb_admin.core.web import DateConverter, MonthConverter
from reports.api.urls import router as report_router

register_converter(MonthConverter, "month")
register_converter(DateConverter, "date")

# The project's URLconf composes the apps: pgb_admin's own never import those built on them.
# The API's resources in the order its root lists them.
api_urls = api.api_urlpatterns(
    paths=[*api.account_paths, *declaration_api.paths, *api.audit_paths],
    routers=[
        api.budget_router,
        contract_router,
        declaration_api.router,
        api.core_router,
        report_router,
    ],
)

urlpatterns = [
    path("", core_views.home, name="home"),
    path("health/", core_views.health, name="health"),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "accounts/logout/everywhere/",
        account_views.logout_everywhere,
        name="logout_everywhere",
    ),
    path("accounts/password-reset/", include("pgb_admin.accounts.password_reset_urls")),
    path("accounts/two-factor/", include("pgb_admin.accounts.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("reports.dashboard.urls")),
    path("", include("contracts.urls")),
    path("", include("declarations.urls")),
    path("", include("declarations.provider_urls")),  # care providers as users (issue 19)
    path("", include("reports.urls")),
    path("", include("pgb_admin.audit.urls")),
    path("admin/", admin.site.urls),
    path("api/", include(api_urls)),
]

handler403 = "pgb_admin.core.views.permission_denied"
handler404 = "pgb_admin.core.views.page_not_found"
handler500 = "pgb_admin.core.views.server_error"
