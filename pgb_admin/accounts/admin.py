from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from .models import AuditorScope, Mandate, User


class MandateInline(admin.TabularInline):
    model = Mandate
    fk_name = "user"
    extra = 0
    autocomplete_fields = ["holder"]


class AuditorScopeInline(admin.TabularInline):
    model = AuditorScope
    extra = 0


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    inlines = [MandateInline, AuditorScopeInline]


@admin.register(Mandate)
class MandateAdmin(admin.ModelAdmin):
    list_display = ["user", "holder", "role", "representative_kind", "valid_from", "valid_to"]
    list_filter = ["role", "representative_kind"]
    list_select_related = ["user", "holder"]
    search_fields = ["user__username", "user__last_name", "holder__surname"]
    autocomplete_fields = ["user", "holder"]
    date_hierarchy = "valid_from"


@admin.register(AuditorScope)
class AuditorScopeAdmin(admin.ModelAdmin):
    list_display = ["user", "funder", "valid_from", "valid_to"]
    list_filter = ["funder"]
    list_select_related = ["user", "funder"]
    search_fields = ["user__username", "funder__name", "funder__code"]
    autocomplete_fields = ["user"]
