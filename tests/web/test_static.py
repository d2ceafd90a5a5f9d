"""The UI's files at ``/``: index, assets, the SPA fallback, the placeholder page, and
traversal refused however it is spelled.

Traversal paths go to the app as raw ASGI requests, the way uvicorn delivers them
(``raw_path`` as sent, ``path`` percent-decoded once): an HTTP client would normalise
``..`` away before the app ever saw it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pytest

from tests.web.conftest import Api

SECRET = "argus-static-secret-4f1c9b"
UP = "..%2f" * 12


async def raw_get(api: Api, raw_path: str) -> tuple[int, dict[str, str], bytes]:
    """``GET raw_path`` straight into the app: status, headers and body."""
    scope: dict[str, Any] = {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.3"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": unquote(raw_path),
        "raw_path": raw_path.encode(),
        "root_path": "",
        "query_string": b"",
        "headers": [(b"host", b"testserver")],
        "client": ("127.0.0.1", 50000),
        "server": ("testserver", 80),
        "state": {},
    }
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    await api.client.app(scope, receive, send)
    start = sent[0]
    headers = {k.decode().lower(): v.decode() for k, v in start.get("headers", [])}
    body = b"".join(m.get("body", b"") for m in sent[1:])
    return start["status"], headers, body


@pytest.fixture
def secret(api: Api) -> Path:
    """A file beside the static folder: ``..`` from the folder would reach it."""
    path = api.settings.static_dir.parent / "secret.txt"
    path.write_text(SECRET)
    return path


async def test_root_serves_the_index(api: Api) -> None:
    response = await api.client.get("/")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert response.text == "<!doctype html><title>Argus UI</title>"


async def test_assets_are_served_inline(api: Api) -> None:
    response = await api.client.get("/assets/app.js")
    assert response.status_code == 200
    assert response.text == "console.log('argus')"
    assert "javascript" in response.headers["content-type"]
    assert response.headers["content-disposition"].startswith("inline")


@pytest.mark.parametrize("path", ["/issues/123", "/teams", "/settings/tokens/new"])
async def test_client_side_routes_get_the_index(api: Api, path: str) -> None:
    response = await api.client.get(path)
    assert response.status_code == 200
    assert response.text == "<!doctype html><title>Argus UI</title>"
    assert response.headers["content-disposition"].startswith("inline")


@pytest.mark.parametrize("path", ["/missing.js", "/assets/missing.css", "/assets/app.js.map"])
async def test_a_missing_file_is_404(api: Api, path: str) -> None:
    response = await api.client.get(path)
    assert response.status_code == 404
    assert "Argus UI" not in response.text


@pytest.mark.parametrize(
    "path", ["/api/nope", "/api/issues/not-a-uuid/x", "/api/auth/nope", "/api/v2/issues"]
)
async def test_unknown_api_paths_are_404_problems(api: Api, path: str) -> None:
    response = await api.client.get(path)
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["status"] == 404
    assert "Argus UI" not in response.text


@pytest.mark.parametrize(
    "raw_path",
    [
        # A file next to the static folder, which one ".." would reach.
        "/../secret.txt",
        "/assets/../../secret.txt",
        "/..%2fsecret.txt",
        "/%2e%2e/secret.txt",
        "/%2e%2e%2fsecret.txt",
        "/.%2e/secret.txt",
        "/assets/..%2f..%2fsecret.txt",
        "/assets/%2e%2e/%2e%2e/secret.txt",
        "/..%5csecret.txt",
        "/assets%5c..%5c..%5csecret.txt",
        "/..%2fsecret.txt%00",
        "/..%2fsecret.txt%00.html",
        "/%252e%252e/secret.txt",
        "/%252e%252e%252fsecret.txt",
        "/..%255csecret.txt",
        "/%25252e%25252e/secret.txt",
        # The classics, deep enough to reach /.
        f"/{UP}etc%2fpasswd",
        "/" + "%2e%2e/" * 12 + "etc/passwd",
        f"/assets/{UP}etc%2fpasswd",
        "/" + "..%5c" * 12 + "etc%5cpasswd",
        f"/{UP}etc%2fpasswd%00",
        "/" + "%252e%252e/" * 12 + "etc/passwd",
        # A real file of the folder behind a NUL byte.
        "/assets/app.js%00",
        "/index.html%00.png",
    ],
)
async def test_traversal_is_refused(api: Api, secret: Path, raw_path: str) -> None:
    status, headers, body = await raw_get(api, raw_path)
    assert status == 404, body
    assert headers["content-type"].startswith("application/problem+json")
    assert SECRET.encode() not in body
    assert b"root:" not in body
    assert b"console.log" not in body
    assert b"Argus UI" not in body


async def test_raw_requests_reach_the_files(api: Api) -> None:
    """The control for the traversal tests: ``raw_get`` is served like any request."""
    status, headers, body = await raw_get(api, "/assets/app.js")
    assert (status, body) == (200, b"console.log('argus')")
    assert headers["content-disposition"].startswith("inline")
    status, _, body = await raw_get(api, "/assets/%61pp.js")
    assert (status, body) == (200, b"console.log('argus')")


async def test_the_client_cannot_sneak_traversal_in_either(api: Api, secret: Path) -> None:
    """The same paths through the HTTP client (which decodes them once more)."""
    for path in ("/..%2fsecret.txt", "/%252e%252e/secret.txt", "/..%5csecret.txt"):
        response = await api.client.get(path)
        assert response.status_code == 404, path
        assert SECRET not in response.text


async def test_a_file_symlink_out_of_the_folder_is_refused(api: Api, secret: Path) -> None:
    (api.settings.static_dir / "leak.txt").symlink_to(secret)
    (api.settings.static_dir / "assets" / "leak.js").symlink_to(secret)
    for path in ("/leak.txt", "/assets/leak.js"):
        status, _, body = await raw_get(api, path)
        assert status == 404, path
        assert SECRET.encode() not in body


async def test_a_directory_symlink_out_of_the_folder_is_refused(api: Api, secret: Path) -> None:
    outside = secret.parent / "outside"
    outside.mkdir()
    (outside / "data.txt").write_text(SECRET)
    (api.settings.static_dir / "linked").symlink_to(outside, target_is_directory=True)
    (api.settings.static_dir / "up").symlink_to(secret.parent, target_is_directory=True)
    for path in ("/linked/data.txt", "/up/secret.txt", "/up/outside/data.txt"):
        status, _, body = await raw_get(api, path)
        assert status == 404, path
        assert SECRET.encode() not in body


async def test_without_an_index_the_placeholder_page_is_served(api: Api) -> None:
    (api.settings.static_dir / "index.html").unlink()
    for path in ("/", "/issues/123"):
        response = await api.client.get(path)
        assert response.status_code == 200, path
        assert response.headers["content-type"].startswith("text/html")
        assert "The API is running" in response.text
        assert 'href="/schema"' in response.text
    assert (await api.client.get("/assets/app.js")).status_code == 200


async def test_dashboard_files_are_gzipped_and_api_answers_are_not(
    api: Api, static_dir: Path
) -> None:
    (static_dir / "assets" / "big.js").write_text("console.log('argus');\n" * 200)
    gzip = {"Accept-Encoding": "gzip"}

    asset = await api.client.get("/assets/big.js", headers=gzip)
    answer = await api.client.get("/api/health", headers=gzip)

    assert asset.headers.get("content-encoding") == "gzip"
    assert int(asset.headers["content-length"]) < 500
    assert asset.text == "console.log('argus');\n" * 200
    assert "content-encoding" not in answer.headers
