"""The files pgb-admin serves and writes: each format's media type and extension, the names of
the files it makes (the same name on a page, in the API, in a background task and from a
command), and their checksum."""

import hashlib
from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class FileFormat:
    extension: str  # without the dot; also the format's name in URLs, models and commands
    media_type: str  # as sent in Content-Type, with its parameters

    @property
    def mime(self) -> str:
        """The media type without parameters: for content negotiation and the API schema."""
        return self.media_type.split(";")[0]


XLSX = FileFormat("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
CSV = FileFormat("csv", "text/csv; charset=utf-8")
PNG = FileFormat("png", "image/png")
SVG = FileFormat("svg", "image/svg+xml")
ZIP = FileFormat("zip", "application/zip")
JSON = FileFormat("json", "application/json")

#: every format by its extension (``FORMATS["csv"]``)
FORMATS: dict[str, FileFormat] = {f.extension: f for f in (XLSX, CSV, PNG, SVG, ZIP, JSON)}
#: the formats a chart is drawn in
CHART_FORMATS: dict[str, FileFormat] = {f.extension: f for f in (PNG, SVG)}
#: the timestamp of every member of a ZIP we write (an XLSX is one too): the same data gives
#: the same bytes, so two downloads can be compared by their hash
FIXED_ZIP_TIME = (1980, 1, 1, 0, 0, 0)


def sha256(content: bytes) -> str:
    """The file's checksum as stored and shown (hex): in ETag, Repr-Digest and manifests."""
    return hashlib.sha256(content).hexdigest()


# --- the names of the files we make ----------------------------------------------------------
# Dutch, as the people who receive them (the SVB, a municipality) call them.


def export_name(channel: str, month: date, batch_id: int, extension: str) -> str:
    """``invulhulp-pgb-portaal-<YYYY-MM>-<id>.<ext>`` for what is typed into the PGB Portaal
    (SVB), ``declaratie-zorgverzekeraar-<YYYY-MM>-<id>.<ext>`` for the insurer."""
    stem = "declaratie-zorgverzekeraar" if channel == "insurer" else "invulhulp-pgb-portaal"
    return f"{stem}-{month:%Y-%m}-{batch_id}.{extension}"


def municipal_report_name(code: str, year: int | None, extension: str) -> str:
    """``gemeenterapportage-<code>-<year>.<ext>``, e.g. ``gemeenterapportage-GM0518-2026.xlsx``;
    without a year ``gemeenterapportage-<code>.<ext>``."""
    return _name("gemeenterapportage", code, year, extension)


def exhaustion_report_name(holder_id: int | str, year: int | None, extension: str) -> str:
    """``uitputting-<holder>-<year>.<ext>``; without a year (all grants)
    ``uitputting-<holder>.<ext>``."""
    return _name("uitputting", holder_id, year, extension)


def hours_template_name(month: date, agreement_id: int | None = None) -> str:
    """The hours template of one agreement (``uren-<agreement>-<YYYY-MM>.xlsx``) or of every
    holder a bureau acts for (``uren-<YYYY-MM>.xlsx``)."""
    subject = "" if agreement_id is None else f"-{agreement_id}"
    return f"uren{subject}-{month:%Y-%m}.{XLSX.extension}"


def evidence_pack_name(declaration_id: int, month: date) -> str:
    return f"bewijsdossier-declaratie-{declaration_id}-{month:%Y-%m}.{ZIP.extension}"


def _name(stem: str, subject, year: int | None, extension: str) -> str:
    return f"{stem}-{subject}{'' if year is None else f'-{year}'}.{extension}"
