"""The year statement of a holder: a printable page and the same page as PDF."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from pgb_admin.core.web import holder_access

from ..selectors import FIRST_YEAR, LAST_YEAR, holder_year_statement

TEMPLATE = "reports/year_statement.html"


def _context(request: HttpRequest, holder_id: int, year: int, *, pdf: bool) -> dict:
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise Http404
    access = holder_access(request, holder_id, page="year_statement")
    statement = holder_year_statement(user=request.user, holder_id=access.holder_id, year=year)
    return {"access": access, "statement": statement, "pdf": pdf}


@require_GET
@login_required
def year_statement(request: HttpRequest, holder_id: int, year: int) -> HttpResponse:
    context = _context(request, holder_id, year, pdf=False)
    return HttpResponse(render_to_string(TEMPLATE, context, request=request))


@require_GET
@login_required
def year_statement_pdf(request: HttpRequest, holder_id: int, year: int) -> HttpResponse:
    context = _context(request, holder_id, year, pdf=True)
    html = render_to_string(TEMPLATE, context, request=request)
    try:
        from ..pdf import render_pdf  # WeasyPrint: Pango must be on the system
    except OSError:
        return HttpResponse(
            _("The PDF cannot be made on this server (Pango is missing). Print the page instead."),
            status=503,
            content_type="text/plain; charset=utf-8",
        )
    response = HttpResponse(render_pdf(html), content_type="application/pdf")
    name = _("year-statement")
    response["Content-Disposition"] = f'attachment; filename="{name}-{year}-{holder_id}.pdf"'
    return response
