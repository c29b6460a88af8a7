"""The reports' resources of the API (composed in ``pgb_admin/urls.py``)."""

from rest_framework import routers

from .reconciliation import DifferenceViewSet
from .viewsets import HolderReportViewSet, MunicipalityReportViewSet, ReportFileViewSet

router = routers.SimpleRouter()
router.register("reports/holders", HolderReportViewSet, basename="holder-report")
router.register("reports/municipalities", MunicipalityReportViewSet, basename="municipality-report")
router.register("reports/files", ReportFileViewSet, basename="report-file")
router.register("reports/differences", DifferenceViewSet, basename="difference")
