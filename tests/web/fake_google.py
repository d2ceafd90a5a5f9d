"""A fake Google OAuth server, served for real on 127.0.0.1 by uvicorn in a thread.

Three endpoints, as Argus uses them:

- ``GET /auth``: the consent page; it signs in the account named by ``login_hint`` at
  once and redirects to the redirect URI with a one-time ``code`` and the ``state``,
  remembering the URL's ``code_challenge`` with the code.
- ``POST /token``: checks the client, the redirect URI and the code (single use), and
  that ``sha256(code_verifier)`` (base64url, no padding) is the code's challenge (PKCE).
- ``GET /userinfo``: the account of a Bearer access token.

``fail`` makes an endpoint answer a given ``(status, JSON body)`` instead; ``refusals``
records why the token endpoint said no.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from litestar import Litestar, Request, Response, get, post

from argus_web.settings import GoogleSettings
from tests.served import ServedApp

CLIENT_ID = "argus-test.apps.googleusercontent.com"
CLIENT_SECRET = "argus-test-client-secret"
REDIRECT_URI = "http://127.0.0.1:8000/auth/callback"


def challenge_of(verifier: str) -> str:
    """The S256 PKCE challenge of a verifier."""
    digest = hashlib.sha256(verifier.encode()).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


@dataclass
class Grant:
    """A code handed out by the consent page."""

    challenge: str
    redirect_uri: str
    account: dict[str, Any]


def _json(body: dict[str, Any], status: int = 200) -> Response[dict[str, Any]]:
    return Response(body, status_code=status)


class FakeGoogle:
    """The fake server; use as a context manager (started on enter, stopped on exit)."""

    def __init__(self) -> None:
        self.base_url = ""
        self.reset()
        self.app = Litestar(self._routes(), debug=False)
        self._served = ServedApp(self.app, "fake Google")

    def reset(self) -> None:
        self.accounts: dict[str, dict[str, Any]] = {}
        self.grants: dict[str, Grant] = {}
        self.access: dict[str, dict[str, Any]] = {}
        self.token_requests: list[dict[str, str]] = []
        self.refusals: list[str] = []
        self.fail: dict[str, tuple[int, Any]] = {}  # "token" / "userinfo" -> answer

    def account(self, email: str, name: str | None = None, email_verified: Any = True) -> None:
        """Register (or replace) the Google account for ``email``; ``email_verified`` is
        sent as given (``...`` leaves it out)."""
        info: dict[str, Any] = {
            "sub": hashlib.sha256(email.encode()).hexdigest()[:21],
            "email": email,
        }
        if email_verified is not ...:
            info["email_verified"] = email_verified
        info["name"] = name or email.split("@")[0].title()
        self.accounts[email] = info

    def settings(self, **overrides: str) -> GoogleSettings:
        """Argus's Google settings pointing here."""
        urls = {
            "auth_url": f"{self.base_url}/auth",
            "token_url": f"{self.base_url}/token",
            "userinfo_url": f"{self.base_url}/userinfo",
        }
        return GoogleSettings(
            client_id=CLIENT_ID,
            client_secret=CLIENT_SECRET,
            redirect_uri=REDIRECT_URI,
            **(urls | overrides),
        )

    def _routes(self) -> list[Any]:
        @get("/auth")
        async def consent(request: Request[Any, Any, Any]) -> Response[Any]:
            q = request.query_params
            account = self.accounts.get(q.get("login_hint", ""))
            if (
                q.get("client_id") != CLIENT_ID
                or q.get("redirect_uri") != REDIRECT_URI
                or q.get("response_type") != "code"
                or q.get("code_challenge_method") != "S256"
                or not q.get("code_challenge")
                or not q.get("state")
                or account is None
            ):
                return _json({"error": "invalid_request"}, 400)
            code = secrets.token_urlsafe(16)
            self.grants[code] = Grant(q["code_challenge"], q["redirect_uri"], account)
            back = urlencode({"code": code, "state": q["state"]})
            return Response(b"", status_code=302, headers={"location": f"{REDIRECT_URI}?{back}"})

        @post("/token")
        async def token(request: Request[Any, Any, Any]) -> Response[Any]:
            form = {k: str(v) for k, v in (await request.form()).items()}
            self.token_requests.append(form)
            if "token" in self.fail:
                return Response(self.fail["token"][1], status_code=self.fail["token"][0])
            if form.get("client_id") != CLIENT_ID or form.get("client_secret") != CLIENT_SECRET:
                return self._refuse("invalid_client", 401)
            if form.get("grant_type") != "authorization_code":
                return self._refuse("unsupported_grant_type")
            grant = self.grants.pop(form.get("code", ""), None)  # single use
            if grant is None:
                return self._refuse("invalid_grant: unknown or used code")
            if form.get("redirect_uri") != grant.redirect_uri:
                return self._refuse("invalid_grant: redirect_uri mismatch")
            if challenge_of(form.get("code_verifier", "")) != grant.challenge:
                return self._refuse("invalid_grant: PKCE verifier does not match")
            access = secrets.token_urlsafe(24)
            self.access[access] = grant.account
            return _json({"access_token": access, "token_type": "Bearer", "expires_in": 3599})

        @get("/userinfo")
        async def userinfo(request: Request[Any, Any, Any]) -> Response[Any]:
            if "userinfo" in self.fail:
                return Response(self.fail["userinfo"][1], status_code=self.fail["userinfo"][0])
            scheme, _, access = request.headers.get("authorization", "").partition(" ")
            account = self.access.get(access) if scheme == "Bearer" else None
            if account is None:
                return _json({"error": "invalid_token"}, 401)
            return _json(account)

        return [consent, token, userinfo]

    def _refuse(self, reason: str, status: int = 400) -> Response[Any]:
        self.refusals.append(reason)
        return _json({"error": reason.split(":")[0]}, status)

    def __enter__(self) -> FakeGoogle:
        self.base_url = self._served.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._served.stop()
