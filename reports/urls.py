from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("audit/", views.audit_home, name="audit"),
    path("audit/<str:code>/", views.municipality, name="municipality"),
    path("audit/<str:code>/chart.<str:file_format>", views.chart, name="chart"),
    path("audit/<str:code>/report.<str:file_format>", views.download, name="download"),
    path("declarations/<int:declaration_id>/evidence/", views.evidence_pack, name="evidence_pack"),
]
