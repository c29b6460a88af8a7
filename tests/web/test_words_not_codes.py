"""Words, not codes, on every page (issue 17, point 4): each page rendered as every persona
that may see it, in Dutch and English, must show no template or placeholder syntax, no ISO
week codes, no US dates or a.m./p.m., no internal ids, no rule codes outside a <details>, no
amount of 1000 or more without a thousands separator, dates in the page's own language, and
on a Dutch page no English text of the catalogue. The rule sources on the Dutch rules page are
Dutch.

The world is the web pages' world (tests/api/conftest.py) grown as in test_query_counts.py,
with more to show: a declaration with a finding of every rule, an acknowledged warning, a
correction, an exported month recorded as submitted, paid and rejected, a sick report and a
second agreement version, imports, and the access log's events."""

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from html.parser import HTMLParser

from django.conf import settings
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

import pytest
import time_machine
from babel.messages.pofile import read_po

from contracts import services as contract_services
from contracts.constants import AgreementType
from declarations.imports.columns import COLUMNS
from declarations.models import Finding
from declarations.services import batches as batch_services
from declarations.services import declarations as declaration_services
from declarations.services import hours as hour_services
from declarations.validation.registry import Param, catalogue
from pgb_admin.budgets.constants import FunderKind, Scheme
from pgb_admin.core.models import TaskRun
from reports.reminders.tokens import unsubscribe_token

from ..conftest import FIXED_MOMENT, _agreement
from ..factories import BudgetFactory, FunderFactory
from ..two_factor import authenticator, verified_login
from .test_query_counts import _grow

OCTOBER, NOVEMBER = date(2026, 10, 1), date(2026, 11, 1)

HOLDER_SIDE = ("holder", "representative", "bureau", "family")
READERS = (*HOLDER_SIDE, "auditor_same", "staff")
WRITERS = ("holder", "representative", "bureau")
EVERYONE = (*READERS, "auditor_other", "stranger")
TWO_FACTOR = ("bureau", "auditor_same", "staff")
ANONYMOUS = ("anonymous",)


# --- the world ---------------------------------------------------------------------------------


@dataclass
class Shown:
    """What the pages of this module show besides the web pages' world."""

    world: object
    every_finding: object  # November, a finding of every rule
    correction: object  # a draft correcting the exported September
    rejected: object  # October, exported, submitted and rejected
    paid: object  # October of another agreement, exported, submitted and paid
    october_batch: object
    insurer_batch: object  # October of a Zvw grant, declared to the insurer
    import_run: TaskRun
    extra: dict = field(default_factory=dict)

    def __getattr__(self, name):
        return getattr(self.world, name)


def _sample(name: str, kind: str, product) -> str:
    """A stored figure of a finding, as the validation stores it."""
    return {
        Param.MONEY: "10500.00",
        Param.HOURS: "61.5",
        Param.NUMBER: "3",
        Param.DATE: "2026-11-09",
        Param.END_DATE: "",
        Param.WEEK: "2026-W45",
        Param.CARER_CLASS: "formal",
        Param.PRODUCT: product.code if product else "",
    }.get(kind, "NL00DEMO0123456789" if name == "iban" else "Beleidsregels pgb 2026")


def _finding_of_every_rule(declaration, product) -> None:
    present = set(declaration.findings.values_list("rule_code", flat=True))
    for code, rule in catalogue().items():
        if code in present:
            continue
        params = {name: _sample(name, kind, product) for name, kind in rule.params.items()}
        for name, kind in rule.params.items():
            if kind == Param.PRODUCT and product is not None:
                params[f"{name}_nl"], params[f"{name}_en"] = product.name_nl, product.name_en
        Finding.objects.create(
            declaration=declaration,
            rule_code=code,
            severity=rule.severity,
            care_date=date(2026, 11, 9),
            params=params,
        )
    warning = declaration.findings.filter(severity="warning").first()
    warning.acknowledged_at = timezone.now()
    warning.acknowledged_by = declaration.agreement.holder.mandates.first().user
    warning.acknowledgement_reason = "Afgesproken met de gemeente"
    warning.save()


def _csv(rows) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow([column.dutch for column in COLUMNS])
    writer.writerows(rows)
    return out.getvalue().encode("utf-8-sig")


def _log_reads(w) -> None:
    """Reads the access log shows: an auditor's and a bureau's."""
    for persona in ("auditor_same", "bureau"):
        client = verified_login(Client(), w.users[persona])
        client.get(reverse("budgets:dashboard", args=[w.mine.pk]))
        client.get(reverse("declarations:detail", args=[w.draft.pk]))


def _zvw_october(w, actor) -> None:
    """A Zvw grant the insurer pays, with a validated October: its own export channel."""
    insurer = FunderFactory(code="ZV-TEST", name="Zorgverzekeraar Test", kind=FunderKind.INSURER)
    budget = BudgetFactory(holder=w.mine, funder=insurer, scheme=Scheme.ZVW)
    w.mine_provider.agb_code = "12345678"
    w.mine_provider.save()
    agreement = _agreement(w.mine, w.mine_provider, budget, AgreementType.EMPLOYMENT_HOURLY)
    hour_services.time_entries_fill_month(
        actor=actor, agreement_id=agreement.pk, month=OCTOBER, pattern={1: "3"}
    )
    declaration = declaration_services.declaration_draft(
        actor=actor, agreement_id=agreement.pk, month=OCTOBER
    )
    declaration_services.declaration_validate(actor=actor, declaration_ids=[declaration.pk])


def build_shown(w) -> Shown:
    _grow(w)
    actor = w.users["representative"]
    agreement = w.mine_wmo_agreement
    contract_services.agreement_change(
        actor=actor,
        agreement_id=agreement.pk,
        effective_from=date(2026, 12, 1),
        reason="Nieuw tarief",
        rate=Decimal("31.25"),
    )
    contract_services.sick_report(
        actor=actor, agreement_id=agreement.pk, sick_from=date(2026, 3, 9)
    )
    contract_services.recovery_report(
        actor=actor, agreement_id=agreement.pk, recovered_on=date(2026, 3, 16)
    )
    contract_services.sick_report(
        actor=actor, agreement_id=agreement.pk, sick_from=date(2026, 11, 16)
    )
    every = declaration_services.declaration_draft(
        actor=actor, agreement_id=agreement.pk, month=NOVEMBER
    )
    declaration_services.declaration_validate(actor=actor, declaration_ids=[every.pk])
    _finding_of_every_rule(every, w.mine_wmo_budget.products.first())
    correction = declaration_services.declaration_correct(actor=actor, declaration_id=w.exported.pk)
    _zvw_october(w, actor)
    october_batch, insurer_batch = batch_services.month_export(
        actor=actor, month=OCTOBER, holder_id=w.mine.pk
    )
    exported = list(october_batch.declarations.order_by("pk"))
    rejected, paid = exported[0], exported[-1]
    for declaration in (rejected, paid):
        declaration_services.declaration_submit(
            actor=actor, declaration_id=declaration.pk, on=date(2026, 11, 5)
        )
    declaration_services.declaration_settle(
        actor=actor,
        declaration_id=rejected.pk,
        paid=False,
        evidence="Bericht in het PGB Portaal",
        rejection_reason="Het tarief klopt niet",
        on=date(2026, 11, 12),
    )
    declaration_services.declaration_settle(
        actor=actor,
        declaration_id=paid.pk,
        paid=True,
        evidence="Bericht in het PGB Portaal",
        on=date(2026, 11, 12),
    )
    import_run = TaskRun.objects.create(
        kind="import",
        created_by=actor,
        status="done",
        total=3,
        done=3,
        result={
            "rows": 2,
            "dry_run": False,
            "changed": True,
            "entries_removed": 0,
            "entries_added": 2,
            "expenses_removed": 0,
            "expenses_added": 0,
            "months": [
                {
                    "agreement": agreement.pk,
                    "month": "2026-11",
                    "days_changed": 2,
                    "entries_removed": 0,
                    "entries_added": 2,
                    "expenses_removed": 0,
                    "expenses_added": 0,
                }
            ],
        },
    )
    w.users["stranger"].user_permissions.add(Permission.objects.get(codename="view_accessevent"))
    _log_reads(w)
    for declaration in (every, correction, rejected, paid):
        declaration.refresh_from_db()
    return Shown(
        world=w,
        every_finding=every,
        correction=correction,
        rejected=rejected,
        paid=paid,
        october_batch=october_batch,
        insurer_batch=insurer_batch,
        import_run=import_run,
    )


@pytest.fixture(scope="module")
def shown_world(shared_api_world, django_db_blocker):
    with (
        django_db_blocker.unblock(),
        time_machine.travel(FIXED_MOMENT, tick=True),
        transaction.atomic(),
    ):
        yield build_shown(shared_api_world)
        transaction.set_rollback(True)


@pytest.fixture
def shown(shown_world, api_world) -> Shown:
    return shown_world


# --- the pages ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Page:
    name: str
    personas: tuple[str, ...]
    url: object  # (Shown) -> str
    status: int = 200
    method: str = "get"
    data: object = None  # (Shown) -> dict, for a POST or a GET's query
    session: str = "verified"  # "unverified": logged in, the second factor still to give


def _holder(view):
    return lambda s: reverse(view, args=[s.mine.pk])


def _agreement_step_two(s) -> dict:
    return {"step": "2", "agreement_type": "employment_hourly", "provider": s.mine_provider.pk}


def _bad_import(s) -> dict:
    row = [s.mine_wmo_agreement.pk, "2026-11-03", "abc", "", "", "", "", ""]
    return {"file": SimpleUploadedFile("uren.csv", _csv([row]))}


def _dry_run_import(s) -> dict:
    row = [s.mine_wmo_agreement.pk, "2026-11-10", "4", "", "", "", "", ""]
    return {"file": SimpleUploadedFile("uren.csv", _csv([row])), "dry_run": "on"}


PAGES = [
    Page("home", EVERYONE, lambda s: reverse("home")),
    Page("login", ANONYMOUS, lambda s: reverse("login")),
    Page(
        "login (wrong password)",
        ANONYMOUS,
        lambda s: reverse("login"),
        method="post",
        data=lambda s: {"username": "holder", "password": "not-the-password"},
    ),
    Page("password reset", ANONYMOUS, lambda s: reverse("password_reset")),
    Page("password reset sent", ANONYMOUS, lambda s: reverse("password_reset_done")),
    Page("password reset done", ANONYMOUS, lambda s: reverse("password_reset_complete")),
    Page(
        "password reset (expired link)",
        ANONYMOUS,
        lambda s: reverse("password_reset_confirm", args=["MQ", "no-such-token"]),
    ),
    Page("two-factor account", (*READERS, "stranger"), lambda s: reverse("two_factor:account")),
    Page("two-factor setup", (*READERS, "stranger"), lambda s: reverse("two_factor:setup")),
    Page(
        "two-factor verify",
        TWO_FACTOR,
        lambda s: reverse("two_factor:verify"),
        session="unverified",
    ),
    Page(
        "two-factor backup codes",
        TWO_FACTOR,
        lambda s: reverse("two_factor:account"),
        method="post",
        data=lambda s: {"action": "backup_codes"},
    ),
    Page("not found", ("holder", "anonymous"), lambda s: "/no-such-page/", status=404),
    Page(
        "not found (holder out of scope)",
        ("holder", "auditor_same"),
        lambda s: reverse("budgets:dashboard", args=[s.theirs.pk]),
        status=404,
    ),
    Page(
        "forbidden", ("holder", "auditor_same"), lambda s: reverse("access_log:search"), status=403
    ),
    Page("dashboard", READERS, _holder("budgets:dashboard")),
    Page("holder details", READERS, _holder("budgets:holder_details")),
    Page(
        "grant (Wmo)",
        READERS,
        lambda s: reverse("budgets:grant", args=[s.mine.pk, s.mine_wmo_budget.pk]),
    ),
    Page(
        "grant (Wlz)",
        (*HOLDER_SIDE, "staff"),
        lambda s: reverse("budgets:grant", args=[s.mine.pk, s.mine_wlz_budget.pk]),
    ),
    Page("providers", READERS, _holder("contracts:providers")),
    Page("new provider", READERS, _holder("contracts:provider_new")),
    Page(
        "new provider (errors)",
        ("representative",),
        _holder("contracts:provider_new"),
        method="post",
        data=lambda s: {"name": ""},
    ),
    Page("agreements", READERS, _holder("contracts:agreements")),
    Page("new agreement", READERS, _holder("contracts:agreement_new")),
    Page(
        "new agreement, step 2",
        WRITERS,
        _holder("contracts:agreement_new"),
        data=_agreement_step_two,
    ),
    Page(
        "new agreement, step 2 (errors)",
        ("representative",),
        _holder("contracts:agreement_new"),
        method="post",
        data=lambda s: {"agreement_type": "employment_hourly", "provider": s.mine_provider.pk},
    ),
    Page(
        "agreement (Wmo, versions and sick reports)",
        READERS,
        lambda s: reverse("contracts:agreement", args=[s.mine_wmo_agreement.pk]),
    ),
    Page(
        "agreement (Wlz)",
        (*HOLDER_SIDE, "staff"),
        lambda s: reverse("contracts:agreement", args=[s.mine_wlz_agreement.pk]),
    ),
    Page(
        "agreement change (errors)",
        ("representative",),
        lambda s: reverse("contracts:agreement", args=[s.mine_wmo_agreement.pk]),
        method="post",
        data=lambda s: {"action": "change"},
    ),
    Page(
        "hours of a month",
        READERS,
        lambda s: reverse("declarations:hours", args=[s.mine_wmo_agreement.pk, NOVEMBER]),
    ),
    Page(
        "costs of a month",
        READERS,
        lambda s: reverse("declarations:costs", args=[s.mine_wmo_agreement.pk, NOVEMBER]),
    ),
    Page(
        "costs of a month (errors)",
        ("representative",),
        lambda s: reverse("declarations:costs", args=[s.mine_wmo_agreement.pk, NOVEMBER]),
        method="post",
        data=lambda s: {"kind": "other", "amount": "abc"},
    ),
    Page("declarations", READERS, _holder("declarations:list")),
    Page(
        "declaration (draft, late)",
        READERS,
        lambda s: reverse("declarations:detail", args=[s.draft.pk]),
    ),
    Page(
        "declaration (a finding of every rule)",
        READERS,
        lambda s: reverse("declarations:detail", args=[s.every_finding.pk]),
    ),
    Page(
        "declaration (acknowledgement refused)",
        ("representative",),
        lambda s: reverse("declarations:acknowledge", args=[s.warning.pk]),
        method="post",
        data=lambda s: {"reason": ""},
    ),
    Page(
        "declaration (exported)",
        READERS,
        lambda s: reverse("declarations:detail", args=[s.exported.pk]),
    ),
    Page(
        "declaration (correction)",
        READERS,
        lambda s: reverse("declarations:detail", args=[s.correction.pk]),
    ),
    Page(
        "declaration (rejected)",
        READERS,
        lambda s: reverse("declarations:detail", args=[s.rejected.pk]),
    ),
    Page(
        "declaration (paid)",
        READERS,
        lambda s: reverse("declarations:detail", args=[s.paid.pk]),
    ),
    Page("batches", READERS, _holder("declarations:batches")),
    Page(
        "entry aid (print)",
        (*WRITERS, "staff"),
        lambda s: reverse("declarations:export_page", args=[s.batch.pk]),
    ),
    Page(
        "entry aid of October (print)",
        (*WRITERS, "staff"),
        lambda s: reverse("declarations:export_page", args=[s.october_batch.pk]),
    ),
    Page(
        "insurer declaration (print)",
        (*WRITERS, "staff"),
        lambda s: reverse("declarations:export_page", args=[s.insurer_batch.pk]),
    ),
    Page(
        "week across two months",
        READERS,
        lambda s: reverse("declarations:week", args=[s.mine.pk, date(2026, 10, 26)]),
    ),
    Page(
        "this week",
        READERS,
        lambda s: reverse("declarations:week", args=[s.mine.pk, date(2026, 11, 23)]),
    ),
    Page(
        "fill from a pattern",
        WRITERS,
        lambda s: reverse("declarations:fill", args=[s.mine_wmo_agreement.pk, NOVEMBER]),
    ),
    Page(
        "weekly totals",
        READERS,
        lambda s: reverse("declarations:weekly_totals", args=[s.mine.pk, OCTOBER]),
    ),
    Page(
        "invite the provider",
        WRITERS,
        lambda s: reverse("contracts:invitations", args=[s.mine_wmo_agreement.pk]),
    ),
    Page("provider months to review", WRITERS, _holder("providers:review_list")),
    Page("rules", (*EVERYONE, "anonymous"), lambda s: reverse("declarations:rules")),
    Page(
        "import",
        (*HOLDER_SIDE, "staff", "stranger"),
        lambda s: reverse("declarations:import"),
    ),
    Page(
        "import (problems)",
        ("representative",),
        lambda s: reverse("declarations:import"),
        method="post",
        data=_bad_import,
    ),
    Page(
        "import (dry run)",
        ("representative",),
        lambda s: reverse("declarations:import"),
        method="post",
        data=_dry_run_import,
    ),
    Page(
        "import result",
        ("representative",),
        lambda s: reverse("declarations:import_result", args=[s.import_run.pk]),
    ),
    Page(
        "task progress",
        ("holder",),
        lambda s: reverse("declarations:task_progress", args=[s.task.pk]),
    ),
    Page("bureau console", ("bureau",), lambda s: reverse("declarations:bureau")),
    Page(
        "bureau console (October)",
        ("bureau",),
        lambda s: reverse("declarations:bureau") + "?month=2026-10",
    ),
    Page("audit", ("auditor_same", "auditor_other", "staff"), lambda s: reverse("reports:audit")),
    Page(
        "municipal report (The Hague)",
        ("auditor_same", "staff"),
        lambda s: reverse("reports:municipality", args=[s.the_hague.code]),
    ),
    Page(
        "municipal report (Assen)",
        ("auditor_other",),
        lambda s: reverse("reports:municipality", args=[s.assen.code]),
    ),
    Page("reminders", (*HOLDER_SIDE, "staff"), lambda s: reverse("reports:notices")),
    Page("reminder settings", HOLDER_SIDE, lambda s: reverse("reports:reminder_preferences")),
    Page(
        "stop reminder e-mails",
        ("anonymous",),
        lambda s: reverse(
            "reports:unsubscribe", args=[unsubscribe_token(user_id=s.users["holder"].pk)]
        ),
    ),
    Page("access log of a holder", (*WRITERS, "staff"), _holder("access_log:holder")),
    Page("access log search", ("stranger",), lambda s: reverse("access_log:search")),
    Page(
        "access log search (results)",
        ("stranger",),
        lambda s: reverse("access_log:search"),
        data=lambda s: {"username": "auditor_same"},
    ),
]


def _client(s: Shown, persona: str, language: str, session: str) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    if persona == "anonymous":
        return client
    user = s.users[persona]
    if session == "unverified":
        authenticator(user)
        client.force_login(user)
        return client
    return verified_login(client, user)


def _fetch(s: Shown, page: Page, persona: str, language: str):
    client = _client(s, persona, language, page.session)
    url = page.url(s)
    data = page.data(s) if page.data else None
    if page.method == "post":
        return client.post(url, data or {})
    return client.get(url, data or {})


# --- what a person sees ------------------------------------------------------------------------

# attributes a person sees or hears: tooltips, screen reader labels, the labels of stacked
# table cells on a phone (site.css shows data-label), placeholders, alternative text, buttons
SHOWN_ATTRIBUTES = {"aria-label", "title", "alt", "placeholder", "data-label", "aria-description"}
BUTTON_INPUTS = {"submit", "button", "reset"}
HIDDEN_CONTENT = {"script", "style"}


class _Visible(HTMLParser):
    """The text of a page as a person meets it, in chunks that know whether they are inside a
    <details> (where a rule's technical code may stand)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.chunks: list[tuple[str, bool, bool]] = []  # text, in a <details>, a placeholder
        self.hidden = 0
        self.details = 0

    def handle_starttag(self, tag, attrs):
        if tag in HIDDEN_CONTENT:
            self.hidden += 1
        if tag == "details":
            self.details += 1
        values = dict(attrs)
        for name, value in attrs:
            if value and name in SHOWN_ATTRIBUTES:
                self.chunks.append((value, self.details > 0, name == "placeholder"))
        if tag == "input" and values.get("type") in BUTTON_INPUTS and values.get("value"):
            self.chunks.append((values["value"], self.details > 0, False))

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag in HIDDEN_CONTENT:
            self.hidden -= 1
        if tag == "details":
            self.details -= 1

    def handle_endtag(self, tag):
        if tag in HIDDEN_CONTENT and self.hidden:
            self.hidden -= 1
        if tag == "details" and self.details:
            self.details -= 1

    def handle_data(self, data):
        if not self.hidden and data.strip():
            self.chunks.append((data, self.details > 0, False))


def _visible(html: str) -> list[tuple[str, bool, bool]]:
    parser = _Visible()
    parser.feed(html)
    parser.close()
    return [(" ".join(text.split()), *flags) for text, *flags in parser.chunks]


def _snippet(text: str, match: re.Match, width: int = 50) -> str:
    start, end = max(0, match.start() - width), min(len(text), match.end() + width)
    return f"…{text[start:end]}…"


DUTCH_MONTHS = (
    "januari|februari|maart|april|mei|juni|juli|augustus|september|oktober|november|december"
)
ENGLISH_MONTHS = (
    "January|February|March|April|May|June|July|August|September|October|November|December"
)
# (what is wrong, the pattern) on the visible text, in either language
TEXT_CHECKS = [
    ("a placeholder", re.compile(r"%\(\w*\)?[sd]?|%[sd]\b")),
    ("template syntax", re.compile(r"\{\{|\{%|%\}|\}\}")),
    ("an ISO week code", re.compile(r"\b\d{4}-W\d{1,2}\b")),
    ("a funder's code", re.compile(r"\b(?:GM\d{4}|ZK-[A-Z]+|ZV-[A-Z]+)\b")),
    (
        "a US numeric date",
        re.compile(r"\b(?:0?[1-9]|[12]\d|3[01])/(?:0?[1-9]|[12]\d|3[01])/(?:19|20)?\d\d\b"),
    ),
    ("a.m./p.m.", re.compile(r"\b[ap]\.\s?m\.", re.IGNORECASE)),
    ("an internal id", re.compile(r"(?<![\w&])#\d+\b")),
    (
        "an internal id",
        re.compile(
            r"\b(?:toekenning|grant|declaratie|declaration|zorgovereenkomst|overeenkomst|"
            r"agreement|batch|export|budgethouder|holder|zorgverlener|provider)\s+"
            r"(?:nr\.?\s*|nummer\s+|number\s+|no\.\s*)?#?"
            r"(?!(?:19|20)\d\d\b)\d+\b(?![./-]?\w)",
            re.IGNORECASE,
        ),
    ),
    (
        "an amount without a thousands separator",
        re.compile(r"€\s?-?\d{4,}|(?<![\d.,\w-])-?\d{4,}[.,]\d{2}(?![\d.,])"),
    ),
]
# ISO dates and months, except where a field shows the format it reads (its placeholder, or
# an example after "e.g.") and inside a file name ("invulhulp-pgb-portaal-2026-10-22.csv" is
# October's file of batch 22)
EXAMPLE = r"(?<!e\.g\. )(?<!bijvoorbeeld )(?<!for example )"
FORMAT_CHECKS = [
    ("an ISO date", re.compile(rf"{EXAMPLE}(?<![\w-])(?:19|20)\d\d-[01]\d-[0-3]\d\b")),
    ("an ISO month", re.compile(rf"{EXAMPLE}(?<![\w/-])(?:19|20)\d\d-[01]\d(?![\w/-])")),
]
LANGUAGE_CHECKS = {
    "nl": [
        ("an English date", re.compile(rf"\b\d{{1,2}} (?:{ENGLISH_MONTHS})\b")),
        (
            "an English short date",
            re.compile(r"\b\d{1,2} (?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4}\b"),
        ),
    ],
    # (a Dutch message of the PGB Portaal may be quoted as it reads: "bericht van 3 maart")
    "en": [("a Dutch date", re.compile(rf"(?<!bericht van )\b\d{{1,2}} (?:{DUTCH_MONTHS})\b"))],
}
# syntax no page shows, not even in an attribute
SOURCE_CHECKS = [
    ("template syntax in the HTML", re.compile(r"\{\{|\{%")),
    ("a placeholder in the HTML", re.compile(r"%\(\w+\)")),
]


def _english_of_the_catalogue() -> list[str]:
    """The catalogue's English texts a Dutch page must not show: those translated into
    something else, long enough to be a sentence, without placeholders or markup."""
    path = settings.LOCALE_PATHS[0] / "nl" / "LC_MESSAGES" / "django.po"
    with open(path, "rb") as handle:
        messages = read_po(handle)
    english = set()
    for message in messages:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        for msgid in ids:
            if msgid in strings or len(msgid) <= 12 or "\n" in msgid:
                continue
            if any(mark in msgid for mark in ("%", "{", "<")):
                continue
            english.add(msgid)
    return sorted(english)


ENGLISH = _english_of_the_catalogue()
RULE_CODES = sorted(catalogue(), key=len, reverse=True)
# words of an English sentence that a Dutch one does not use
ENGLISH_WORDS = re.compile(
    r"\b(?:the|and|for|with|without|only|which|when|must|may|not|care|agreement|"
    r"agreements|employees|hold|holds|paid|pays|maximum rates?|model care)\b",
    re.IGNORECASE,
)


def _problems(html: str, language: str, names: frozenset[str] = frozenset()) -> list[str]:
    """What is wrong in the page; ``names`` are user names it may show as they are (the
    test's personas are called "representative", "holder"…)."""
    problems = []
    for what, pattern in SOURCE_CHECKS:
        for match in pattern.finditer(html):
            problems.append(f"{what}: {_snippet(html, match, 30)!r}")
    chunks = _visible(html)
    text = " ¦ ".join(chunk for chunk, _in_details, _hint in chunks)
    for what, pattern in TEXT_CHECKS + LANGUAGE_CHECKS[language]:
        for match in pattern.finditer(text):
            problems.append(f"{what}: {_snippet(text, match)!r}")
    not_hints = " ¦ ".join(chunk for chunk, _in_details, hint in chunks if not hint)
    for what, pattern in FORMAT_CHECKS:
        for match in pattern.finditer(not_hints):
            problems.append(f"{what}: {_snippet(not_hints, match)!r}")
    outside_details = " ¦ ".join(chunk for chunk, in_details, _hint in chunks if not in_details)
    for code in RULE_CODES:
        for match in re.finditer(rf"(?<![\w.]){re.escape(code)}(?![\w.])", outside_details):
            problems.append(f"a rule code outside <details>: {_snippet(outside_details, match)!r}")
    if language == "nl":
        for name in names:
            text = re.sub(rf"(?<![a-z]){re.escape(name)}(?![a-z])", "…", text)
        for msgid in ENGLISH:
            if (at := text.find(msgid)) >= 0:
                context = text[max(0, at - 30) : at + len(msgid) + 30]
                problems.append(f"English in the Dutch page: {msgid!r} in …{context}…")
    return problems


# words English sentences are made of and Dutch ones are not
ENGLISH_GLUE = re.compile(
    r"\b(?:the|and|or|of|to|are|an|for|with|your|you|it|this|that|not|on|by|from|will|would|"
    r"has|have|be|can|when|which)\b"
)


def _untranslated(dutch_html: str, english_html: str) -> list[str]:
    """Sentences a Dutch page shows as the English page does: text without a catalogue
    entry at all (the catalogue check cannot see those)."""
    english = {text for text, *_flags in _visible(english_html)}
    found = []
    for text, *_flags in _visible(dutch_html):
        if len(text) > 12 and text in english and len(set(ENGLISH_GLUE.findall(text))) >= 2:
            found.append(f"untranslated (the same on the English page): {text[:120]!r}")
    return found


def _english_rule_sources() -> list[str]:
    with translation.override("nl"):
        sources = {code: str(rule.source) for code, rule in catalogue().items()}
    return [
        f"{code}: {source!r}" for code, source in sources.items() if ENGLISH_WORDS.search(source)
    ]


# --- the test ----------------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["nl", "en"])
@pytest.mark.parametrize("screen", PAGES, ids=[page.name for page in PAGES])
def test_the_page_shows_words_not_codes(shown, screen, language):
    """Fails naming the page, the language, each problem with its snippet and the personas
    that saw it."""
    page = screen
    seen_by: dict[str, list[str]] = {}
    for persona in page.personas:
        response = _fetch(shown, page, persona, language)
        if response.status_code != page.status:
            problems = [f"status {response.status_code}, not {page.status}"]
        else:
            names = frozenset(user.get_username() for user in shown.users.values())
            html = response.content.decode()
            problems = _problems(html, language, names)
            if language == "nl":
                english = _fetch(shown, page, persona, "en").content.decode()
                problems += _untranslated(html, english)
        for problem in dict.fromkeys(problems):
            seen_by.setdefault(problem, []).append(persona)
    if page.name == "rules" and language == "nl":
        for source in _english_rule_sources():
            seen_by[f"an English rule source: {source}"] = ["-"]
    failures = [
        f"{page.name} in {language}: {problem} (as {', '.join(personas)})"
        for problem, personas in seen_by.items()
    ]
    assert not failures, "\n".join(failures)


def test_the_checks_find_what_they_look_for():
    page = (
        "<p>Week 2026-W49, 12/06/2026 12:08 a.m., Toekenning 24, (#22), € 10500,00 and "
        "%(other)s, {{ x }}</p><p>declaration.late</p><details><p>entry.duplicate</p></details>"
        '<span title="What pgb-admin checks">x</span>'
    )
    found = _problems(page, "nl")
    for what, needle in (
        ("an ISO week code", "2026-W49"),
        ("a US numeric date", "12/06/2026"),
        ("a.m./p.m.", "a.m."),
        ("an internal id", "Toekenning 24"),
        ("an internal id", "(#22)"),
        ("an amount without a thousands separator", "€ 10500,00"),
        ("a placeholder", "%(other)s"),
        ("template syntax", "{{ x }}"),
        ("a rule code outside <details>", "declaration.late"),
        ("English in the Dutch page", "What pgb-admin checks"),
    ):
        assert any(line.startswith(what) and needle in line for line in found), what
    assert len([line for line in found if line.startswith("a rule code")]) == 1
    clean = "<p>week 49 (30 nov – 6 dec), 12 juni 2026 12:08, € 10.500,00</p>"
    assert _problems(clean, "nl") == []
