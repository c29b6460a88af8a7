"""What an uploaded document must be before anything of it is stored.

- Only PDF, PNG and JPEG, recognised by their content (magic bytes at offset 0), and the file
  name's extension must say the same type: a PDF named ``.jpg`` is refused, and so is a file
  whose PDF header starts late (readers accept one within the first kilobyte; we do not).
- At most ``DOCUMENT_MAX_BYTES``, read in chunks: an oversized upload is refused once the
  limit is passed, never read whole.
- No active content in a PDF: JavaScript, actions run on opening or by events (``/OpenAction``
  with an action, ``/AA``), ``/Launch``, embedded files, XFA forms, rich media, form
  submission. Names are read with their ``#xx`` escapes undone, in the file and inside
  compressed object streams (FlateDecode, inflated with zlib up to
  ``DOCUMENT_PDF_INFLATE_MAX_BYTES``). An encrypted PDF cannot be checked: refused.
- No polyglots: the file must end where its own format ends (``%%EOF`` of a PDF, ``IEND`` of
  a PNG, ``EOI`` of a JPEG), holds no end of a ZIP directory, no HTML or script markup, and an
  image holds no PDF header.

Every refusal is a :class:`~django.core.exceptions.ValidationError` with a ``code`` (the
tests name them) and a message for the person who uploads; nothing here writes anything.
"""

import hashlib
import re
import struct
import zlib
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

CHUNK_BYTES = 64 * 1024


@dataclass(frozen=True)
class DocumentType:
    name: str  # also the extension of the stored file
    media_type: str
    magic: bytes


PDF = DocumentType("pdf", "application/pdf", b"%PDF-")
PNG = DocumentType("png", "image/png", b"\x89PNG\r\n\x1a\n")
JPEG = DocumentType("jpg", "image/jpeg", b"\xff\xd8\xff")
TYPES = (PDF, PNG, JPEG)
#: the extensions a file name may have, and the type each promises
EXTENSIONS = {"pdf": PDF, "png": PNG, "jpg": JPEG, "jpeg": JPEG}


@dataclass(frozen=True)
class CheckedFile:
    content: bytes
    type: DocumentType
    sha256: str

    @property
    def size(self) -> int:
        return len(self.content)


def refusal(code: str) -> ValidationError:
    messages = {
        "empty": _("The file is empty."),
        "too_large": _("The file is larger than %(limit)s MB.")
        % {"limit": settings.DOCUMENT_MAX_BYTES // (1024 * 1024)},
        "type_not_allowed": _("Only PDF, PNG and JPEG files can be added to the archive."),
        "extension_mismatch": _(
            "The file's name does not match what it contains (e.g. a PDF named .jpg)."
        ),
        "active_content": _(
            "The PDF contains scripts, actions or embedded files. Print it to a new PDF "
            "without them and add that."
        ),
        "encrypted": _("The PDF is encrypted and cannot be checked. Add it without a password."),
        "polyglot": _("The file contains something other than its own type (another file "
                      "hidden in it)."),
        "unreadable": _("The file is damaged or could not be checked."),
    }  # fmt: skip
    return ValidationError(messages[code], code=code)


def document_check(file: Any, filename: str) -> CheckedFile:
    """The checked content of an upload (``file``: an ``UploadedFile`` or anything with
    ``read``), or the refusal."""
    extension = PurePosixPath(filename.replace("\\", "/")).suffix.lower().lstrip(".")
    promised = EXTENSIONS.get(extension)
    if promised is None:
        raise refusal("type_not_allowed")
    content = read_limited(file, settings.DOCUMENT_MAX_BYTES)
    if not content:
        raise refusal("empty")
    found = next((kind for kind in TYPES if content.startswith(kind.magic)), None)
    if found is None:
        raise refusal("type_not_allowed")
    if found is not promised:
        raise refusal("extension_mismatch")
    _no_foreign_content(content, found)
    {PDF: _check_pdf, PNG: _check_png, JPEG: _check_jpeg}[found](content)
    return CheckedFile(content=content, type=found, sha256=hashlib.sha256(content).hexdigest())


def read_limited(file: Any, limit: int) -> bytes:
    """The file's bytes, read in chunks; refused as soon as there are more than ``limit``."""
    size = getattr(file, "size", None)
    if isinstance(size, int) and size > limit:
        raise refusal("too_large")
    if hasattr(file, "seek"):
        file.seek(0)
    if hasattr(file, "chunks"):
        chunks = file.chunks(CHUNK_BYTES)
    else:
        chunks = iter(lambda: file.read(CHUNK_BYTES), b"")
    buffer = bytearray()
    for chunk in chunks:
        if len(buffer) + len(chunk) > limit:
            raise refusal("too_large")
        buffer += chunk
    return bytes(buffer)


# --- polyglots -------------------------------------------------------------------------------

# the end of a ZIP's central directory: a ZIP reader looks for it in the last 64 KB
_ZIP_END = b"PK\x05\x06"
_ZIP_TAIL = 65_535 + 22
# markup a browser or an interpreter would run (long enough not to turn up in compressed data)
_MARKUP = re.compile(
    rb"<\s*(?:script|html|body|iframe|object|embed)\b|<!doctype\s+html|<\?php|javascript:",
    re.IGNORECASE,
)


def _no_foreign_content(content: bytes, kind: DocumentType) -> None:
    if _ZIP_END in content[-_ZIP_TAIL:] or content.startswith(b"PK\x03\x04"):
        raise refusal("polyglot")
    if _MARKUP.search(content):
        raise refusal("polyglot")
    if kind is not PDF and PDF.magic in content:
        raise refusal("polyglot")


# --- PDF -------------------------------------------------------------------------------------

_PDF_HEADER = re.compile(rb"%PDF-[12]\.\d")
_NAME = re.compile(rb"/([^\s/<>\[\]()%{}\x00]+)")
_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")
#: names that make a PDF do something when opened or used
ACTIVE_NAMES = frozenset(
    {
        "JavaScript",
        "JS",
        "AA",
        "Launch",
        "EmbeddedFile",
        "EmbeddedFiles",
        "XFA",
        "RichMedia",
        "SubmitForm",
        "ImportData",
        "GoToE",
        "Sound",
        "Movie",
    }
)
_STREAM = re.compile(rb"stream\r?\n")
_FILTER = re.compile(rb"/Filter\s*(\[[^\]]*\]|/[^\s/<>\[\]()]+)")
_TYPE_OBJSTM = re.compile(rb"/Type\s*/ObjStm\b")
_FLATE = {"FlateDecode", "Fl"}


def _names(data: bytes):
    """Each PDF name in ``data`` (escapes undone), with where the text after it starts."""
    for match in _NAME.finditer(data):
        raw = _ESCAPE.sub(lambda m: bytes([int(m.group(1), 16)]), match.group(1))
        yield raw.decode("latin-1"), match.end()


def _active(data: bytes) -> bool:
    for name, end in _names(data):
        if name in ACTIVE_NAMES:
            return True
        # an OpenAction that is a destination (``[page /Fit]``) only shows a page; anything
        # else is an action
        if name == "OpenAction" and data[end:].lstrip()[:1] != b"[":
            return True
        if name == "Encrypt":
            raise refusal("encrypted")
    return False


def _check_pdf(content: bytes) -> None:
    if not _PDF_HEADER.match(content):
        raise refusal("type_not_allowed")
    if not content.rstrip(b"\r\n\t \x00\x0c").endswith(b"%%EOF"):
        # something follows the PDF's end, or it has none
        raise refusal("polyglot" if b"%%EOF" in content else "unreadable")
    if _active(content):
        raise refusal("active_content")
    budget = settings.DOCUMENT_PDF_INFLATE_MAX_BYTES
    for data in _object_streams(content):
        inflated = _inflate(data, budget)
        budget -= len(inflated)
        if _active(inflated):
            raise refusal("active_content")


def _object_streams(content: bytes):
    """The raw data of each FlateDecode stream that may hold objects: every one but images
    and font files (a reader may take objects from a stream whatever its ``/Type`` says).
    A stream's dictionary is what precedes ``stream`` since its ``obj``, its names read with
    their escapes undone (``/Obj#53tm`` is ``/ObjStm``)."""
    position = 0
    while True:
        match = _STREAM.search(content, position)
        if match is None:
            return
        head_start = content.rfind(b"obj", max(0, match.start() - 4096), match.start())
        head = content[max(head_start, match.start() - 4096) : match.start()]
        head = _ESCAPE.sub(lambda m: bytes([int(m.group(1), 16)]), head)
        end = content.find(b"endstream", match.end())
        if end == -1:
            raise refusal("unreadable")
        position = end + len(b"endstream")
        filters = _filters(head)
        if not filters:
            continue  # uncompressed: read with the rest of the file
        if _TYPE_OBJSTM.search(head) and filters != ["FlateDecode"]:
            raise refusal("unreadable")  # objects encoded in a way that is not checked here
        if filters != ["FlateDecode"] or _NOT_OBJECTS.search(head):
            continue  # an image or a font: no objects in it
        yield content[match.end() : end]


_NOT_OBJECTS = re.compile(rb"/Subtype\s*/(?:Image|Type1C|CIDFontType0C|OpenType)\b|/Length[123]\b")


def _filters(head: bytes) -> list[str]:
    found = _FILTER.search(head)
    if found is None:
        return []
    names = [name for name, _end in _names(found.group(1))]
    return ["FlateDecode" if name in _FLATE else name for name in names]


def _inflate(data: bytes, budget: int) -> bytes:
    """``data`` inflated, at most ``budget`` bytes (a bomb is refused as too large)."""
    inflater = zlib.decompressobj()
    try:
        inflated = inflater.decompress(data, max(budget, 0) + 1)
    except zlib.error:
        raise refusal("unreadable") from None
    if len(inflated) > budget:
        raise refusal("too_large")
    return inflated


# --- images ----------------------------------------------------------------------------------


def _check_png(content: bytes) -> None:
    """Chunk by chunk from the signature: IHDR first, IEND last and at the file's end, every
    checksum right."""
    position, first = len(PNG.magic), True
    while True:
        if position + 12 > len(content):
            raise refusal("unreadable")
        (length,) = struct.unpack_from(">I", content, position)
        kind = content[position + 4 : position + 8]
        data_end = position + 8 + length
        if not kind.isalpha() or data_end + 4 > len(content):
            raise refusal("unreadable")
        if first and kind != b"IHDR":
            raise refusal("unreadable")
        (crc,) = struct.unpack_from(">I", content, data_end)
        if zlib.crc32(content[position + 4 : data_end]) != crc:
            raise refusal("unreadable")
        position, first = data_end + 4, False
        if kind == b"IEND":
            if position != len(content):
                raise refusal("polyglot")  # something follows the image
            return


def _check_jpeg(content: bytes) -> None:
    """The segments before the image data in order, and the end-of-image marker last."""
    position = 2
    while True:
        if position + 4 > len(content) or content[position] != 0xFF:
            raise refusal("unreadable")
        marker = content[position + 1]
        if marker == 0xFF:  # fill byte
            position += 1
            continue
        if marker == 0xD9:
            raise refusal("unreadable")  # an end before any image data
        (length,) = struct.unpack_from(">H", content, position + 2)
        if length < 2:
            raise refusal("unreadable")
        position += 2 + length
        if marker == 0xDA:  # start of scan: the image data run to the end-of-image marker
            break
    if not content.endswith(b"\xff\xd9"):
        raise refusal("polyglot")  # something follows the image
