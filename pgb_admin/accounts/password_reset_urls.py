"""A new password by e-mail, under ``accounts/password-reset/``. The names are Django's own
(its views and the admin look them up), so these URLs have no namespace."""

from django.urls import path

from . import password_reset

urlpatterns = [
    path("", password_reset.ResetRequestView.as_view(), name="password_reset"),
    path("sent/", password_reset.ResetSentView.as_view(), name="password_reset_done"),
    path(
        "<uidb64>/<token>/",
        password_reset.NewPasswordView.as_view(),
        name="password_reset_confirm",
    ),
    path("done/", password_reset.ResetCompleteView.as_view(), name="password_reset_complete"),
]
