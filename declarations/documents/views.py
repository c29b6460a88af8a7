"""The holder's document archive on the pages: the list (per kind and year), adding a document,
one document, and its download. Auditors and read-only family look (each page and download is
in the access log); a document out of scope is a 404."""

from typing import cast

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from contracts.models import CareAgreement
from pgb_admin.audit.events import log_read
from pgb_admin.audit.models import Action
from pgb_admin.audit.trail import holder_breadcrumbs
from pgb_admin.budgets.models import Budget
from pgb_admin.core.web import (
    SERVICE_ERRORS,
    AuthenticatedRequest,
    done,
    holder_access,
    require_write,
    show_service_error,
)

from ..models import Declaration
from .checks import EXTENSIONS
from .constants import DocumentKind
from .models import Document
from .selectors import document_content, document_detail, document_list, document_years
from .services import DocumentData, document_upload, keep_until


class FilterForm(forms.Form):
    kind = forms.ChoiceField(
        label=gettext_lazy("Kind"),
        choices=[("", gettext_lazy("All kinds")), *DocumentKind.choices],
        required=False,
    )
    year = forms.TypedChoiceField(
        label=gettext_lazy("Year"), coerce=int, required=False, empty_value=None
    )

    def __init__(self, *args, years: list[int], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        year_field = cast(forms.TypedChoiceField, self.fields["year"])
        year_field.choices = [("", _("All years")), *((y, str(y)) for y in years)]


class _Choice(forms.ModelChoiceField):
    def __init__(self, *args, label_from, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._label_from = label_from

    def label_from_instance(self, obj) -> str:
        return self._label_from(obj)


class _Choices(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj) -> str:
        return _("%(month)s, %(provider)s") % {
            "month": f"{obj.month:%m-%Y}",
            "provider": obj.agreement.provider.name,
        }


def _date_field(label, *, required=False, help_text="") -> forms.DateField:
    return forms.DateField(
        label=label,
        required=required,
        help_text=help_text,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


class DocumentForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=DocumentKind.choices)
    file = forms.FileField(
        label=gettext_lazy("File (PDF, PNG or JPEG)"),
        help_text=gettext_lazy("At most 10 MB. PDFs with scripts or attachments are refused."),
        widget=forms.ClearableFileInput(
            attrs={"accept": ",".join(f".{extension}" for extension in EXTENSIONS)}
        ),
    )
    document_date = _date_field(
        gettext_lazy("Date on the document"),
        required=True,
        help_text=gettext_lazy(
            "Of the decision, the signing, the invoice, the letter or the objection."
        ),
    )
    title = forms.CharField(label=gettext_lazy("Description"), max_length=200, required=False)
    valid_from = _date_field(gettext_lazy("Valid from (decision, agreement)"))
    valid_to = _date_field(gettext_lazy("Valid until (decision, agreement)"))
    deadline = _date_field(gettext_lazy("Deadline (e.g. to object)"))
    budget = _Choice(
        Budget.objects.none(), label=gettext_lazy("Grant"), required=False, label_from=str
    )
    agreement = _Choice(
        CareAgreement.objects.none(),
        label=gettext_lazy("Care agreement"),
        required=False,
        label_from=lambda agreement: f"{agreement.provider.name} ({agreement.pk})",
    )
    amends = _Choice(
        Document.objects.none(),
        label=gettext_lazy("Changes the signed agreement"),
        required=False,
        label_from=lambda document: f"{document} ({document.pk})",
    )
    declarations = _Choices(
        Declaration.objects.none(),
        label=gettext_lazy("Declarations it belongs to"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    invoice_number = forms.CharField(
        label=gettext_lazy("Invoice number"), max_length=50, required=False
    )
    amount = forms.DecimalField(
        label=gettext_lazy("Amount (incl. VAT)"),
        max_digits=12,
        decimal_places=2,
        min_value=0,
        required=False,
        localize=True,  # 121,00 in Dutch, 121.00 in English
    )
    vat_amount = forms.DecimalField(
        label=gettext_lazy("VAT amount"),
        max_digits=12,
        decimal_places=2,
        min_value=0,
        required=False,
        localize=True,
    )

    def __init__(self, *args, user, holder, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        fields = self.fields
        fields["budget"].queryset = (  # type: ignore[attr-defined]
            Budget.objects.visible_to(user).filter(holder=holder).order_by("-start_date")
        )
        fields["agreement"].queryset = (  # type: ignore[attr-defined]
            CareAgreement.objects.visible_to(user)
            .filter(holder=holder)
            .select_related("provider")
            .order_by("pk")
        )
        fields["amends"].queryset = (  # type: ignore[attr-defined]
            Document.objects.visible_to(user).filter(holder=holder, kind=DocumentKind.AGREEMENT)
        )
        fields["declarations"].queryset = (  # type: ignore[attr-defined]
            Declaration.objects.visible_to(user)
            .filter(agreement__holder=holder)
            .select_related("agreement__provider")
            .order_by("-month", "pk")[:48]
        )

    def data_for_service(self) -> DocumentData:
        data = self.cleaned_data
        return DocumentData(
            kind=data["kind"],
            document_date=data["document_date"],
            title=data["title"],
            valid_from=data["valid_from"],
            valid_to=data["valid_to"],
            deadline=data["deadline"],
            budget_id=data["budget"].pk if data["budget"] else None,
            agreement_id=data["agreement"].pk if data["agreement"] else None,
            amends_id=data["amends"].pk if data["amends"] else None,
            declaration_ids=tuple(d.pk for d in data["declarations"]),
            invoice_number=data["invoice_number"],
            amount=data["amount"],
            vat_amount=data["vat_amount"],
        )


@require_GET
@login_required
def archive(request: AuthenticatedRequest, holder_id: int) -> HttpResponse:
    access = holder_access(request, holder_id, page="documents")
    years = document_years(user=request.user, holder_id=holder_id)
    filter_form = FilterForm(request.GET or None, years=years)
    kind = year = None
    if filter_form.is_valid():
        kind, year = filter_form.cleaned_data["kind"] or None, filter_form.cleaned_data["year"]
    documents = document_list(user=request.user, holder_id=holder_id, kind=kind, year=year)
    return render(
        request,
        "declarations/documents/list.html",
        {
            "access": access,
            "documents": documents[:200],
            "filter_form": filter_form,
            "filtered": bool(kind or year),
            "breadcrumbs": holder_breadcrumbs(request, access, _("Archive")),
        },
    )


@require_http_methods(["GET", "POST"])
@login_required
def upload(request: AuthenticatedRequest, holder_id: int) -> HttpResponse:
    access = holder_access(request, holder_id, page="document_upload")
    require_write(access)
    form = DocumentForm(
        request.POST or None, request.FILES or None, user=request.user, holder=access.holder
    )
    if request.method == "POST" and form.is_valid():
        uploaded = form.cleaned_data["file"]
        try:
            document = document_upload(
                actor=request.user,
                holder_id=holder_id,
                data=form.data_for_service(),
                file=uploaded,
                filename=uploaded.name or "",
            )
        except SERVICE_ERRORS as error:
            show_service_error(form, error)
        else:
            done(request, _("The document is in the archive."))
            return redirect("declarations:document", document_id=document.pk)
    return render(request, "declarations/documents/upload.html", {"access": access, "form": form})


def _document(request: AuthenticatedRequest, document_id: int) -> Document:
    document = document_detail(user=request.user, document_id=document_id)
    if document is None:
        raise Http404(_("Not found."))
    return document


@require_GET
@login_required
def detail(request: AuthenticatedRequest, document_id: int) -> HttpResponse:
    document = _document(request, document_id)
    access = holder_access(request, document.holder_id, page="document")
    return render(
        request,
        "declarations/documents/detail.html",
        {
            "access": access,
            "document": document,
            "keep_until": keep_until(document),
            "breadcrumbs": holder_breadcrumbs(request, access, str(document)),
        },
    )


@require_GET
@login_required
def download(request: AuthenticatedRequest, document_id: int) -> HttpResponse:
    """The file as an attachment, never shown in the page: a stored file is not trusted to be
    harmless in a browser, however it was checked."""
    return logged_download(request, _document(request, document_id))


def logged_download(request: AuthenticatedRequest, document: Document) -> HttpResponse:
    """The stored file as a download (:func:`attachment`), the read in the access log."""
    content = document_content(document)
    log_read(
        user=request.user,
        what=Document._meta.label,
        holder_id=document.holder_id,
        obj=document,
        action=Action.EXPORT,
    )
    return attachment(document, content)


def attachment(document: Document, content: bytes) -> HttpResponse:
    """The stored file as a download: its stored media type, never sniffed, nothing run."""
    response = HttpResponse(content, content_type=document.media_type)
    response["Content-Disposition"] = f'attachment; filename="{document.download_name}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    response["ETag"] = f'"{document.sha256}"'
    return response
