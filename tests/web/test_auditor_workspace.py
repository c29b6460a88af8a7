"""The auditor's workspace as a person reads it: signals grouped by kind (each kind once, with
a count and its rule), each case linked in words to its holder, provider and evidence; the
breadcrumbs from a holder back to the report and the audit page; amounts with thousands
separators; the chart with an alt text and its figures as tables; no internal ids in text."""

import re

from django.urls import reverse

import pandas as pd
import pytest

from reports import selectors

from ..api.conftest import api_world, shared_api_world  # noqa: F401
from .conftest import login  # noqa: F401
from .test_audit_pages import _report_url, signals  # noqa: F401 (a fixture)


def _section(html: str, anchor: str, end: str) -> str:
    return html.split(f'id="{anchor}"', 1)[1].split(f'id="{end}"', 1)[0]


def test_signals_grouped_each_kind_once_with_a_count_and_its_rule(login, api_world, signals):  # noqa: F811
    response = login("auditor_same").get(_report_url())
    groups = response.context["signal_groups"]
    codes = [group["code"] for group in groups]
    assert len(codes) == len(set(codes))
    assert sum(group["count"] for group in groups) == len(response.context["signals"])
    html = response.content.decode()
    late = next(group for group in groups if group["code"] == "care_after_agreement_end")
    assert html.count(f'id="{late["anchor"]}"') == 1
    assert f'href="#{late["anchor"]}"' in html  # the list of kinds links to each
    assert late["rule"] in html
    assert "1 geval" in html


def test_each_case_is_linked_in_words_to_holder_provider_and_evidence(login, api_world, signals):  # noqa: F811
    html = login("auditor_same").get(_report_url()).content.decode()
    section = _section(html, "signals", "charts")
    holder = signals["holder"]
    assert f'<a href="{reverse("budgets:dashboard", args=[holder.pk])}">' in section
    assert re.search(
        rf'<a href="{reverse("contracts:providers", args=[holder.pk])}">E\. Inde</a>', section
    )
    assert f'href="{reverse("contracts:agreement", args=[signals["agreement"].pk])}"' in section
    assert "Zorgovereenkomst met E. Inde" in section
    assert "Declaratie van juli 2026" in section
    assert "Het bewijsdossier (ZIP)" in section
    # providers paid into one IBAN: each named with the holder it cares for
    assert "Tweeling 1, zorgverlener van" in section
    # no internal ids or codes in the text
    text = re.sub(r"<[^>]+>", " ", section)
    assert "#" not in text
    assert not re.search(r"\b(provider_ids|holder_ids|rate_cents|2026-W\d+)\b", text)


def test_a_case_found_twice_is_listed_once(api_world, signals):  # noqa: F811
    report = selectors.municipality_report(
        user=api_world.users["auditor_same"], code="GM0518", year=2026
    )
    once = report.signal_dicts()
    report.signals = pd.concat([report.signals, report.signals], ignore_index=True)
    assert report.signal_dicts() == once


def test_the_report_leads_back_to_the_audit_page(login, api_world):  # noqa: F811
    html = login("auditor_same").get(_report_url()).content.decode()
    crumbs = html.split("utrecht-breadcrumb-nav", 1)[1].split("</nav>", 1)[0]
    assert f'href="{reverse("reports:audit")}">Controle</a>' in crumbs
    assert 'aria-current="page">Gemeente ' in crumbs


@pytest.mark.parametrize("page", ["dashboard", "details", "grant", "declaration"])
def test_from_a_holder_back_to_the_report(login, api_world, page):  # noqa: F811
    mine = api_world.mine
    url = {
        "dashboard": reverse("budgets:dashboard", args=[mine.pk]),
        "details": reverse("budgets:holder_details", args=[mine.pk]),
        "grant": reverse("budgets:grant", args=[mine.pk, api_world.mine_wmo_budget.pk]),
        "declaration": reverse("declarations:detail", args=[api_world.exported.pk]),
    }[page]
    html = login("auditor_same").get(url).content.decode()
    crumbs = html.split("utrecht-breadcrumb-nav", 1)[1].split("</nav>", 1)[0]
    report = reverse("reports:municipality", args=["GM0518"])
    assert f'href="{reverse("reports:audit")}">Controle</a>' in crumbs
    assert f'href="{report}?year=2026"' in crumbs
    assert mine.display_name in crumbs
    assert mine.bsn not in html


def test_no_breadcrumbs_for_those_who_act_for_the_holder(login, api_world):  # noqa: F811
    html = login("holder").get(reverse("budgets:dashboard", args=[api_world.mine.pk]))
    assert "utrecht-breadcrumb-nav" not in html.content.decode()


def test_the_auditors_holder_list_names_only_true_grants(login, api_world):  # noqa: F811
    """The holder with a grant of The Hague and one of the care office is listed with The
    Hague's grant; never as having no grants."""
    html = login("auditor_same").get(reverse("home")).content.decode()
    assert api_world.mine.display_name in html
    assert "Geen toekenningen geregistreerd" not in html


def test_amounts_with_thousands_separators_and_no_ids(login, api_world, signals):  # noqa: F811
    html = login("auditor_same").get(_report_url()).content.decode()
    main = html.split("<main", 1)[1]
    assert re.search(r"€\xa0\d{1,3}(\.\d{3})+,\d{2}", main)
    assert not re.search(r"€\xa0\d{4,}", main)  # never € 10500,00
    assert not re.search(r"\(#\d+\)|#\d+\b", re.sub(r'href="[^"]*"|id="[^"]*"', "", main))


def test_the_chart_says_what_it_shows_and_has_its_table(login, api_world, signals):  # noqa: F811
    html = login("auditor_same").get(_report_url()).content.decode()
    alt = re.search(r'<img src="[^"]*chart\.png[^"]*" alt="([^"]+)"', html).group(1)
    assert "Staafdiagrammen van de besteding" in alt
    assert "Per maand: het meest in" in alt
    assert "tabellen" in alt
    assert 'id="spend-by-month"' in html
