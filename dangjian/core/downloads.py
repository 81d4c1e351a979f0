"""File downloads: one way to send bytes as a file the browser saves.

``Content-Disposition`` is built by Django's :func:`~django.utils.http.content_disposition_header`
(what :class:`~django.http.FileResponse` uses for ``as_attachment``/``filename``): an ASCII name as
``filename="…"``, a Chinese one as ``filename*=utf-8''…``. A Chinese name may carry an ASCII
fallback for old clients (``ascii_name``). The body stays an ordinary ``HttpResponse`` so the bytes
are at hand (``response.content``) for the generated CSV/XLSX/DOCX/PDF files and the stored
attachments alike.
"""

from __future__ import annotations

from django.http import HttpResponse
from django.utils.http import content_disposition_header

#: the media type of each kind of generated file, by its extension
MEDIA_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
}


def disposition(filename: str, *, ascii_name: str = "") -> str:
    """The ``Content-Disposition`` value of a download named ``filename``."""
    header = content_disposition_header(True, filename) or "attachment"
    if ascii_name and not filename.isascii():
        fallback = ascii_name.replace("\\", "\\\\").replace('"', r"\"")
        header = header.replace("attachment; ", f'attachment; filename="{fallback}"; ', 1)
    return header


def file_response(
    data: bytes, *, filename: str, content_type: str, ascii_name: str = ""
) -> HttpResponse:
    """``data`` as a file to save under ``filename`` (never shown inline, never sniffed)."""
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = disposition(filename, ascii_name=ascii_name)
    response["X-Content-Type-Options"] = "nosniff"
    return response
