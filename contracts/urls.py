from django.urls import path

from . import invitation_views, views

app_name = "contracts"

urlpatterns = [
    path("holders/<int:holder_id>/providers/", views.providers, name="providers"),
    path("holders/<int:holder_id>/providers/new/", views.provider_new, name="provider_new"),
    path("holders/<int:holder_id>/agreements/", views.agreements, name="agreements"),
    path("holders/<int:holder_id>/agreements/new/", views.agreement_new, name="agreement_new"),
    path("agreements/<int:agreement_id>/", views.agreement_detail, name="agreement"),
    path(
        "agreements/<int:agreement_id>/invitations/",
        invitation_views.invitations,
        name="invitations",
    ),
    path("invitation/<str:token>/", invitation_views.accept, name="accept_invitation"),
]
