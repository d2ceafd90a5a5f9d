"""``/slack/*``: Slack's HTTP endpoints, signed by Slack instead of a bearer token.

They answer as soon as the delivery is stored and its job queued, well inside Slack's
three seconds; a repeated delivery (``X-Slack-Retry-Num``) is answered 200 like the first.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs

import msgspec
from dishka.integrations.litestar import FromDishka, inject
from litestar import Request, Response, Router, post
from litestar.exceptions import ValidationException

from argus_web.settings import Settings
from argus_web.slack.inbox import SlackInbox
from argus_web.slack.verify import signed_body


def _ack(body: dict[str, Any] | None) -> Response[Any]:
    if body is None:
        return Response(b"", status_code=200, media_type="text/plain")
    return Response(body, status_code=200)


def _json_object(raw: bytes | str, what: str) -> dict[str, Any]:
    """``raw`` decoded, or a 400 naming ``what`` when it is not one JSON object."""
    try:
        return msgspec.json.decode(raw, type=dict[str, Any])
    except msgspec.DecodeError:  # malformed, or JSON of another shape
        raise ValidationException(f"{what} is not a JSON object.") from None


@post("/events", status_code=200)
@inject
async def slack_events(
    request: Request[Any, Any, Any], settings: FromDishka[Settings], inbox: FromDishka[SlackInbox]
) -> Response[Any]:
    """The Events API: URL verification and ``app_mention``."""
    body = await signed_body(request, settings.slack)
    return _ack(await inbox.event(_json_object(body, "The body")))


@post("/interactions", status_code=200)
@inject
async def slack_interactions(
    request: Request[Any, Any, Any], settings: FromDishka[Settings], inbox: FromDishka[SlackInbox]
) -> Response[Any]:
    """Interactivity: buttons clicked, modals submitted, shortcuts (``payload=<json>``,
    form-encoded). A modal's answer (``response_action``) is the response body."""
    body = await signed_body(request, settings.slack)
    try:
        [raw] = parse_qs(body.decode(), strict_parsing=True)["payload"]
    except (ValueError, KeyError):
        raise ValidationException("The body carries no payload field.") from None
    return _ack(await inbox.interaction(_json_object(raw, "The payload")))


@post("/commands", status_code=200)
@inject
async def slack_commands(
    request: Request[Any, Any, Any], settings: FromDishka[Settings], inbox: FromDishka[SlackInbox]
) -> Response[Any]:
    """Slash commands (``/argus ...``), form-encoded; the answer (an ephemeral message)
    is the response body."""
    body = await signed_body(request, settings.slack)
    try:
        fields = parse_qs(body.decode(), keep_blank_values=True, strict_parsing=bool(body))
    except (ValueError, UnicodeDecodeError):
        raise ValidationException("The body is not form-encoded.") from None
    form = {name: values[0] for name, values in fields.items()}
    if form.get("ssl_check"):  # Slack checking the certificate of the command's URL
        return _ack(None)
    if not form.get("command"):
        raise ValidationException("The body names no command.")
    return _ack(await inbox.command(form))


slack_router = Router(
    path="/slack",
    route_handlers=[slack_events, slack_interactions, slack_commands],
    include_in_schema=False,
)
