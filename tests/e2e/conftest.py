"""Browser tests: Playwright driving Debian's chromium (``/usr/bin/chromium``, or
``CHROMIUM_PATH``) against pytest-django's live server. Never ``playwright install``.

Run them on their own (``make e2e``): Playwright's sync API runs an event loop in the test's
thread, so Django's async-safety check is switched off for this session only.
"""

import os
import tempfile
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from django_otp.plugins.otp_totp.models import TOTPDevice

from pgb_admin.accounts.two_factor import requires_two_factor

from ..conftest import build_world, restore_reference_data
from ..two_factor import authenticator, code_now

CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
PASSWORD = "e2e-password-for-tests-only"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
LOCALES = {"nl": "nl-NL", "en": "en-GB"}
BLOCKING_IMPACTS = {"serious", "critical"}
VERIFY_PATH = "/accounts/two-factor/verify/"

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(config, items):
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.fspath).parents:
            item.add_marker(pytest.mark.e2e)
            item.add_marker(pytest.mark.django_db(transaction=True))
            if not CHROMIUM.exists():
                item.add_marker(
                    pytest.mark.skip(reason=f"no browser at {CHROMIUM}: apt-get install chromium")
                )


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": str(CHROMIUM),
        "args": ["--no-sandbox", "--disable-dev-shm-usage"],
    }


@pytest.fixture
def e2e_world(reference_data, transactional_db):
    """The persona world, committed (the live server runs in another thread), with passwords
    and, for staff, auditors and the bureau, an authenticator app. Each test is flushed
    afterwards; the reference data is put back before the next."""
    restore_reference_data(reference_data)
    world = build_world()
    for user in world.users.values():
        user.set_password(PASSWORD)
        user.save(update_fields=["password"])
        if requires_two_factor(user):
            authenticator(user)
    return world


class Browser:
    """One persona's browser tab in one language, checking every page it shows with axe."""

    def __init__(self, page, live_server, language: str):
        self.page, self.base, self.language = page, live_server.url, language
        self.checked: list[str] = []

    def go(self, path: str):
        response = self.page.goto(self.base + path)
        self.check()
        return response

    def login(self, username: str, *, code: bool = True):
        """Password, then (unless ``code`` is false) the code of the user's authenticator app
        when the site asks for it."""
        self.page.goto(self.base + "/accounts/login/")
        self.check()
        self.page.locator("#id_username").fill(username)
        self.page.locator("#id_password").fill(PASSWORD)
        self.page.locator("main button[type=submit]").click()
        self.page.wait_for_load_state()
        self.check()
        if code and self.page.url.startswith(self.base + VERIFY_PATH):
            device = TOTPDevice.objects.get(user__username=username, confirmed=True)
            self.give_code(code_now(device))
            assert not self.page.url.startswith(self.base + VERIFY_PATH), self.page.url

    def give_code(self, code: str):
        self.page.locator("#id_code").fill(code)
        self.page.locator("main form:has(#id_code) button[type=submit]").click()
        self.page.wait_for_load_state()
        self.check()

    def check(self):
        """axe-core on the page as it is now: no serious or critical violation."""
        results = Axe().run(self.page)
        blocking = [
            f"{violation['id']} ({violation['impact']}): "
            + "; ".join(node["target"][0] for node in violation["nodes"][:3])
            for violation in results.response["violations"]
            if violation["impact"] in BLOCKING_IMPACTS
        ]
        assert not blocking, f"{self.page.url} [{self.language}]: {blocking}"
        self.checked.append(self.page.url)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call":
        item.failed_call = report.failed
    return report


@pytest.fixture
def open_browser(request, browser, live_server):
    """``open_browser("nl", phone=True)``: a new tab in that language and viewport. A failed
    test leaves a screenshot of each tab in ``SCREENSHOT_DIR`` (default: the temp dir)."""
    contexts = []

    def _open(language: str, *, phone: bool = False) -> Browser:
        context = browser.new_context(
            locale=LOCALES[language],
            viewport=PHONE if phone else DESKTOP,
            accept_downloads=True,
        )
        context.set_default_timeout(15_000)
        contexts.append(context)
        return Browser(context.new_page(), live_server, language)

    yield _open
    if getattr(request.node, "failed_call", False):
        folder = Path(os.environ.get("SCREENSHOT_DIR", tempfile.gettempdir()))
        for number, context in enumerate(contexts):
            for page in context.pages:
                page.screenshot(path=folder / f"{request.node.name}-{number}.png", full_page=True)
    for context in contexts:
        context.close()
