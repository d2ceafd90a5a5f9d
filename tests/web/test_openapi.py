"""The OpenAPI schema lists every route of API-COMPAT.md, and the app keeps to its schema.

Schemathesis reads the schema the app serves at ``/schema/openapi.json`` and sends what it
generates in process (its ASGI client runs the app on its own event loop) to an app on a
seeded database, SQLite and PostgreSQL: no answer may be a 5xx, and every answer (status,
media type, body, headers) must be one the schema documents. Schema-violating requests,
a missing token among them, must be refused with a 4xx. Path parameters of valid cases
hit the seeded rows about half the time.

``ARGUS_SCHEMATHESIS_EXAMPLES`` sets the examples per operation (30 by default, which
keeps this file well under two minutes on two cores).
"""

from __future__ import annotations

import asyncio
import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from litestar import Litestar
from litestar.testing import TestClient
from schemathesis.checks import not_a_server_error
from schemathesis.python import asgi
from schemathesis.python.asgi import ASGIClient
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from argus_adapters.sql.settings import DatabaseSettings
from argus_web.app import create_app
from argus_web.settings import GoogleSettings, Settings
from tests.databases import empty_postgres, sqlite_copy
from tests.web.conftest import ADMIN, Api, web_settings

EXAMPLES = int(os.environ.get("ARGUS_SCHEMATHESIS_EXAMPLES", "30"))
UUID = "00000000-0000-4000-8000-000000000000"

# API-COMPAT.md, plus close/reopen, the RCA stream, liveness/readiness, the demo's local
# sign-in and personal API tokens.
ROUTES: dict[str, set[str]] = {
    "/api/auth/google/url": {"get"},
    "/api/auth/google/callback": {"post"},
    "/api/auth/me": {"get"},
    "/api/auth/dev-login": {"post"},
    "/api/auth/tokens": {"get", "post"},
    "/api/auth/tokens/{token_id}": {"delete"},
    "/api/issues": {"get", "post"},
    "/api/issues/{issue_id}": {"get", "patch"},
    "/api/issues/{issue_id}/resolve": {"post"},
    "/api/issues/{issue_id}/close": {"post"},
    "/api/issues/{issue_id}/reopen": {"post"},
    "/api/issues/{issue_id}/history": {"get"},
    "/api/issues/{issue_id}/rca/stream": {"get"},
    "/api/teams": {"get", "post"},
    "/api/teams/{team_id}": {"get", "patch", "delete"},
    "/api/teams/{team_id}/members": {"get", "post"},
    "/api/members/assignable": {"get"},
    "/api/members/{member_id}": {"get", "patch", "delete"},
    "/api/dashboard/stats": {"get"},
    "/api/dashboard/team-stats": {"get"},
    "/api/dashboard/recent-activity": {"get"},
    "/api/health": {"get"},
    "/api/live": {"get"},
    "/api/ready": {"get"},
}
OPEN = {
    "/api/auth/google/url",
    "/api/auth/google/callback",
    "/api/auth/dev-login",
    "/api/health",
    "/api/live",
    "/api/ready",
}
LIST_PARAMETERS = {
    "status",
    "active",
    "resolved_since",
    "priority",
    "team_id",
    "assigned_to",
    "reported_by_email",
    "mine",
    "search",
    "page",
    "per_page",
    "sort",
}
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
    negative_data_rejection,
]
# Google sign-in configured, for its two routes (503 by design otherwise). Nothing here is
# ever contacted: a callback needs a state signed by the app, which fuzzing cannot forge.
NOWHERE = "http://127.0.0.1:9"
GOOGLE = GoogleSettings(
    client_id="argus-test",
    client_secret="argus-test-secret",
    redirect_uri=f"{NOWHERE}/auth/callback",
    auth_url=f"{NOWHERE}/auth",
    token_url=f"{NOWHERE}/token",
    userinfo_url=f"{NOWHERE}/userinfo",
)


def served_schema() -> dict[str, Any]:
    """What the app serves at ``/schema/openapi.json`` (no database is touched)."""
    settings = Settings(admin_emails=(ADMIN,), static_dir=Path(tempfile.gettempdir()))
    with TestClient(create_app(settings)) as client:
        response = client.get("/schema/openapi.json")
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body


schema = schemathesis.openapi.from_dict(served_schema())
# The admin's session token on the seeded database of the running test.
SESSION: dict[str, str] = {}


@schema.auth(refresh_interval=None)
class AdminToken:
    """Bearer auth as the admin; Schemathesis leaves it off when it tests a missing token."""

    def get(self, case: schemathesis.Case, context: schemathesis.AuthContext) -> str:
        return SESSION["token"]

    def set(self, case: schemathesis.Case, data: str, context: schemathesis.AuthContext) -> None:
        case.headers = {**(case.headers or {}), "Authorization": f"Bearer {data}"}


@dataclass
class Seeded:
    """Clients on two fresh apps over the seeded file (one with Google sign-in configured),
    and the ids of the seeded rows by path parameter name."""

    client: ASGIClient
    google: ASGIClient
    ids: dict[str, str]


@pytest.fixture
def client(tmp_path: Path, sqlite_template: Path) -> Iterator[TestClient[Litestar]]:
    settings = web_settings(sqlite_copy(sqlite_template, tmp_path), tmp_path)
    with TestClient(create_app(settings)) as client:
        yield client


@pytest.fixture(params=["sqlite", "postgres"])
def seeded(
    request: pytest.FixtureRequest,
    tmp_path: Path,
    sqlite_template: Path,
    pg_settings: DatabaseSettings,
) -> Iterator[Seeded]:
    """A database with a team, a member, an issue and an API token, made through the API
    by a first app; the apps under test are fresh ones on the same database."""
    if request.param == "sqlite":
        database = sqlite_copy(sqlite_template, tmp_path)
    else:
        asyncio.run(empty_postgres(pg_settings))
        database = pg_settings
    settings = web_settings(database, tmp_path)
    with TestClient(create_app(settings)) as client:
        signed_in = client.post("/api/auth/dev-login", json={"email": ADMIN})
        assert signed_in.status_code == 200, signed_in.text
        token = signed_in.json()["token"]
        client.headers["Authorization"] = f"Bearer {token}"

        def made(path: str, body: dict[str, Any]) -> str:
            response = client.post(path, json=body)
            assert response.status_code == 201, response.text
            made_id: str = response.json()["id"]
            return made_id

        team_id = made("/api/teams", {"name": "Payments"})
        member_id = made(
            f"/api/teams/{team_id}/members", {"name": "Priya", "email": "priya@example.com"}
        )
        issue_id = made("/api/issues", {"title": "Refunds fail", "team_id": team_id})
        token_id = made("/api/auth/tokens", {"name": "script"})
    SESSION["token"] = token
    ids = {"team_id": team_id, "member_id": member_id, "issue_id": issue_id, "token_id": token_id}
    google_settings = web_settings(settings.database, tmp_path, google=GOOGLE)
    # Schemathesis' own in-process ASGI client: its event loop runs the app, lifespan included.
    with (
        asgi.get_client(create_app(settings)) as app_client,
        asgi.get_client(create_app(google_settings)) as google_client,
    ):
        yield Seeded(client=app_client, google=google_client, ids=ids)
    SESSION.clear()


def test_every_route_is_listed_with_its_methods(client: TestClient[Litestar]) -> None:
    response = client.get("/schema/openapi.json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    listed = {path: set(paths.get(path, {})) - {"parameters"} for path in ROUTES}
    assert listed == ROUTES
    parameters = paths["/api/issues"]["get"]["parameters"]
    assert {p["name"] for p in parameters if p["in"] == "query"} == LIST_PARAMETERS
    parameters = paths["/api/dashboard/recent-activity"]["get"]["parameters"]
    assert [p["name"] for p in parameters] == ["limit"]
    parameters = paths["/api/dashboard/stats"]["get"]["parameters"]
    assert [p["name"] for p in parameters] == ["tz"]


def test_the_schema_documents_problem_details(client: TestClient[Litestar]) -> None:
    paths = client.get("/schema/openapi.json").json()["paths"]
    for path in ROUTES.keys() - {"/api/health", "/api/live", "/api/ready"}:
        for method, operation in paths[path].items():
            responses = operation["responses"]
            assert "400" in responses, (method, path)
            for status in responses.keys() & {"400", "401", "403", "404", "409", "422"}:
                content = responses[status]["content"]
                assert list(content) == ["application/problem+json"], (method, path, status)
            if path not in OPEN:
                assert "401" in responses, (method, path)
                assert operation["security"] == [{"bearer": []}], (method, path)


@pytest.mark.parametrize(
    ("path", "method"), sorted((path, m) for path, methods in ROUTES.items() for m in methods)
)
def test_every_route_answers(client: TestClient[Litestar], path: str, method: str) -> None:
    """Registered: an anonymous call reaches the route (401 where a token is needed),
    never the UI's fallback or a 404/405."""
    url = path.format(issue_id=UUID, team_id=UUID, member_id=UUID, token_id=UUID)
    body = ({"code": "x"} if "callback" in path else {}) if method in ("post", "patch") else None
    response = client.request(method.upper(), url, json=body)
    assert response.status_code not in (404, 405), response.text
    assert "json" in response.headers["content-type"]
    if path not in OPEN:
        assert response.status_code == 401
        assert response.json()["status"] == 401
    elif path.startswith("/api/auth/google"):
        # Google sign-in is not configured here: a clear 503.
        assert response.status_code == 503
        assert "not configured" in response.json()["detail"]
    elif path == "/api/auth/dev-login":
        assert response.status_code == 400
    else:
        assert response.json() == {"status": "ok"}


def test_docs_page(client: TestClient[Litestar]) -> None:
    response = client.get("/schema")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "/schema/openapi.json" in response.text


def test_schema_and_docs_need_no_token(client: TestClient[Litestar]) -> None:
    for path in ("/schema", "/schema/openapi.json", "/api/live", "/api/ready", "/api/health"):
        assert client.get(path).status_code == 200, path


async def test_values_the_database_cannot_store_are_bad_input(api: Api) -> None:
    """Found by fuzzing: these were 500s (an OFFSET or INTEGER overflow, PostgreSQL's
    refusal of NUL characters in text)."""
    huge = 2**70
    response = await api.call("GET", f"/api/issues?page={huge}")
    assert response.status_code == 400, response.text
    for body in (
        {"name": "Ops", "reminder_frequency_minutes": huge},
        {"name": "Ops", "reminder_intervals": {"high": huge}},
    ):
        response = await api.call("POST", "/api/teams", json=body)
        assert response.status_code == 400, response.text
    team = await api.team("Payments")
    response = await api.call(
        "PATCH", f"/api/teams/{team['id']}", json={"reminder_frequency_minutes": huge}
    )
    assert response.status_code == 400, response.text
    # No database stores NUL characters alike: the core refuses them in typed text.
    for method, path, body in (
        ("POST", "/api/issues", {"title": "Refunds\x00fail", "team_id": team["id"]}),
        ("POST", "/api/teams", {"name": "Ops\x00"}),
        ("POST", f"/api/teams/{team['id']}/members", {"name": "Pri\x00ya"}),
    ):
        response = await api.call(method, path, json=body)
        assert response.status_code == 422, response.text
        assert "NUL" in response.json()["detail"]
    response = await api.call("GET", "/api/issues", params={"reported_by_email": "a\x00"})
    assert response.status_code == 422, response.text


@schema.parametrize()
@schema.given(data=st.data())
@settings(
    max_examples=EXAMPLES,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_the_app_keeps_to_its_schema(
    case: schemathesis.Case, data: st.DataObject, seeded: Seeded
) -> None:
    if case.meta is not None and case.meta.generation.mode.is_positive:
        for name in case.path_parameters or {}:
            if name in seeded.ids and data.draw(st.booleans(), label=f"seeded {name}"):
                case.path_parameters[name] = seeded.ids[name]
    # Google's routes answer 503 by design while Google sign-in is not configured.
    google = case.path.startswith("/api/auth/google/")
    case.call_and_validate(session=seeded.google if google else seeded.client, checks=CHECKS)
