"""Files answered by the API and the pages (exports, reports, templates, evidence packs):
renderers that let a client ask for the file's own media type, and the response that carries
the bytes. The formats themselves are :mod:`pgb_admin.core.files`."""

import base64

from django.http import HttpResponse

from rest_framework import renderers

from pgb_admin.core.files import FileFormat


class FileRenderer(renderers.BaseRenderer):
    """The view answers the bytes itself; this only takes part in content negotiation."""

    charset = None
    render_style = "binary"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return data


def file_renderers(file_format: FileFormat) -> list:
    """For an action's ``renderer_classes``: the file's media type, and JSON for errors."""
    renderer = type(
        f"{file_format.extension.upper()}Renderer",
        (FileRenderer,),
        {"media_type": file_format.mime, "format": file_format.extension},
    )
    return [renderer, renderers.JSONRenderer]


def file_response(
    content: bytes,
    file_format: FileFormat,
    filename: str,
    sha256: str = "",
    *,
    inline: bool = False,
) -> HttpResponse:
    """The file as an attachment (``inline``: shown in the page, e.g. a chart); with its sha256
    also as ETag and Repr-Digest (RFC 9530)."""
    response = HttpResponse(content, content_type=file_format.media_type)
    disposition = "inline" if inline else "attachment"
    response["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    if sha256:
        response["ETag"] = f'"{sha256}"'
        digest = base64.b64encode(bytes.fromhex(sha256)).decode()
        response["Repr-Digest"] = f"sha-256=:{digest}:"
    return response
