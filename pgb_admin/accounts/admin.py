from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from . import two_factor
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
    actions = ["reset_two_factor"]

    @admin.action(
        description=_("Reset two-factor authentication (lost phone and backup codes)"),
        permissions=["change"],
    )
    def reset_two_factor(self, request, queryset):
        """Removes the users' authenticator apps and backup codes: each sets up a new app at
        the next login. Check who asks (out of band) before you do this."""
        with transaction.atomic():
            users = list(queryset)
            for user in users:
                two_factor.two_factor_reset(user)
                self.log_change(request, user, "Two-factor authentication reset.")
        self.message_user(
            request,
            ngettext(
                "Two-factor authentication reset for %(count)d user.",
                "Two-factor authentication reset for %(count)d users.",
                len(users),
            )
            % {"count": len(users)},
            messages.SUCCESS,
        )


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
