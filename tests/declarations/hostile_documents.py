"""Hostile and harmless documents for the archive's content checks, generated (no files in the
repository): PDFs with JavaScript (plain, with escaped names, inside a compressed object
stream), OpenAction/Launch actions, embedded files, XFA, encryption; polyglots (a PDF with a
ZIP or HTML, a JPEG that is a ZIP, an image with a PDF in it, a PDF that starts late); files
whose name lies about their type; and oversized files.

``hostile()`` gives :class:`Case` tuples ``(name, content, expected refusal code)``; ``pdf()``,
``png()`` and ``jpeg()`` build harmless files (different ``text`` gives different bytes)."""

import io
import zipfile
import zlib

from PIL import Image

from .hostile import Case

MB = 1024 * 1024


def pdf(
    *,
    catalog_extra: bytes = b"",
    objects: tuple[bytes, ...] = (),
    trailer_extra: bytes = b"",
    text: str = "Beschikking",
    object_stream: bytes | None = None,
    object_stream_filter: bytes = b"/FlateDecode",
) -> bytes:
    """A one-page PDF. ``objects`` are added as objects 5, 6, …; ``object_stream`` puts the
    catalog (object 1, with ``catalog_extra``) compressed into an object stream instead of
    the file, as PDF 1.5 writers do."""
    content = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode()
    catalog = b"<< /Type /Catalog /Pages 2 0 R " + catalog_extra + b" >>"
    body = [
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        *objects,
    ]
    numbered = [(2 + i, obj) for i, obj in enumerate(body)]
    if object_stream is None:
        numbered.insert(0, (1, catalog))
    else:
        inner = b"1 0 " + (object_stream or catalog)
        if object_stream_filter == b"/FlateDecode" and inner.startswith(b"1 0 broken"):
            packed = b"this is not zlib data at all"
        elif b"Flate" in object_stream_filter:
            packed = zlib.compress(inner)
        else:
            packed = inner.hex().encode()
        number = 2 + len(body)
        numbered.append(
            (
                number,
                b"<< /Type /ObjStm /N 1 /First 4 /Filter %s /Length %d >>\nstream\n"
                % (object_stream_filter, len(packed))
                + packed
                + b"\nendstream",
            )
        )
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = {}
    for number, obj in numbered:
        offsets[number] = len(out)
        out += b"%d 0 obj\n" % number + obj + b"\nendobj\n"
    size = max(offsets) + 1
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % size
    for number in range(1, size):
        out += b"%010d 00000 n \n" % offsets.get(number, 0)
    out += b"trailer\n<< /Size %d /Root 1 0 R " % size + trailer_extra + b">>\n"
    out += b"startxref\n%d\n%%%%EOF\n" % xref
    return bytes(out)


def _image(kind: str, text: str) -> bytes:
    image = Image.new("RGB", (8, 8), (len(text) * 7 % 256, 120, 200))
    out = io.BytesIO()
    image.save(out, format=kind)
    return out.getvalue()


def png(text: str = "x") -> bytes:
    return _image("PNG", text)


def jpeg(text: str = "x") -> bytes:
    return _image("JPEG", text)


def _zip(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return out.getvalue()


JS = b"/OpenAction << /S /JavaScript /JS (app.alert\\(1\\)) >>"


def hostile() -> list[Case]:
    payload = _zip({"evil.html": b"<script>alert(1)</script>"})
    return [
        # active content, plain
        Case("js-openaction.pdf", pdf(catalog_extra=JS), "active_content"),
        Case(
            "js-names.pdf",
            pdf(
                catalog_extra=b"/Names << /JavaScript 5 0 R >>",
                objects=(b"<< /Names [(a) 6 0 R] >>", b"<< /S /JavaScript /JS (this.x=1) >>"),
            ),
            "active_content",
        ),
        Case(
            "js-escaped-name.pdf",
            pdf(catalog_extra=b"/Names << /J#61va#53cript 5 0 R >>", objects=(b"<< >>",)),
            "active_content",
        ),
        Case(
            "launch-annotation.pdf",
            pdf(objects=(b"<< /Type /Annot /Subtype /Link /A << /S /Launch /F (cmd.exe) >> >>",)),
            "active_content",
        ),
        Case(
            "openaction-launch.pdf",
            pdf(catalog_extra=b"/OpenAction << /S /Launch /F (calc.exe) >>"),
            "active_content",
        ),
        Case(
            "openaction-reference.pdf",
            pdf(catalog_extra=b"/OpenAction 5 0 R", objects=(b"<< /S /URI /URI (http://x) >>",)),
            "active_content",
        ),
        Case(
            "additional-actions.pdf",
            pdf(objects=(b"<< /Type /Annot /AA << /O << /S /GoTo /D [3 0 R] >> >> >>",)),
            "active_content",
        ),
        Case(
            "embedded-file.pdf",
            pdf(
                catalog_extra=b"/Names << /EmbeddedFiles << /Names [(a.exe) 5 0 R] >> >>",
                objects=(
                    b"<< /Type /Filespec /F (a.exe) /EF << /F 6 0 R >> >>",
                    b"<< /Type /EmbeddedFile /Length 2 >>\nstream\nMZ\nendstream",
                ),
            ),
            "active_content",
        ),
        Case(
            "xfa-form.pdf",
            pdf(catalog_extra=b"/AcroForm << /XFA 5 0 R >>", objects=(b"<< >>",)),
            "active_content",
        ),
        Case(
            "submit-form.pdf",
            pdf(objects=(b"<< /S /SubmitForm /F (http://x) >>",)),
            "active_content",
        ),
        Case("rich-media.pdf", pdf(objects=(b"<< /Subtype /RichMedia >>",)), "active_content"),
        # active content hidden in a compressed object stream
        Case("js-in-object-stream.pdf", pdf(object_stream=b"", catalog_extra=JS), "active_content"),
        Case(
            "launch-in-object-stream.pdf",
            pdf(object_stream=b"", catalog_extra=b"/OpenAction << /S /Launch /F (x.exe) >>"),
            "active_content",
        ),
        Case(
            "escaped-js-in-object-stream.pdf",
            pdf(object_stream=b"", catalog_extra=b"/Names << /Java#53cript 5 0 R >>"),
            "active_content",
        ),
        Case(
            "js-in-object-stream-with-escaped-type.pdf",
            pdf(object_stream=b"", catalog_extra=JS).replace(b"/ObjStm", b"/Obj#53tm"),
            "active_content",
        ),
        Case(
            "js-in-object-stream-with-escaped-filter.pdf",
            pdf(object_stream=b"", catalog_extra=JS).replace(b"/Filter", b"/F#69lter"),
            "active_content",
        ),
        Case(
            "js-in-object-stream-without-type.pdf",
            pdf(object_stream=b"", catalog_extra=JS).replace(b"/Type /ObjStm ", b""),
            "active_content",
        ),
        Case(
            "object-stream-hex-encoded.pdf",
            pdf(object_stream=b"", catalog_extra=JS, object_stream_filter=b"/ASCIIHexDecode"),
            "unreadable",
        ),
        Case(
            "object-stream-filter-chain.pdf",
            pdf(object_stream=b"", object_stream_filter=b"[/ASCII85Decode /FlateDecode]"),
            "unreadable",
        ),
        Case(
            "object-stream-not-zlib.pdf",
            pdf(object_stream=b"broken"),
            "unreadable",
        ),
        Case(
            "object-stream-bomb.pdf",
            pdf(object_stream=b"<< /Type /Catalog >>" + b" " * (60 * MB)),
            "too_large",
        ),
        Case(
            "encrypted.pdf", pdf(trailer_extra=b"/Encrypt 5 0 R ", objects=(b"<< >>",)), "encrypted"
        ),
        # polyglots
        Case("pdf-then-zip.pdf", pdf() + payload, "polyglot"),
        Case(
            "pdf-with-zip-before-eof.pdf",
            pdf().replace(b"startxref", payload + b"\nstartxref"),
            "polyglot",
        ),
        Case(
            "pdf-with-html.pdf",
            pdf().replace(b"%\xe2\xe3\xcf\xd3", b"%<html><script>x()"),
            "polyglot",
        ),
        Case("pdf-then-script.pdf", pdf() + b"<script>alert(1)</script>", "polyglot"),
        Case("pdf-starts-late.pdf", b"\n" * 20 + pdf(), "type_not_allowed"),
        Case("pdf-after-html.pdf", b"<html><body>" + pdf(), "type_not_allowed"),
        Case("pdf-after-gif.pdf", b"GIF89a\x01\x00\x01\x00" + pdf(), "type_not_allowed"),
        Case("jpeg-then-zip.jpg", jpeg() + payload, "polyglot"),
        Case("zip-as-jpeg.jpg", b"\xff\xd8\xff\xe0" + payload, "polyglot"),
        Case("jpeg-with-pdf.jpg", jpeg()[:-2] + pdf() + b"\xff\xd9", "polyglot"),
        Case("png-then-zip.png", png() + payload, "polyglot"),
        Case("png-then-html.png", png() + b"<html><script>alert(1)</script>", "polyglot"),
        Case("png-then-bytes.png", png() + b"\0" * 16, "polyglot"),
        Case("png-with-pdf-chunk.png", _png_with_chunk(b"tEXt", b"c\0" + pdf()), "polyglot"),
        Case("zip.pdf", payload, "type_not_allowed"),
        # names that lie, types not allowed
        Case("pdf-named.jpg", pdf(), "extension_mismatch"),
        Case("png-named.pdf", png(), "extension_mismatch"),
        Case("jpeg-named.png", jpeg(), "extension_mismatch"),
        Case("html-named.pdf", b"<!doctype html><script>alert(1)</script>", "type_not_allowed"),
        Case(
            "svg-named.png",
            b'<svg xmlns="http://www.w3.org/2000/svg"><script/></svg>',
            "type_not_allowed",
        ),
        Case("gif.gif", b"GIF89a\x01\x00\x01\x00\x00\x00\x00;", "type_not_allowed"),
        Case("no-extension", pdf(), "type_not_allowed"),
        Case("../../etc/passwd.pdf", b"root:x:0:0", "type_not_allowed"),
        Case("exe.pdf", b"MZ\x90\x00" + bytes(64), "type_not_allowed"),
        Case("empty.pdf", b"", "empty"),
        # broken
        Case("pdf-without-eof.pdf", pdf().rsplit(b"%%EOF", 1)[0], "unreadable"),
        Case("pdf-unterminated-stream.pdf", pdf().replace(b"endstream", b"endstrea"), "unreadable"),
        Case("png-bad-crc.png", png()[:-1] + b"\0", "unreadable"),
        Case("png-truncated.png", png()[:30], "unreadable"),
        Case("jpeg-truncated.jpg", jpeg()[:20], "unreadable"),
        Case("jpeg-no-segments.jpg", b"\xff\xd8\xff\xd9", "unreadable"),
        # oversized (the limit is 10 MB by default; the tests may lower it)
        Case("oversized.pdf", pdf()[:-6] + b"%" + b"x" * (10 * MB) + b"\n%%EOF\n", "too_large"),
        Case("oversized.png", png() + bytes(10 * MB), "too_large"),
    ]


def _png_with_chunk(kind: bytes, data: bytes) -> bytes:
    import struct

    image = png()
    chunk = struct.pack(">I", len(data)) + kind + data
    chunk += struct.pack(">I", zlib.crc32(kind + data))
    return image[:33] + chunk + image[33:]  # after the signature and IHDR


def harmless() -> list[tuple[str, bytes]]:
    return [
        ("beschikking.pdf", pdf()),
        ("BESCHIKKING.PDF", pdf(text="hoofdletters")),
        ("page-destination.pdf", pdf(catalog_extra=b"/OpenAction [3 0 R /Fit]", text="dest")),
        ("uri-link.pdf", pdf(objects=(b"<< /S /URI /URI (https://www.svb.nl) >>",), text="uri")),
        ("compressed-catalog.pdf", pdf(object_stream=b"", text="objstm")),
        ("scan.png", png("scan")),
        ("foto.jpg", jpeg("foto")),
        ("foto.jpeg", jpeg("foto2")),
    ]
