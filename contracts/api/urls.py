"""The contracts' resources of the API (composed in ``pgb_admin/urls.py``)."""

from rest_framework import routers

from .viewsets import AgreementViewSet, ProviderViewSet

router = routers.SimpleRouter()
router.register("providers", ProviderViewSet, basename="provider")
router.register("agreements", AgreementViewSet, basename="agreement")
