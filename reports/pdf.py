"""Pages as PDF, drawn by WeasyPrint from the same HTML as the printable page.

The PDF never depends on the fonts of the machine it is made on: its text is set in DejaVu Sans,
whose files come with matplotlib (a dependency of the reports, so the project's own install puts
them in place). WeasyPrint fetches nothing from the network: the only URLs it may open are the
app's static files and those font files, served from disk by :class:`LocalFetcher`; anything
else in a page (a link to elsewhere, a user's text that looks like a URL) is refused.

WeasyPrint needs Pango from the system (Debian: ``libpango-1.0-0``, ``libpangoft2-1.0-0``): without
it, importing this module raises ``OSError``. So it is imported where a PDF is made, not with the
URLconf, and the view says the PDF is unavailable while the printable page works.
"""

import mimetypes
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.exceptions import SuspiciousFileOperation

import matplotlib
import weasyprint
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

# a base URL of no real host: relative and root-relative URLs in the page resolve under it
BASE_URL = "https://pgb-admin.invalid/"
FONT_PREFIX = BASE_URL + "pdf-fonts/"
FONT_DIRECTORY = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
FONTS = {  # file name: (weight, style)
    "DejaVuSans.ttf": ("normal", "normal"),
    "DejaVuSans-Bold.ttf": ("bold", "normal"),
    "DejaVuSans-Oblique.ttf": ("normal", "italic"),
}
FONT_FAMILY = "pgb-pdf-sans"
FONT_FACES = (
    "\n".join(
        f'@font-face {{ font-family: "{FONT_FAMILY}"; src: url("{FONT_PREFIX}{name}"); '
        f"font-weight: {weight}; font-style: {style}; }}"
        for name, (weight, style) in FONTS.items()
    )
    + f'\nhtml, body {{ font-family: "{FONT_FAMILY}"; }}'
)


def local_file(url: str) -> Path | None:
    """The file on disk a URL of the PDF stands for, or None when it may not be fetched."""
    if url.startswith(FONT_PREFIX):
        name = url.removeprefix(FONT_PREFIX)
        return FONT_DIRECTORY / name if name in FONTS else None
    static = BASE_URL + settings.STATIC_URL.lstrip("/")
    if url.startswith(static):
        name = url.removeprefix(static).split("?")[0]
        if ".." in name.split("/"):
            return None
        try:
            found = finders.find(name)
        except SuspiciousFileOperation:
            return None
        return Path(found) if isinstance(found, str) else None
    return None


class LocalFetcher(URLFetcher):
    """Serves the PDF its static files and fonts from disk, and nothing else."""

    def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
        path = local_file(url)
        if path is None or not path.is_file():
            raise ValueError(f"not fetched for a PDF: {url[:80]}")
        kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(url, body=path.read_bytes(), headers={"Content-Type": kind})


def render_pdf(html: str) -> bytes:
    """The PDF of a page's HTML (A4, the page's print styles)."""
    fetcher = LocalFetcher()
    fonts = FontConfiguration()
    document = weasyprint.HTML(string=html, base_url=BASE_URL, url_fetcher=fetcher)
    faces = weasyprint.CSS(string=FONT_FACES, font_config=fonts, url_fetcher=fetcher)
    return document.write_pdf(stylesheets=[faces], font_config=fonts)
