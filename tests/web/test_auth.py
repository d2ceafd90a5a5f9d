"""Sign-in and authentication for real: Google's OAuth flow against a fake Google server
on 127.0.0.1 (PKCE verified end to end), session tokens, roles re-read per request, the
demo's local sign-in and personal API tokens, on SQLite and PostgreSQL."""

from __future__ import annotations

import base64
import json
import warnings
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest
from jwt.warnings import InsecureKeyLengthWarning
from litestar.testing import AsyncTestClient

from argus_adapters.sql.settings import DatabaseSettings
from argus_web.app import create_app
from argus_web.settings import DEV_JWT_SECRET, Settings
from tests.served import free_port
from tests.web.conftest import ADMIN, Api, web_settings
from tests.web.fake_google import CLIENT_ID, CLIENT_SECRET, REDIRECT_URI, FakeGoogle, challenge_of

MARIA = "maria@example.com"
PRIYA = "priya@example.com"
PRODUCTION_SECRET = "a-production-secret-of-our-own-0123456789"
WRONG_SECRET = "a-secret-that-is-not-argus-own-0123456789"
# API-COMPAT.md's User, and Argus's addition: the member ids behind ``roles``.
USER_FIELDS = {"id", "email", "name", "slack_user_id", "is_admin", "roles", "member_ids"}
PROXY_VARS = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy")


@dataclass
class GoogleApi(Api):
    """The conftest's ``Api``, but everyone signs in through the fake Google."""

    google: FakeGoogle = field(kw_only=True)

    async def token(self, email: str) -> str:
        if email not in self.tokens:
            response = await self.sign_in(email)
            assert response.status_code == 200, response.text
            self.tokens[email] = response.json()["token"]
        return self.tokens[email]

    async def google_url(self) -> dict[str, str]:
        response = await self.client.get("/api/auth/google/url")
        assert response.status_code == 200, response.text
        body: dict[str, str] = response.json()
        return body

    async def consent(self, url: str, email: str) -> dict[str, str]:
        """The browser at Google's consent page: the query Google redirects back with."""
        async with httpx.AsyncClient(trust_env=False) as browser:
            response = await browser.get(httpx.URL(url).copy_add_param("login_hint", email))
        assert response.status_code == 302, response.text
        back = httpx.URL(response.headers["location"])
        assert str(back.copy_with(query=None)) == REDIRECT_URI
        return dict(back.params)

    async def callback(self, code: str, state: str | None) -> httpx.Response:
        body = {"code": code} if state is None else {"code": code, "state": state}
        return await self.client.post("/api/auth/google/callback", json=body)

    async def sign_in(self, email: str, **account: Any) -> httpx.Response:
        """The whole flow for a Google account (registered with ``account``)."""
        self.google.account(email, **account)
        back = await self.consent((await self.google_url())["url"], email)
        return await self.callback(back["code"], back["state"])

    async def me(self, token: str) -> httpx.Response:
        return await self.client.get("/api/auth/me", headers={"Authorization": f"Bearer {token}"})


Start = Callable[..., Awaitable[GoogleApi]]


@pytest.fixture(scope="module")
def google_server() -> Iterator[FakeGoogle]:
    with FakeGoogle() as google:
        yield google


@pytest.fixture
def google(google_server: FakeGoogle, monkeypatch: pytest.MonkeyPatch) -> FakeGoogle:
    """The fake Google, emptied; no proxy, so every call goes straight to 127.0.0.1."""
    for var in PROXY_VARS:
        monkeypatch.delenv(var, raising=False)
    google_server.reset()
    return google_server


@pytest.fixture
async def start(
    database: DatabaseSettings, static_dir: Path, google: FakeGoogle
) -> AsyncIterator[Start]:
    """Start Argus with settings (Google sign-in through the fake unless given)."""
    async with AsyncExitStack() as stack:

        async def start(**kw: Any) -> GoogleApi:
            kw.setdefault("google", google.settings())
            settings = web_settings(database, static_dir, **kw)
            client = await stack.enter_async_context(AsyncTestClient(create_app(settings)))
            return GoogleApi(client, settings, google=google)

        yield start


@pytest.fixture
async def argus(start: Start) -> GoogleApi:
    return await start()


def problem(response: httpx.Response, status: int) -> str:
    """The detail of a problem-details answer with ``status``."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["status"] == status
    assert body["detail"]
    return str(body["detail"])


def b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def claims_of(token: str) -> dict[str, Any]:
    payload = token.split(".")[1]
    claims: dict[str, Any] = json.loads(
        base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
    )
    return claims


def forge(secret: str, algorithm: str = "HS256", **claims: Any) -> str:
    """A JWT like Argus's own (a session token unless told); None drops a claim."""
    now = datetime.now(UTC)
    base = {"iss": "argus", "purpose": "session", "iat": now, "exp": now + timedelta(minutes=5)}
    merged = {k: v for k, v in (base | claims).items() if v is not None}
    with warnings.catch_warnings():  # HS512 "recommends" a longer key: irrelevant here
        warnings.simplefilter("ignore", InsecureKeyLengthWarning)
        return jwt.encode(merged, secret, algorithm=algorithm)


def tampered(token: str, **changes: Any) -> str:
    """The token with its payload changed and its signature kept."""
    header, _, signature = token.split(".")
    payload = b64(json.dumps(claims_of(token) | changes).encode())
    return f"{header}.{payload}.{signature}"


def unsigned(token: str, **changes: Any) -> str:
    """The token's claims (changed) under ``alg: none``, with no signature."""
    header = b64(json.dumps({"alg": "none", "typ": "JWT"}).encode())
    return f"{header}.{b64(json.dumps(claims_of(token) | changes).encode())}."


def closed_port_url() -> str:
    """A URL on 127.0.0.1 where nothing listens."""
    return f"http://127.0.0.1:{free_port()}/token"


# --- Google sign-in ---------------------------------------------------------------------


async def test_google_url_carries_state_and_an_s256_challenge(argus: GoogleApi) -> None:
    first = await argus.google_url()
    url = httpx.URL(first["url"])
    assert str(url.copy_with(query=None)) == argus.google.settings().auth_url
    q = url.params
    assert q["client_id"] == CLIENT_ID
    assert q["redirect_uri"] == REDIRECT_URI
    assert q["response_type"] == "code"
    assert "email" in q["scope"].split()
    assert q["state"] == first["state"]
    assert q["code_challenge_method"] == "S256"
    assert len(q["code_challenge"]) == 43  # base64url of a SHA-256, no padding
    second = httpx.URL((await argus.google_url())["url"]).params
    assert second["state"] != q["state"]
    assert second["code_challenge"] != q["code_challenge"]
    assert argus.google.token_requests == []


async def test_sign_in_through_google_with_pkce_verified_end_to_end(argus: GoogleApi) -> None:
    argus.google.account(MARIA, name="Maria Lopez")
    start = await argus.google_url()
    challenge = httpx.URL(start["url"]).params["code_challenge"]
    back = await argus.consent(start["url"], MARIA)
    assert back["state"] == start["state"]

    response = await argus.callback(back["code"], back["state"])

    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) == {"token", "user"}
    user = body["user"]
    assert set(user) == USER_FIELDS
    assert user["email"] == MARIA
    assert user["name"] == "Maria Lopez"
    assert user["slack_user_id"] is None
    assert user["is_admin"] is False
    assert user["roles"] == {}
    (sent,) = argus.google.token_requests
    assert sent["code"] == back["code"]
    assert sent["client_id"] == CLIENT_ID
    assert sent["client_secret"] == CLIENT_SECRET
    assert sent["redirect_uri"] == REDIRECT_URI
    assert sent["grant_type"] == "authorization_code"
    assert challenge_of(sent["code_verifier"]) == challenge
    assert 43 <= len(sent["code_verifier"]) <= 128  # RFC 7636
    assert argus.google.refusals == []
    me = await argus.me(body["token"])
    assert me.status_code == 200, me.text
    assert me.json() == user


async def test_signing_in_again_keeps_the_user_and_takes_the_new_name(argus: GoogleApi) -> None:
    first = (await argus.sign_in(MARIA, name="Maria")).json()["user"]
    again = (await argus.sign_in(MARIA, name="Maria Lopez")).json()["user"]
    assert again["id"] == first["id"]
    assert again["name"] == "Maria Lopez"


async def test_admin_emails_make_admins(argus: GoogleApi) -> None:
    admin = await argus.sign_in(ADMIN)
    assert admin.status_code == 200, admin.text
    assert admin.json()["user"]["is_admin"] is True
    assert (await argus.me(admin.json()["token"])).json()["is_admin"] is True
    assert (await argus.sign_in(MARIA)).json()["user"]["is_admin"] is False


async def test_a_code_only_works_with_the_state_it_was_issued_for(argus: GoogleApi) -> None:
    """Another valid state derives another verifier: Google refuses the PKCE check."""
    argus.google.account(MARIA)
    mine = await argus.google_url()
    other = await argus.google_url()
    back = await argus.consent(mine["url"], MARIA)

    response = await argus.callback(back["code"], other["state"])

    assert "Google did not accept" in problem(response, 403)
    assert argus.google.refusals == ["invalid_grant: PKCE verifier does not match"]


async def test_a_code_is_used_once(argus: GoogleApi) -> None:
    argus.google.account(MARIA)
    back = await argus.consent((await argus.google_url())["url"], MARIA)
    assert (await argus.callback(back["code"], back["state"])).status_code == 200
    problem(await argus.callback(back["code"], back["state"]), 403)
    assert argus.google.refusals == ["invalid_grant: unknown or used code"]


async def test_a_state_that_is_missing_stale_or_not_ours_is_refused(argus: GoogleApi) -> None:
    argus.google.account(MARIA)
    back = await argus.consent((await argus.google_url())["url"], MARIA)
    secret = argus.settings.jwt_secret
    long_ago = datetime.now(UTC) - timedelta(hours=1)
    session = await argus.token(PRIYA)
    argus.google.token_requests.clear()
    bad_states: dict[str, str | None] = {
        "missing": None,
        "empty": "",
        "garbage": "not-a-state",
        "another secret's": forge(WRONG_SECRET, purpose="oauth_state", nonce="n"),
        "tampered": tampered(back["state"], nonce="chosen-by-an-attacker"),
        "unsigned": unsigned(back["state"]),
        "expired": forge(
            secret,
            purpose="oauth_state",
            nonce="n",
            iat=long_ago,
            exp=long_ago + timedelta(minutes=10),
        ),
        "a session token": session,
    }
    for case, state in bad_states.items():
        response = await argus.callback(back["code"], state)
        assert response.status_code == 400, f"{case}: {response.status_code} {response.text}"
        assert "state" in problem(response, 400), case
    assert argus.google.token_requests == []  # Google is never asked with a bad state
    assert (await argus.callback(back["code"], back["state"])).status_code == 200


@pytest.mark.parametrize("email_verified", [False, "true", "false", 1, None, ...])
async def test_an_unverified_google_email_is_refused(argus: GoogleApi, email_verified: Any) -> None:
    response = await argus.sign_in(MARIA, email_verified=email_verified)
    assert "not verified" in problem(response, 403)


async def test_allowed_email_domain_is_enforced(start: Start) -> None:
    argus = await start(allowed_email_domain="example.com")
    assert (await argus.sign_in(MARIA)).status_code == 200
    assert (await argus.sign_in("Tom@Example.COM")).json()["user"]["email"] == "tom@example.com"
    for email in (
        "eve@evil-example.com",
        "eve@example.com.evil.io",
        "eve@notexample.com",
        "eve@example.co",
        "eve@gmail.com",
    ):
        detail = problem(await argus.sign_in(email), 403)
        assert detail == "Only example.com accounts may sign in.", email


ERROR = {"error": "server_error"}


@pytest.mark.parametrize(
    ("endpoint", "google_status", "google_body", "status"),
    [
        ("token", 400, {"error": "invalid_grant"}, 403),
        ("token", 401, {"error": "invalid_client"}, 403),
        ("token", 200, {"token_type": "Bearer"}, 403),  # no access token
        ("token", 500, ERROR, 503),
        ("token", 503, ERROR, 503),
        ("token", 200, ["not", "an", "object"], 503),
        ("userinfo", 500, ERROR, 503),
        ("userinfo", 401, {"error": "invalid_token"}, 503),
        ("token", 200, "<html>not JSON</html>", 503),
        ("userinfo", 200, [MARIA], 503),
        ("userinfo", 200, {"name": "No Email"}, 403),
    ],
)
async def test_google_failures_are_403_or_503_never_500(
    argus: GoogleApi, endpoint: str, google_status: int, google_body: Any, status: int
) -> None:
    argus.google.fail[endpoint] = (google_status, google_body)
    problem(await argus.sign_in(MARIA), status)


async def test_an_unreachable_google_is_503(start: Start, google: FakeGoogle) -> None:
    argus = await start(google=google.settings(token_url=closed_port_url()))
    assert "not answering" in problem(await argus.sign_in(MARIA), 503)


# --- Session tokens ---------------------------------------------------------------------


async def test_only_good_session_tokens_authenticate(argus: GoogleApi) -> None:
    good = await argus.token(PRIYA)
    secret = argus.settings.jwt_secret
    sub = claims_of(good)["sub"]
    long_ago = datetime.now(UTC) - timedelta(hours=2)
    assert (await argus.me(good)).json()["email"] == PRIYA
    control = forge(secret, sub=sub, email=PRIYA)  # the forger makes good tokens...
    assert (await argus.me(control)).status_code == 200
    bad_tokens = {  # ...so each of these fails for its one reason
        "expired": forge(secret, sub=sub, email=PRIYA, iat=long_ago, exp=long_ago),
        "tampered": tampered(good, email=ADMIN),
        "alg none": unsigned(good, email=ADMIN),
        "wrong secret": forge(WRONG_SECRET, sub=sub, email=PRIYA),
        "HS512": forge(secret, "HS512", sub=sub, email=PRIYA),
        "another issuer": forge(secret, sub=sub, email=PRIYA, iss="someone-else"),
        "no expiry": forge(secret, sub=sub, email=PRIYA, exp=None),
        "sign-in state": (await argus.google_url())["state"],
        "garbage": "not-a-token",
        "unknown API token": "argus_pat_" + "x" * 43,
    }
    for case, token in bad_tokens.items():
        response = await argus.me(token)
        assert response.status_code == 401, f"{case}: {response.status_code} {response.text}"
        problem(response, 401)
    for headers in ({}, {"Authorization": f"Basic {good}"}, {"Authorization": "Bearer "}):
        problem(await argus.client.get("/api/auth/me", headers=headers), 401)
    # ?token= is only for the SSE streams (tokens in URLs end up in logs)
    problem(await argus.client.get("/api/auth/me", params={"token": good}), 401)
    assert (await argus.me(good)).status_code == 200


async def test_roles_are_read_again_on_every_request(argus: GoogleApi) -> None:
    team = await argus.team("Payments", agents=(PRIYA,))
    (member,) = (await argus.ok("GET", f"/api/teams/{team['id']}"))["members"]
    token = await argus.token(PRIYA)
    assert (await argus.me(token)).json()["roles"] == {team["id"]: "agent"}

    await argus.ok("PATCH", f"/api/members/{member['id']}", json={"role": "manager"})
    assert (await argus.me(token)).json()["roles"] == {team["id"]: "manager"}

    await argus.ok("PATCH", f"/api/members/{member['id']}", json={"is_active": False})
    me = (await argus.me(token)).json()
    assert me["roles"] == {}
    assert me["is_admin"] is False


# --- Configuration: Google off, local sign-in, production --------------------------------


async def test_google_routes_answer_503_when_google_is_not_configured(start: Start) -> None:
    argus = await start(google=None)
    detail = problem(await argus.client.get("/api/auth/google/url"), 503)
    assert "GOOGLE_CLIENT_ID" in detail
    response = await argus.client.post(
        "/api/auth/google/callback", json={"code": "c", "state": "s"}
    )
    assert "not configured" in problem(response, 503)


async def test_local_sign_in_only_in_the_embedded_default(start: Start) -> None:
    async def dev_login(argus: GoogleApi) -> httpx.Response:
        return await argus.client.post("/api/auth/dev-login", json={"email": MARIA})

    embedded = await dev_login(await start(google=None))
    assert embedded.status_code == 200, embedded.text
    assert set(embedded.json()["user"]) == USER_FIELDS
    problem(await dev_login(await start()), 404)  # Google is configured
    production = {"env": "production", "jwt_secret": PRODUCTION_SECRET}
    problem(await dev_login(await start(google=None, **production)), 404)
    problem(await dev_login(await start(**production)), 404)


async def test_production_signs_with_its_own_secret(start: Start) -> None:
    argus = await start(env="production", jwt_secret=PRODUCTION_SECRET)
    good = await argus.token(MARIA)
    assert (await argus.me(good)).status_code == 200
    with_dev_secret = forge(DEV_JWT_SECRET, sub=claims_of(good)["sub"], email=MARIA)
    problem(await argus.me(with_dev_secret), 401)


def test_production_refuses_to_start_with_the_default_secret() -> None:
    with pytest.raises(ValueError, match="JWT_SECRET"):
        Settings(env="production")
    with pytest.raises(ValueError, match="JWT_SECRET"):
        Settings.from_env({"ARGUS_ENV": "production"})
    assert Settings.from_env({"ARGUS_ENV": "production", "JWT_SECRET": PRODUCTION_SECRET})


# --- Personal API tokens ----------------------------------------------------------------


async def test_personal_api_token_is_shown_once_works_and_can_be_revoked(
    argus: GoogleApi,
) -> None:
    created = await argus.ok("POST", "/api/auth/tokens", PRIYA, json={"name": "ci"})
    secret = created["token"]
    assert secret.startswith("argus_pat_")
    assert created["name"] == "ci"
    assert created["revoked_at"] is None

    listed = await argus.call("GET", "/api/auth/tokens", PRIYA)
    assert [t["id"] for t in listed.json()] == [created["id"]]
    assert "token" not in listed.json()[0]
    assert secret not in listed.text
    assert listed.json()[0]["last_used_at"] is None

    me = await argus.me(secret)
    assert me.status_code == 200, me.text
    assert me.json()["email"] == PRIYA
    (used,) = await argus.ok("GET", "/api/auth/tokens", PRIYA)
    assert used["last_used_at"] is not None

    revoked = await argus.call("DELETE", f"/api/auth/tokens/{created['id']}", PRIYA)
    assert revoked.status_code == 204, revoked.text
    problem(await argus.me(secret), 401)
    (listed_after,) = await argus.ok("GET", "/api/auth/tokens", PRIYA)
    assert listed_after["revoked_at"] is not None


async def test_only_the_owner_revokes_a_token(argus: GoogleApi) -> None:
    created = await argus.ok("POST", "/api/auth/tokens", PRIYA, json={"name": "ci"})
    path = f"/api/auth/tokens/{created['id']}"
    for someone_else in (MARIA, ADMIN):
        problem(await argus.call("DELETE", path, someone_else), 404)
    assert await argus.ok("GET", "/api/auth/tokens", MARIA) == []
    assert (await argus.me(created["token"])).status_code == 200
    problem(await argus.call("DELETE", "/api/auth/tokens/" + "0" * 32, PRIYA), 404)
