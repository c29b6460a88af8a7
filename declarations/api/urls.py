"""The declarations' resources and the hours import of the API (composed in
``pgb_admin/urls.py``)."""

from django.urls import path

from rest_framework import routers

from .viewsets import (
    BatchViewSet,
    DeclarationViewSet,
    ExpenseViewSet,
    HoursImportView,
    RuleViewSet,
    TimeEntryViewSet,
)

router = routers.SimpleRouter()
router.register("time-entries", TimeEntryViewSet, basename="time-entry")
router.register("expenses", ExpenseViewSet, basename="expense")
router.register("declarations", DeclarationViewSet, basename="declaration")
router.register("batches", BatchViewSet, basename="batch")
router.register("rules", RuleViewSet, basename="rule")

paths = [path("v1/imports/hours/", HoursImportView.as_view(), name="hours-import")]
