"""The built dashboard at ``/``, with an SPA fallback that can only serve its own files.

Paths with ``..``, backslashes, NUL bytes or any symlink on the way are refused with 404,
however they were encoded.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote

from dishka.integrations.litestar import FromDishka, inject
from litestar import Response, get
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import File

from argus_web.settings import Settings

PLACEHOLDER = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Argus</title></head>
<body><h1>Argus</h1>
<p>The API is running. The dashboard has not been built into this installation yet.</p>
<p><a href="/schema">API documentation</a> · <a href="/api/health">health</a></p>
</body></html>
"""
RESERVED = ("api", "schema", "slack", "metrics")  # first path segments the UI never owns


def safe_file(root: Path, relative: str) -> Path | None:
    """The file ``relative`` names inside ``root``, or None if it is not a plain file there."""
    parts = [p for p in relative.split("/") if p not in ("", ".")]
    if any(p == ".." or "\\" in p or "\x00" in p for p in parts):
        return None
    base = root.resolve()
    candidate = base.joinpath(*parts)
    # resolve() follows links: any difference means a symlink was on the way.
    if candidate.resolve() != candidate or not candidate.is_relative_to(base):
        return None
    return candidate if candidate.is_file() else None


@get("/", include_in_schema=False)
@inject
async def dashboard_index(settings: FromDishka[Settings]) -> Response[str] | File:
    """The dashboard's ``index.html`` (a placeholder page until the UI is built)."""
    return _index(settings.static_dir)


@get("/{path:path}", include_in_schema=False)
@inject
async def dashboard_files(
    path: FromPath[str], settings: FromDishka[Settings]
) -> Response[str] | File:
    """A file of the built UI, else the UI's ``index.html`` for client-side routes."""
    relative = path.lstrip("/")
    if relative.split("/", 1)[0] in RESERVED:
        raise NotFoundException(f"No such endpoint: /{relative}")
    if _smuggled(relative):
        raise NotFoundException(f"No such file: /{relative}")
    found = safe_file(settings.static_dir, relative)
    if found is not None:
        return File(found, filename=found.name, content_disposition_type="inline")
    if ".." in relative.split("/") or "." in relative.rsplit("/", 1)[-1]:
        raise NotFoundException(f"No such file: /{relative}")
    return _index(settings.static_dir)


def _smuggled(relative: str) -> bool:
    """``..``, a backslash or a NUL byte once every layer of percent-encoding is removed
    (``%252e%252e`` reaches the app as ``%2e%2e``)."""
    for _ in range(5):
        decoded = unquote(relative)
        if decoded == relative:
            break
        relative = decoded
    return "\\" in relative or "\x00" in relative or ".." in relative.split("/")


def _index(root: Path) -> Response[str] | File:
    index = safe_file(root, "index.html")
    if index is not None:
        return File(index, filename=index.name, content_disposition_type="inline")
    return Response(PLACEHOLDER, media_type="text/html")
