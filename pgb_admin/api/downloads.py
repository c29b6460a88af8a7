"""Files answered by the API (SVB batches, reports): renderers that let a client ask for the
file's own media type, and the response that carries the bytes."""

import base64

from django.http import HttpResponse

from rest_framework import renderers


class FileRenderer(renderers.BaseRenderer):
    """The view answers the bytes itself; this only takes part in content negotiation."""

    charset = None
    render_style = "binary"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return data


def file_renderers(file_format: str, media_type: str) -> list:
    """For an action's ``renderer_classes``: the file's media type, and JSON for errors."""
    renderer = type(
        f"{file_format.upper()}Renderer",
        (FileRenderer,),
        {"media_type": media_type.split(";")[0], "format": file_format},
    )
    return [renderer, renderers.JSONRenderer]


def file_response(content: bytes, media_type: str, filename: str, sha256: str = "") -> HttpResponse:
    """The file as an attachment; with its sha256 also as ETag and Repr-Digest (RFC 9530)."""
    response = HttpResponse(content, content_type=media_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    if sha256:
        response["ETag"] = f'"{sha256}"'
        digest = base64.b64encode(bytes.fromhex(sha256)).decode()
        response["Repr-Digest"] = f"sha-256=:{digest}:"
    return response
