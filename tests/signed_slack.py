"""Requests as Slack sends them: signed with the app's signing secret, Events API shapes."""

from __future__ import annotations

import json
import time
from typing import Any

import httpx
from slack_sdk.signature import SignatureVerifier

from tests.fake_slack import BOT_USER_ID, REPORTER_ID, TEAM_ID

SIGNING_SECRET = "argus-test-signing-secret-0123456789"


def signed_headers(
    body: bytes, *, secret: str = SIGNING_SECRET, timestamp: int | None = None
) -> dict[str, str]:
    """The ``X-Slack-*`` headers Slack would send with ``body``."""
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    signature = SignatureVerifier(secret).generate_signature(timestamp=stamp, body=body)
    assert signature is not None
    return {"X-Slack-Request-Timestamp": stamp, "X-Slack-Signature": signature}


def mention(
    event_id: str,
    text: str,
    *,
    channel: str = "C0INCIDENTS",
    ts: str = "1700000000.000100",
    user: str = REPORTER_ID,
    thread_ts: str | None = None,
    **event: Any,
) -> dict[str, Any]:
    """An ``event_callback`` envelope carrying an ``app_mention`` of Argus."""
    body: dict[str, Any] = {
        "type": "app_mention",
        "user": user,
        "text": f"<@{BOT_USER_ID}> {text}",
        "ts": ts,
        "channel": channel,
        "event_ts": ts,
        **event,
    }
    if thread_ts is not None:
        body["thread_ts"] = thread_ts
    return {
        "token": "legacy-verification-token",
        "team_id": TEAM_ID,
        "api_app_id": "A0ARGUS",
        "event": body,
        "type": "event_callback",
        "event_id": event_id,
        "event_time": int(float(ts)),
        "authorizations": [{"team_id": TEAM_ID, "user_id": BOT_USER_ID, "is_bot": True}],
    }


def encoded(envelope: dict[str, Any]) -> bytes:
    return json.dumps(envelope).encode()


async def deliver_event(
    client: httpx.AsyncClient, port: int, envelope: dict[str, Any], retry: int = 0
) -> int:
    """POST a signed envelope to ``/slack/events`` of the server on ``port``, as Slack's
    ``retry``-th retry when above 0; the status code."""
    body = encoded(envelope)
    headers = {"Content-Type": "application/json", **signed_headers(body)}
    if retry:
        headers |= {"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_timeout"}
    url = f"http://127.0.0.1:{port}/slack/events"
    return (await client.post(url, content=body, headers=headers)).status_code
