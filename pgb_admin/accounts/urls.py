from django.urls import path

from . import views

app_name = "two_factor"

urlpatterns = [
    path("", views.account, name="account"),
    path("setup/", views.setup, name="setup"),
    path("verify/", views.verify, name="verify"),
]
