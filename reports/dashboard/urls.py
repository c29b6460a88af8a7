from django.urls import path

from . import details, statement, views

# The holder's pages keep the URL names they had in pgb_admin.budgets (budgets:dashboard).
app_name = "budgets"

urlpatterns = [
    path("holders/switch/", views.switch_holder, name="switch"),
    path("holders/<int:holder_id>/", views.dashboard, name="dashboard"),
    path(
        "holders/<int:holder_id>/grants/<int:budget_id>/free-amount/",
        views.free_amount_claim,
        name="free_amount_claim",
    ),
    path("holders/<int:holder_id>/details/", details.holder_details, name="holder_details"),
    path("holders/<int:holder_id>/grants/<int:budget_id>/", details.grant, name="grant"),
    path(
        "holders/<int:holder_id>/year-statement/<int:year>/",
        statement.year_statement,
        name="year_statement",
    ),
    path(
        "holders/<int:holder_id>/year-statement/<int:year>/pdf/",
        statement.year_statement_pdf,
        name="year_statement_pdf",
    ),
]
