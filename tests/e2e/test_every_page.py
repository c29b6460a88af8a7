"""Every page of the site (the list the query-count test walks), as the persona that uses it,
in Dutch and in English, on a phone (390 px) and on a desktop: axe-core finds nothing serious
or critical, and on the phone no page is wider than the screen."""

import pytest

from ..api.conftest import build_api_world
from ..web.test_query_counts import _pages

PAGE_WIDTH = """() => Math.max(document.documentElement.scrollWidth, document.body.scrollWidth)"""


@pytest.mark.parametrize("viewport", ["phone", "desktop"])
@pytest.mark.parametrize("language", ["nl", "en"])
def test_every_page_has_no_serious_accessibility_violation(
    e2e_world, open_browser, language, viewport
):
    world = build_api_world(e2e_world)  # the personas keep their e2e passwords
    tabs = {}
    too_wide = []
    for persona, url in _pages(world):
        if url.endswith("/evidence/"):
            continue  # a ZIP download, not a page
        if persona not in tabs:
            tabs[persona] = open_browser(language, phone=viewport == "phone")
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
