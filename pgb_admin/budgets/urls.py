from django.urls import path

from . import views

app_name = "budgets"

urlpatterns = [
    path("holders/switch/", views.switch_holder, name="switch"),
    path("holders/<int:holder_id>/", views.dashboard, name="dashboard"),
]
