from django.contrib import admin

from .models import MaxTariff, StatutoryFigure


@admin.register(StatutoryFigure)
class StatutoryFigureAdmin(admin.ModelAdmin):
    list_display = [
        "kind",
        "scheme",
        "age_min",
        "value",
        "unit",
        "valid_from",
        "valid_to",
        "verified",
    ]
    list_filter = ["kind", "scheme", "verified"]
    search_fields = ["source", "note"]


@admin.register(MaxTariff)
class MaxTariffAdmin(admin.ModelAdmin):
    list_display = [
        "scheme",
        "funder",
        "product",
        "carer_class",
        "unit",
        "amount",
        "valid_from",
        "valid_to",
        "verified",
    ]
    list_filter = ["scheme", "carer_class", "unit", "verified", "funder"]
    list_select_related = ["funder", "product"]
    search_fields = ["source", "note", "funder__name", "product__code"]
