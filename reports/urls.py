from django.urls import path

from . import views
from .reconciliation import views as reconciliation
from .reminders import views as reminders

app_name = "reports"

urlpatterns = [
    path("audit/", views.audit_home, name="audit"),
    path("audit/<str:code>/", views.municipality, name="municipality"),
    path("audit/<str:code>/chart.<str:file_format>", views.chart, name="chart"),
    path("audit/<str:code>/report.<str:file_format>", views.download, name="download"),
    path("declarations/<int:declaration_id>/evidence/", views.evidence_pack, name="evidence_pack"),
    # the reconciliation with the SVB's and the insurer's overviews (issue 19)
    path("differences/", reconciliation.difference_list, name="differences"),
    path("differences/<int:difference_id>/", reconciliation.difference_detail, name="difference"),
    path("differences/upload/", reconciliation.overview_upload, name="overview_upload"),
    path("differences/enter/<str:kind>/", reconciliation.overview_enter, name="overview_enter"),
    path("reminders/", reminders.notices, name="notices"),
    path("reminders/read/", reminders.notices_read, name="notices_read"),
    path("reminders/settings/", reminders.preferences, name="reminder_preferences"),
    path("reminders/stop/<str:token>/", reminders.unsubscribe, name="unsubscribe"),
]
