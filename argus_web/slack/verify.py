"""Slack's request signatures: every ``/slack/*`` request must carry a valid one.

Slack signs ``v0:<timestamp>:<body>`` with the app's signing secret (HMAC-SHA256).
slack-sdk's :class:`SignatureVerifier` does the constant-time comparison and refuses
timestamps more than five minutes away (a replayed request); this module adds the
answers a caller can act on: 503 when Slack is not configured, 401 for a bad signature.
"""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.exceptions import NotAuthorizedException
from slack_sdk.signature import Clock, SignatureVerifier

from argus_core.domain.errors import Unavailable
from argus_web.settings import SlackSettings

NOT_CONFIGURED = (
    "Slack is not configured here: set SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET "
    "(or use Socket Mode with SLACK_APP_TOKEN)."
)


class _At(Clock):
    def __init__(self, now: float) -> None:
        self._now = now

    def now(self) -> float:
        return self._now


def is_signed(
    secret: str,
    body: bytes,
    timestamp: str | None,
    signature: str | None,
    *,
    now: float | None = None,
) -> bool:
    """Whether ``body`` carries Slack's signature for ``secret``, made within five
    minutes of ``now`` (the current time unless given)."""
    if not timestamp or not timestamp.isdigit() or not signature:
        return False
    verifier = SignatureVerifier(secret) if now is None else SignatureVerifier(secret, _At(now))
    try:
        return verifier.is_valid(body, timestamp, signature)
    except (ValueError, UnicodeDecodeError):
        return False


async def signed_body(request: Request[Any, Any, Any], slack: SlackSettings | None) -> bytes:
    """The request's body once its signature checks out."""
    if slack is None or not slack.signing_secret:
        raise Unavailable(NOT_CONFIGURED)
    body = await request.body()
    headers = request.headers
    if not is_signed(
        slack.signing_secret,
        body,
        headers.get("x-slack-request-timestamp"),
        headers.get("x-slack-signature"),
    ):
        raise NotAuthorizedException("This request does not carry a valid Slack signature.")
    return body
