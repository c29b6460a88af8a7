"""Before their code, staff, auditors and bureaus reach no page: every page of the site, the
admin included, sends a password-only session to give its code (or to set up an app); the
login, logout, language and two-factor pages stay open. Holders are not asked anything."""

from django.test import Client
from django.urls import reverse

import pytest

from ..api.conftest import api_world, shared_api_world  # noqa: F401
from ..two_factor import authenticator, verified_login
from ..web.test_query_counts import _pages

OTHER_PAGES = ["/admin/", "/admin/accounts/user/", "/accounts/two-factor/", "/no-such-page/"]


def _all_pages(world) -> list[str]:
    return sorted({url for _persona, url in _pages(world)} | set(OTHER_PAGES))


@pytest.mark.parametrize("persona", ["bureau", "auditor_same", "staff"])
@pytest.mark.parametrize("with_app", [False, True], ids=["no app yet", "with an app"])
def test_every_page_waits_for_the_code(api_world, persona, with_app):  # noqa: F811
    user = api_world.users[persona]
    if with_app:
        authenticator(user)
    step = reverse("two_factor:verify" if with_app else "two_factor:setup")
    client = Client()
    client.force_login(user)  # the password, and nothing more
    for url in _all_pages(api_world):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(step + "?next="), url
    assert client.post(reverse("declarations:bureau"), {})["Location"] == step
    assert client.get(step).status_code == 200
    assert client.get(reverse("login")).status_code == 200
    assert client.post(reverse("set_language"), {"language": "en"}).status_code == 302


def test_a_verified_session_and_a_holder_reach_the_pages(login, api_world):  # noqa: F811
    for persona, url in _pages(api_world):
        assert login(persona).get(url).status_code == 200, (persona, url)
    holder = Client()
    holder.force_login(api_world.users["holder"])
    assert holder.get(reverse("home")).status_code == 200
    assert verified_login(Client(), api_world.users["staff"]).get("/admin/").status_code == 200


def test_the_setup_page_shows_no_holder_before_the_code(api_world):  # noqa: F811
    client = Client()
    client.force_login(api_world.users["bureau"])
    page = client.get(reverse("two_factor:setup")).content.decode()
    assert api_world.mine.surname not in page
    assert reverse("declarations:bureau") not in page
    assert f'href="{reverse("two_factor:account")}"' not in page


@pytest.fixture
def login(api_world):  # noqa: F811
    def _login(persona: str) -> Client:
        return verified_login(Client(), api_world.users[persona])

    return _login
