from django.urls import path

from . import views
from .reminders import views as reminders

app_name = "reports"

urlpatterns = [
    path("audit/", views.audit_home, name="audit"),
    path("audit/<str:code>/", views.municipality, name="municipality"),
    path("audit/<str:code>/chart.<str:file_format>", views.chart, name="chart"),
    path("audit/<str:code>/report.<str:file_format>", views.download, name="download"),
    path("declarations/<int:declaration_id>/evidence/", views.evidence_pack, name="evidence_pack"),
    path("reminders/", reminders.notices, name="notices"),
    path("reminders/read/", reminders.notices_read, name="notices_read"),
    path("reminders/settings/", reminders.preferences, name="reminder_preferences"),
    path("reminders/stop/<str:token>/", reminders.unsubscribe, name="unsubscribe"),
]
