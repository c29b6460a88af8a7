"""axe-core on every page of the site (the list the query-count test walks), as the persona
that uses it, in Dutch and in English."""

import pytest

from ..api.conftest import build_api_world
from ..web.test_query_counts import _pages


@pytest.mark.parametrize("language", ["nl", "en"])
def test_every_page_has_no_serious_accessibility_violation(e2e_world, open_browser, language):
    world = build_api_world(e2e_world)  # the personas keep their e2e passwords
    tabs = {}
    for persona, url in _pages(world):
        if url.endswith("/evidence/"):
            continue  # a ZIP download, not a page
        if persona not in tabs:
            tabs[persona] = open_browser(language)
            tabs[persona].login(persona)
        response = tabs[persona].go(url)
        assert response.status == 200, url
    assert sum(len(tab.checked) for tab in tabs.values()) >= 20
