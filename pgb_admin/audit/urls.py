from django.urls import path

from . import views

app_name = "access_log"

urlpatterns = [
    path("holders/<int:holder_id>/access-log/", views.holder_log, name="holder"),
    path("access-log/", views.search, name="search"),
]
