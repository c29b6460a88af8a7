"""The page components (pgb_admin/core/templatetags/components.py) render the NL Design System
markup they promise."""

from django.core.paginator import Paginator
from django.template import Context, Template
from django.test import RequestFactory
from django.utils import translation


def render(source: str, **context) -> str:
    return Template("{% load components %}" + source).render(Context(context))


def test_alert_with_a_body_and_a_role_by_tone():
    html = render('{% alert "error" heading="Let op" %}<p>Te veel uren</p>{% endalert %}')
    assert "utrecht-alert--error" in html
    assert 'role="alert"' in html
    assert "<strong>Let op</strong>" in html
    assert "<p>Te veel uren</p>" in html
    assert 'role="status"' in render('{% alert "warning" %}x{% endalert %}')
    assert "utrecht-alert--info" in render('{% alert "no-such-tone" %}x{% endalert %}')


def test_summary_list_rows_with_and_without_an_action():
    html = render(
        '{% summary_list %}{% summary_row "Toegekend" %}€ 13.500,00{% endsummary_row %}'
        '{% summary_row "Naam" action_url="/edit/" action_label="Wijzigen" %}Jansen'
        "{% endsummary_row %}{% endsummary_list %}"
    )
    assert html.count("utrecht-data-list__item-key") == 2
    assert '<a href="/edit/">Wijzigen<span class="visually-hidden"> naam</span></a>' in html


def test_summary_row_escapes_its_label():
    assert "&lt;b&gt;" in render("{% summary_row label %}x{% endsummary_row %}", label="<b>")


def test_status_badge_maps_tones():
    assert "utrecht-status-badge--danger" in render('{% status_badge "Fout" tone="error" %}')
    assert "utrecht-status-badge--neutral" in render('{% status_badge "?" tone="odd" %}')


def test_pagination_keeps_the_other_parameters_and_elides():
    request = RequestFactory().get("/bureau/", {"q": "jan", "page": "7", "sort": "name"})
    page = Paginator(range(500), 20).page(7)
    with translation.override("nl"):
        html = render("{% pagination page %}", page=page, request=request)
    assert "121–140 van 500" in html
    assert 'rel="prev" href="?q=jan&amp;sort=name&amp;page=6"' in html
    assert 'rel="next" href="?q=jan&amp;sort=name&amp;page=8"' in html
    assert 'aria-current="page"' in html
    assert "…" in html  # 1 … 6 7 8 … 25
    assert html.count("page=") < 12


def test_pagination_is_absent_for_one_page():
    request = RequestFactory().get("/")
    page = Paginator(range(5), 20).page(1)
    assert render("{% pagination page %}", page=page, request=request).strip() == ""


def test_breadcrumbs_mark_the_current_page():
    html = render("{% breadcrumbs crumbs %}", crumbs=[("Controle", "/audit/"), ("Jansen", "")])
    assert '<a class="utrecht-breadcrumb-nav__link" href="/audit/">Controle</a>' in html
    assert 'aria-current="page">Jansen<' in html
