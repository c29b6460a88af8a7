from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "pgb_admin.accounts"
    label = "accounts"
    verbose_name = _("Accounts and mandates")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from .sessions import remember_login_time

        user_logged_in.connect(remember_login_time, dispatch_uid="pgb_remember_login_time")

        from django.contrib.auth.signals import user_login_failed

        from .login_limits import lock_out_address_after_failure

        # after django-axes' own receiver (axes comes first in INSTALLED_APPS): it counts the
        # failure that this one compares with the address limit
        user_login_failed.connect(
            lock_out_address_after_failure, dispatch_uid="pgb_lock_out_address_after_failure"
        )
