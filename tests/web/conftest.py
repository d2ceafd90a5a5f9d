"""The web app on a real database (SQLite and PostgreSQL), driven over ASGI.

``api`` is an :class:`Api`: an async HTTP client on the app plus helpers to sign in as
the demo's kinds of people and to build teams through the API itself.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from argus_adapters.sql.settings import DatabaseSettings
from argus_web.app import create_app
from argus_web.settings import Settings
from tests.databases import empty_postgres, sqlite_copy

ADMIN = "admin@example.com"


@dataclass
class Api:
    """A client on the app with sign-in helpers; tokens are cached per email."""

    client: AsyncTestClient[Litestar]
    settings: Settings
    tokens: dict[str, str] = field(default_factory=dict)

    async def token(self, email: str) -> str:
        if email not in self.tokens:
            response = await self.client.post("/api/auth/dev-login", json={"email": email})
            assert response.status_code == 200, response.text
            self.tokens[email] = response.json()["token"]
        return self.tokens[email]

    async def headers(self, email: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {await self.token(email)}"}

    async def call(
        self, method: str, path: str, email: str | None = ADMIN, **kw: Any
    ) -> httpx.Response:
        """One request, signed in as ``email`` (None: anonymous)."""
        headers = await self.headers(email) if email else {}
        return await self.client.request(method, path, headers=headers, **kw)

    async def ok(self, method: str, path: str, email: str | None = ADMIN, **kw: Any) -> Any:
        """A request that must succeed; returns the JSON body (None for 204)."""
        response = await self.call(method, path, email, **kw)
        assert response.status_code < 300, (
            f"{method} {path}: {response.status_code} {response.text}"
        )
        return None if response.status_code == 204 else response.json()

    async def team(
        self, name: str, manager: str | None = None, agents: tuple[str, ...] = ()
    ) -> dict[str, Any]:
        """A team with a manager and agents (emails), created by the admin."""
        team = await self.ok("POST", "/api/teams", json={"name": name})
        for email in ((manager,) if manager else ()) + agents:
            role = "manager" if email == manager else "agent"
            await self.ok(
                "POST",
                f"/api/teams/{team['id']}/members",
                json={"name": email.split("@")[0], "email": email, "role": role},
            )
        return team


def web_settings(database: DatabaseSettings, static_dir: Path, **kw: Any) -> Settings:
    return Settings(database=database, admin_emails=(ADMIN,), static_dir=static_dir, **kw)


@pytest.fixture(params=["sqlite", "postgres"])
async def database(
    request: pytest.FixtureRequest,
    tmp_path: Path,
    sqlite_template: Path,
    pg_settings: DatabaseSettings,
) -> DatabaseSettings:
    """An empty, migrated database of each kind."""
    if request.param == "sqlite":
        return sqlite_copy(sqlite_template, tmp_path)
    await empty_postgres(pg_settings)
    return pg_settings


@pytest.fixture
def static_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "static"
    folder.mkdir()
    (folder / "index.html").write_text("<!doctype html><title>Argus UI</title>")
    (folder / "assets").mkdir()
    (folder / "assets" / "app.js").write_text("console.log('argus')")
    return folder


@pytest.fixture
async def api(database: DatabaseSettings, static_dir: Path) -> AsyncIterator[Api]:
    settings = web_settings(database, static_dir)
    async with AsyncTestClient(create_app(settings)) as client:
        yield Api(client, settings)


@pytest.fixture
async def world(api: Api) -> Any:
    """Two teams and six kinds of people, for the role tests (tests/web/roles_world.py)."""
    from tests.web.roles_world import build_world  # imports this module: load it late

    return await build_world(api)
