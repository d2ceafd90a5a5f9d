"""Google sign-in: the OAuth 2.0 authorization-code flow with PKCE, over httpx."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import httpx

from argus_core.domain.errors import PermissionDenied, Unavailable
from argus_core.ports import Identity


class GoogleIdentityProvider:
    """Builds the consent URL and trades a code (plus PKCE verifier) for the identity."""

    def __init__(
        self,
        client: httpx.AsyncClient,
        *,
        client_id: str,
        client_secret: str,
        redirect_uri: str,
        auth_url: str,
        token_url: str,
        userinfo_url: str,
    ) -> None:
        self.client = client
        self.client_id = client_id
        self.client_secret = client_secret
        self.redirect_uri = redirect_uri
        self.auth_url = auth_url
        self.token_url = token_url
        self.userinfo_url = userinfo_url

    def authorization_url(self, *, state: str, code_challenge: str) -> str:
        query = urlencode(
            {
                "client_id": self.client_id,
                "redirect_uri": self.redirect_uri,
                "response_type": "code",
                "scope": "openid email profile",
                "state": state,
                "code_challenge": code_challenge,
                "code_challenge_method": "S256",
                "prompt": "select_account",
            }
        )
        return f"{self.auth_url}?{query}"

    async def exchange(self, *, code: str, code_verifier: str) -> Identity:
        try:
            token = await self.client.post(
                self.token_url,
                data={
                    "code": code,
                    "client_id": self.client_id,
                    "client_secret": self.client_secret,
                    "redirect_uri": self.redirect_uri,
                    "grant_type": "authorization_code",
                    "code_verifier": code_verifier,
                },
            )
            if token.status_code >= 500:
                raise Unavailable("Google sign-in is not answering; try again shortly.")
            access = _object(token).get("access_token") if token.status_code == 200 else None
            if not isinstance(access, str) or not access:
                raise PermissionDenied("Google did not accept this sign-in; start again.")
            info = await self.client.get(
                self.userinfo_url, headers={"Authorization": f"Bearer {access}"}
            )
            if info.status_code != 200:
                raise Unavailable("Google did not return who signed in; try again shortly.")
            data = _object(info)
        except (httpx.HTTPError, ValueError) as exc:
            raise Unavailable("Google sign-in is not answering; try again shortly.") from exc
        email = data.get("email")
        if not isinstance(email, str) or "@" not in email:
            raise PermissionDenied("Google returned no email address for this account.")
        name = data.get("name")
        return Identity(
            email=email,
            name=name if isinstance(name, str) else email.split("@")[0],
            # Only a real JSON true counts: the string "false" is not a boolean.
            email_verified=data.get("email_verified") is True,
        )


def _object(response: httpx.Response) -> dict[str, Any]:
    """The JSON object of an answer; ValueError (so 503) for anything else."""
    data = response.json()
    if not isinstance(data, dict):
        raise ValueError("Google's answer is not a JSON object.")
    return data
