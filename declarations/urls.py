from django.urls import path

from .documents import views as documents
from .views import batches, bureau, declarations, hours, imports, week

app_name = "declarations"

urlpatterns = [
    # hours and costs of one agreement and month
    path("agreements/<int:agreement_id>/hours/<month:month>/", hours.month_grid, name="hours"),
    path("agreements/<int:agreement_id>/hours/<month:month>/fill/", hours.fill, name="fill"),
    path(
        "agreements/<int:agreement_id>/hours/<month:month>/fill/undo/",
        hours.fill_undo,
        name="fill_undo",
    ),
    # a week of care of all the holder's agreements, across months
    path("holders/<int:holder_id>/week/", week.week_now, name="week_now"),
    path("holders/<int:holder_id>/week/<date:monday>/", week.week, name="week"),
    path("agreements/<int:agreement_id>/costs/<month:month>/", hours.costs, name="costs"),
    path("costs/<int:expense_id>/delete/", hours.cost_delete, name="cost_delete"),
    # the Excel round trip: templates and all-or-nothing imports
    path(
        "agreements/<int:agreement_id>/hours/<month:month>/template.xlsx",
        imports.agreement_template,
        name="agreement_template",
    ),
    path("imports/template/<month:month>.xlsx", imports.holders_template, name="holders_template"),
    path("imports/hours/", imports.upload, name="import"),
    path("imports/<uuid:task_id>/", imports.result, name="import_result"),
    # declarations and their findings
    path("holders/<int:holder_id>/declarations/", declarations.holder_list, name="list"),
    path("holders/<int:holder_id>/declarations/draft/", declarations.draft, name="draft"),
    path("declarations/<int:declaration_id>/", declarations.detail, name="detail"),
    path("declarations/<int:declaration_id>/validate/", declarations.validate, name="validate"),
    path("declarations/<int:declaration_id>/correct/", declarations.correct, name="correct"),
    path("findings/<int:finding_id>/acknowledge/", declarations.acknowledge, name="acknowledge"),
    path("rules/", declarations.rules, name="rules"),
    # entry aids and declarations: what to type into the PGB Portaal or send to the insurer
    # (the URL names and paths of the former "SVB batches" kept)
    path("holders/<int:holder_id>/batches/", batches.holder_batches, name="batches"),
    path("batches/<int:batch_id>/print/", batches.export_page, name="export_page"),
    path("declarations/<int:declaration_id>/record/", batches.record, name="record"),
    path(
        "holders/<int:holder_id>/batches/<int:batch_id>/record/",
        batches.record_export,
        name="record_export",
    ),
    path(
        "holders/<int:holder_id>/weekly-totals/<month:month>/",
        batches.weekly_totals,
        name="weekly_totals",
    ),
    path("batches/<int:batch_id>/<str:file_format>/", batches.download, name="download"),
    # the holder's document archive (declarations/documents)
    path("holders/<int:holder_id>/documents/", documents.archive, name="documents"),
    path("holders/<int:holder_id>/documents/add/", documents.upload, name="document_upload"),
    path("documents/<int:document_id>/", documents.detail, name="document"),
    path("documents/<int:document_id>/download/", documents.download, name="document_download"),
    # the bureau console: many holders at once, as a Celery task the page polls
    path("bureau/", bureau.console, name="bureau"),
    path("bureau/run/", bureau.run, name="bureau_run"),
    path("tasks/<uuid:task_id>/progress/", bureau.progress, name="task_progress"),
]
