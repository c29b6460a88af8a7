"""The pages of care providers as users and the holder's review of their months (issue 19)."""

from django.urls import path

from .views import providers

app_name = "providers"

urlpatterns = [
    path("provider/", providers.provider_home, name="home"),
    path(
        "provider/agreements/<int:agreement_id>/<month:month>/",
        providers.provider_month,
        name="month",
    ),
    path("holders/<int:holder_id>/provider-months/", providers.review_list, name="review_list"),
    path("provider-months/<int:month_id>/", providers.review, name="review"),
    path(
        "provider-months/<int:month_id>/invoice/",
        providers.invoice,
        name="invoice",
    ),
]
