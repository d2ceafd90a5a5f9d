"""Reports made with ``/argus report`` and messages tracked with the "Track with Argus"
shortcut, read from Slack's payloads into what the core takes in.

Both are taken in like a mention: the web endpoint records a receipt and queues an
``intake`` job (see :class:`~argus_core.usecases.intake.IntakeService`) whose payload
is built here from Slack's payload alone, and in the job :class:`SlackReportReader`
turns it into a :class:`~argus_core.usecases.intake.ChatReport`:

- **the modal** (:func:`report_view`, read back by :func:`submitted_report`): its receipt
  is keyed by the view's id. The job posts a top-level message in the channel the
  command came from (or, where Argus cannot post, in a DM to the reporter), which
  becomes the issue's thread. The post carries its key in Slack message metadata and is
  looked for before posting, so a retried job posts it once.
- **the shortcut** (:func:`tracked_message`): its receipt is keyed by the message
  (channel and ts), so using it twice on one message makes one issue. The message's text
  and author are the report and its reporter; who used the shortcut is noted.
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Mapping
from typing import Any

import aiohttp
import msgspec
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from argus_adapters.slack.blocks import escape
from argus_adapters.slack.events import SlackMentionReader
from argus_adapters.slack.notifier import NOTIFICATION_EVENT_TYPE
from argus_core.domain.errors import Unavailable
from argus_core.domain.issue import Reporter
from argus_core.domain.team import Team
from argus_core.domain.values import MAX_DESCRIPTION_LENGTH, MAX_TITLE_LENGTH, Priority
from argus_core.usecases.intake import ChatReport

log = logging.getLogger(__name__)

REPORT = "report"
"""``kind`` of the job payload of a submitted ``/argus report`` modal."""
SHORTCUT = "shortcut"
"""``kind`` of the job payload of a message tracked with the shortcut."""

REPORT_VIEW = "argus_report"
"""``callback_id`` of the ``/argus report`` modal."""
TRACK_SHORTCUT = "track_with_argus"
"""``callback_id`` of the "Track with Argus" message shortcut (in the app manifest)."""

TITLE, DESCRIPTION, PRIORITY, TEAM = "title", "description", "priority", "team"
MAX_OPTIONS = 100  # Slack's limit for one select menu
MAX_LABEL = 75  # an option's text
HISTORY_SIZE = 100  # a retried job follows its first try closely: the latest page suffices
# Where Argus cannot post in the channel, the report's thread opens in a DM instead.
CANNOT_POST = frozenset(
    {"not_in_channel", "channel_not_found", "is_archived", "restricted_action", "access_denied"}
)


class Submitted(msgspec.Struct, frozen=True, kw_only=True):
    """A submitted report modal: the delivery's receipt and the job's payload, or the
    errors to show under the modal's blocks."""

    receipt: str = ""
    payload: dict[str, Any] = msgspec.field(default_factory=dict)
    errors: dict[str, str] = msgspec.field(default_factory=dict)


class TrackedMessage(msgspec.Struct, frozen=True, kw_only=True):
    """A message someone asked Argus to track: receipt, job payload, and where it is."""

    receipt: str
    payload: dict[str, Any]
    channel_id: str
    thread_ts: str
    user_id: str


# ---------------------------------------------------------------------- the modal


def report_view(teams: list[Team], channel_id: str, title: str = "") -> dict[str, Any]:
    """The ``/argus report`` modal: title, description, priority and team (the last two
    left to triage when not picked). ``channel_id`` is where the command was used."""
    title_input: dict[str, Any] = {
        "type": "plain_text_input",
        "action_id": TITLE,
        "max_length": MAX_TITLE_LENGTH,
        "placeholder": _plain("Payments API timing out for merchant X"),
    }
    if title.strip():
        title_input["initial_value"] = title.strip()[:MAX_TITLE_LENGTH]
    blocks: list[dict[str, Any]] = [
        {"type": "input", "block_id": TITLE, "label": _plain("Title"), "element": title_input},
        {
            "type": "input",
            "block_id": DESCRIPTION,
            "optional": True,
            "label": _plain("Description"),
            "element": {
                "type": "plain_text_input",
                "action_id": DESCRIPTION,
                "multiline": True,
                "max_length": 3000,  # Slack's limit for a text input
                "placeholder": _plain("What happens, since when, who is affected"),
            },
        },
        _select(PRIORITY, "Priority", [(p.value.title(), p.value) for p in Priority]),
    ]
    if teams:
        options = [(team.name, str(team.id)) for team in sorted(teams, key=lambda t: t.name)]
        blocks.append(_select(TEAM, "Team", options[:MAX_OPTIONS]))
    return {
        "type": "modal",
        "callback_id": REPORT_VIEW,
        "private_metadata": json.dumps({"channel_id": channel_id}),
        "title": _plain("Report an issue"),
        "submit": _plain("Report"),
        "close": _plain("Cancel"),
        "blocks": blocks,
    }


def submitted_report(payload: Mapping[str, Any]) -> Submitted | None:
    """A ``view_submission`` of the report modal read into its receipt and job payload
    (or errors to show); None if the payload is not readable at all."""
    view = _mapping(payload.get("view"))
    user_id = _mapping(payload.get("user")).get("id")
    view_id = view.get("id")
    if not isinstance(user_id, str) or not isinstance(view_id, str) or not view_id:
        return None
    try:
        metadata = json.loads(str(view.get("private_metadata") or "{}"))
    except ValueError:
        metadata = {}
    channel_id = metadata.get("channel_id") if isinstance(metadata, dict) else None
    title = " ".join((_value(view, TITLE) or "").split())
    description = _value(view, DESCRIPTION) or ""
    errors: dict[str, str] = {}
    if not title:
        errors[TITLE] = "Say in a few words what is wrong."
    if len(description) > MAX_DESCRIPTION_LENGTH:
        errors[DESCRIPTION] = f"Keep it under {MAX_DESCRIPTION_LENGTH} characters."
    priority = _selected(view, PRIORITY)
    if priority is not None and priority not in {p.value for p in Priority}:
        errors[PRIORITY] = "Pick one of the priorities offered."
    team_id = _selected(view, TEAM)
    if team_id is not None:
        try:
            team_id = str(uuid.UUID(team_id))
        except ValueError:
            errors[TEAM] = "Pick one of the teams offered."
    if errors:
        return Submitted(errors=errors)
    receipt = f"slack:view:{view_id}"
    return Submitted(
        receipt=receipt,
        payload={
            "kind": REPORT,
            "receipt": receipt,
            "user_id": user_id,
            "channel_id": channel_id if isinstance(channel_id, str) and channel_id else None,
            "title": title,
            "description": description,
            "priority": priority,
            "team_id": team_id,
        },
    )


# ---------------------------------------------------------------------- the shortcut


def tracked_message(payload: Mapping[str, Any]) -> TrackedMessage | None:
    """A ``message_action`` payload read into its receipt and job payload; None if it
    names no message."""
    message = _mapping(payload.get("message"))
    channel_id = _text(_mapping(payload.get("channel")).get("id"))
    user_id = _text(_mapping(payload.get("user")).get("id"))
    ts = _text(message.get("ts") or payload.get("message_ts"))
    if channel_id is None or user_id is None or ts is None:
        return None
    thread_ts = message.get("thread_ts")
    thread_ts = thread_ts if isinstance(thread_ts, str) and thread_ts else ts
    author = message.get("user")
    bot = _mapping(message.get("bot_profile")).get("name") or message.get("username")
    receipt = f"slack:message:{channel_id}:{ts}"
    return TrackedMessage(
        receipt=receipt,
        channel_id=channel_id,
        thread_ts=thread_ts,
        user_id=user_id,
        payload={
            "kind": SHORTCUT,
            "receipt": receipt,
            "channel_id": channel_id,
            "message_ts": ts,
            "thread_ts": thread_ts,
            "text": str(message.get("text") or ""),
            "author_id": author if isinstance(author, str) and author else None,
            "author_name": str(bot) if bot else None,
            "user_id": user_id,
        },
    )


# ---------------------------------------------------------------------- in the job


class SlackReportReader:
    """Reads queued reports and tracked messages into :class:`ChatReport`; a report's
    thread is opened here (its top-level post, made once)."""

    def __init__(self, client: AsyncWebClient, mentions: SlackMentionReader) -> None:
        self.client = client
        self.mentions = mentions
        self.directory = mentions.directory

    async def report(self, payload: Mapping[str, Any]) -> ChatReport:
        """A ``/argus report`` modal's report, its thread posted (once) first."""
        user_id = str(payload["user_id"])
        receipt = str(payload["receipt"])
        title = str(payload["title"])
        text = f":mega: *{escape(title)}*\nReported by <@{user_id}> with `/argus report`."
        channel_id, ts = await self._open_thread(
            payload.get("channel_id"), user_id, text, key=f"intake:{receipt}:post"
        )
        priority, team_id = payload.get("priority"), payload.get("team_id")
        return ChatReport(
            receipt=receipt,
            channel_id=channel_id,
            message_ts=ts,
            thread_ts=ts,
            title=title,
            description=str(payload.get("description") or ""),
            priority=Priority(priority) if priority else None,
            team_id=uuid.UUID(str(team_id)) if team_id else None,
            reporter=await self.mentions.reporter(user_id),
            channel_name=await self.directory.channel_name(channel_id),
            permalink=await self.directory.permalink(channel_id, ts),
        )

    async def tracked(self, payload: Mapping[str, Any]) -> ChatReport:
        """A message tracked with the shortcut: its words, its author as the reporter,
        and who asked noted in the description."""
        channel_id, ts = str(payload["channel_id"]), str(payload["message_ts"])
        author_id = payload.get("author_id")
        if isinstance(author_id, str):
            reporter = await self.mentions.reporter(author_id)
        else:
            reporter = Reporter(name=str(payload.get("author_name") or "") or None)
        tracker = await self.directory.display_name(str(payload["user_id"]))
        # No mention is Argus's to drop here: the message was written to people.
        text = await self.mentions.plain_text(str(payload.get("text") or ""), bot_user_id="")
        who = reporter.name or reporter.slack_user_id or "someone"
        title = text.splitlines()[0] if text else f"Message from {who} in Slack"
        note = f"Tracked with Argus by {tracker}."
        return ChatReport(
            receipt=str(payload["receipt"]),
            channel_id=channel_id,
            message_ts=ts,
            thread_ts=str(payload.get("thread_ts") or ts),
            title=title[:MAX_TITLE_LENGTH],
            description=f"{text}\n\n{note}" if text else note,
            reporter=reporter,
            reported_by=tracker,
            channel_name=await self.directory.channel_name(channel_id),
            permalink=await self.directory.permalink(channel_id, ts),
        )

    async def _open_thread(
        self, channel_id: object, user_id: str, text: str, *, key: str
    ) -> tuple[str, str]:
        """Post ``text`` at the top of the channel (or of a DM with ``user_id`` where
        Argus cannot post there) unless a post with ``key`` is there; (channel, ts)."""
        if isinstance(channel_id, str) and channel_id:
            try:
                return channel_id, await self._post_once(channel_id, text, key)
            except SlackApiError as exc:
                error = _error_of(exc)
                if error not in CANNOT_POST:
                    raise Unavailable(f"Slack refused the report's post: {error}.") from exc
                log.info("cannot post in %s (%s); the report opens in a DM", channel_id, error)
        dm = await self._dm_channel(user_id)
        try:
            return dm, await self._post_once(dm, text, key)
        except SlackApiError as exc:
            raise Unavailable(f"Slack refused the report's post: {_error_of(exc)}.") from exc

    async def _post_once(self, channel_id: str, text: str, key: str) -> str:
        try:
            history = await self.client.conversations_history(
                channel=channel_id, include_all_metadata=True, limit=HISTORY_SIZE
            )
            for message in _messages(history.data):
                if _key_of(message) == key and isinstance(message.get("ts"), str):
                    return str(message["ts"])
            posted = await self.client.chat_postMessage(
                channel=channel_id,
                text=text,
                metadata={
                    "event_type": NOTIFICATION_EVENT_TYPE,
                    "event_payload": {"idempotency_key": key},
                },
            )
        except (TimeoutError, aiohttp.ClientError) as exc:
            raise Unavailable("Slack is not reachable; the report is posted later.") from exc
        ts = posted.data.get("ts") if isinstance(posted.data, dict) else None
        if not isinstance(ts, str) or not ts:
            raise Unavailable("Slack chat.postMessage returned no message ts.")
        return ts

    async def _dm_channel(self, user_id: str) -> str:
        try:
            opened = await self.client.conversations_open(users=user_id)
        except SlackApiError as exc:
            raise Unavailable(f"Slack conversations.open failed: {_error_of(exc)}.") from exc
        except (TimeoutError, aiohttp.ClientError) as exc:
            raise Unavailable("Slack is not reachable; the report is posted later.") from exc
        channel = opened.data.get("channel") if isinstance(opened.data, dict) else None
        channel_id = channel.get("id") if isinstance(channel, dict) else None
        if not isinstance(channel_id, str) or not channel_id:
            raise Unavailable("Slack conversations.open returned no channel id.")
        return channel_id


def _messages(data: object) -> list[dict[str, Any]]:
    messages = data.get("messages") if isinstance(data, dict) else None
    return [m for m in messages if isinstance(m, dict)] if isinstance(messages, list) else []


def _key_of(message: Mapping[str, Any]) -> str | None:
    metadata = _mapping(message.get("metadata"))
    if metadata.get("event_type") != NOTIFICATION_EVENT_TYPE:
        return None
    key = _mapping(metadata.get("event_payload")).get("idempotency_key")
    return key if isinstance(key, str) else None


def _error_of(exc: SlackApiError) -> str:
    data = getattr(exc.response, "data", None)
    error = data.get("error") if isinstance(data, dict) else None
    return error if isinstance(error, str) and error else "unexpected_response"


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def _mapping(value: object) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _state(view: Mapping[str, Any]) -> Mapping[str, Any]:
    return _mapping(_mapping(view.get("state")).get("values"))


def _value(view: Mapping[str, Any], block: str) -> str | None:
    value = _mapping(_mapping(_state(view).get(block)).get(block)).get("value")
    return value.strip() or None if isinstance(value, str) else None


def _selected(view: Mapping[str, Any], block: str) -> str | None:
    element = _mapping(_mapping(_state(view).get(block)).get(block))
    value = _mapping(element.get("selected_option")).get("value")
    return str(value) if value else None


def _select(block: str, label: str, options: list[tuple[str, str]]) -> dict[str, Any]:
    return {
        "type": "input",
        "block_id": block,
        "optional": True,
        "label": _plain(label),
        "hint": _plain("Leave it to Argus's triage if unsure."),
        "element": {
            "type": "static_select",
            "action_id": block,
            "placeholder": _plain("Let Argus decide"),
            "options": [{"text": _plain(text), "value": value} for text, value in options],
        },
    }


def _plain(text: str) -> dict[str, Any]:
    short = text if len(text) <= MAX_LABEL else text[: MAX_LABEL - 1] + "…"
    return {"type": "plain_text", "text": short, "emoji": True}
