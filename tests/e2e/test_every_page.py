"""Every page of the site (the list the query-count test walks), as the persona that uses it,
in Dutch and in English, on a phone (390 px) and on a desktop: axe-core finds nothing serious
or critical, and on the phone no page is wider than the screen."""

from django.urls import reverse

import pytest

from reports.reminders.tokens import unsubscribe_token

from ..api.conftest import build_api_world
from ..web.test_query_counts import _pages


def _more_pages(world) -> list[tuple[str | None, str]]:
    """Pages the query-count walk leaves out: the access log, the printable entry aid and the
    pages before a login (``None``: no one logged in)."""
    return [
        ("holder", reverse("access_log:holder", args=[world.mine.pk])),
        ("holder", reverse("declarations:export_page", args=[world.batch.pk])),
        (None, reverse("password_reset")),
        (None, reverse("password_reset_done")),
        (
            None,
            reverse(
                "reports:unsubscribe", args=[unsubscribe_token(user_id=world.users["holder"].pk)]
            ),
        ),
    ]


PAGE_WIDTH = """() => Math.max(document.documentElement.scrollWidth, document.body.scrollWidth)"""


@pytest.mark.parametrize("viewport", ["phone", "desktop"])
@pytest.mark.parametrize("language", ["nl", "en"])
def test_every_page_has_no_serious_accessibility_violation(
    e2e_world, open_browser, language, viewport
):
    world = build_api_world(e2e_world)  # the personas keep their e2e passwords
    tabs = {}
    too_wide = []
    for persona, url in [*_pages(world), *_more_pages(world)]:
        if url.endswith("/evidence/"):
            continue  # a ZIP download, not a page
        if persona not in tabs:
            tabs[persona] = open_browser(language, phone=viewport == "phone")
            if persona is not None:
                tabs[persona].login(persona)
        tab = tabs[persona]
        response = tab.go(url)
        assert response.status == 200, url
        if viewport == "phone":
            width = tab.page.evaluate(PAGE_WIDTH)
            if width > 390:
                too_wide.append(f"{persona} {url}: {width} px")
    assert sum(len(tab.checked) for tab in tabs.values()) >= 20
    assert not too_wide, "wider than a 390 px phone: " + "; ".join(too_wide)
