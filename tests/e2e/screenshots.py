"""Screenshots of the main pages on a phone (390 by 844) and a desktop (1280 by 800), in Dutch,
from the demo world: `make screenshots` writes them to docs/screenshots/ for the README.

    python -m tests.e2e.screenshots                 # a fresh demo database and server of its own
    python -m tests.e2e.screenshots --base-url URL  # an already running demo server

Debian's chromium (``/usr/bin/chromium`` or ``CHROMIUM_PATH``); never ``playwright install``.
"""

import argparse
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.request import urlopen

from playwright.sync_api import Page, sync_playwright

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
PASSWORD = "pgb-demo-2026"  # the demo world's, printed by `manage.py demo_logins`
BACKUP_CODES = iter(f"demo-{number:04d}" for number in range(1, 11))
VIEWPORTS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 800}}


# (persona, picture, where): a path, or a page and the first link on it that matches a selector
SHOTS = [
    ("jansen", "dashboard", ("/", "main a[href^='/holders/']")),
    ("jansen", "week", ("/", "a[href*='/week/']")),
    ("bureau", "bureau-console", "/bureau/"),
    ("controleur.denhaag", "auditor-report", ("/audit/", "main a[href*='?year=']")),
]


def _resolve(page: Page, base: str, where: str | tuple[str, str]) -> str:
    if isinstance(where, str):
        return where
    path, selector = where
    page.goto(base + path)
    link = page.locator(selector).first
    if not link.count():
        return path  # not there (yet): picture the page the link should be on
    return re.sub(r"^https?://[^/]+", "", link.get_attribute("href") or path)


def login(page: Page, base: str, username: str) -> None:
    page.context.clear_cookies()
    page.goto(base + "/accounts/login/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("main button[type=submit]").click()
    page.wait_for_load_state()
    if "/two-factor/verify/" in page.url:
        page.locator("#id_code").fill(next(BACKUP_CODES))
        page.locator("main form:has(#id_code) button[type=submit]").click()
        page.wait_for_load_state()


def capture(base: str, folder: Path, prefix: str = "") -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        for kind, viewport in VIEWPORTS.items():
            page = browser.new_context(locale="nl-NL", viewport=viewport).new_page()
            persona_now = None
            for persona, name, where in SHOTS:
                if persona != persona_now:
                    login(page, base, persona)
                    persona_now = persona
                page.goto(base + _resolve(page, base, where))
                page.wait_for_load_state("networkidle")
                target = folder / f"{prefix}{name}-{kind}.png"
                # a phone shows its first screen, as a person sees it; a desktop the whole page
                page.screenshot(path=target, full_page=kind == "desktop")
                written.append(target)
            page.context.close()
        browser.close()
    return written


@contextmanager
def demo_server() -> Iterator[str]:
    with tempfile.TemporaryDirectory() as tmp:
        port = _free_port()
        env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp}/demo.sqlite3"}
        env.pop("CELERY_BROKER_URL", None)
        manage = [sys.executable, str(ROOT / "manage.py")]
        subprocess.run([*manage, "migrate", "-v0", "--no-input"], env=env, check=True)  # noqa: S603
        subprocess.run(  # noqa: S603
            [*manage, "loaddemo"], env=env, check=True, stdout=subprocess.DEVNULL
        )
        server = subprocess.Popen(  # noqa: S603
            [*manage, "runserver", "--noreload", f"127.0.0.1:{port}"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            _wait_for(base + "/health/")
            yield base
        finally:
            server.terminate()
            server.wait(timeout=10)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_for(url: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            urlopen(url, timeout=2).close()  # noqa: S310 (our own http:// server)
            return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.3)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base-url", help="a running demo server (default: start one)")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    parser.add_argument("--prefix", default="", help="put before each file name, e.g. before-")
    args = parser.parse_args()
    if args.base_url:
        written = capture(args.base_url.rstrip("/"), args.out, args.prefix)
    else:
        with demo_server() as base:
            written = capture(base, args.out, args.prefix)
    for path in written:
        print(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path)


if __name__ == "__main__":
    main()
