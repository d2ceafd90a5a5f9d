"""Slack's Events API envelopes, read into what the core takes in.

:func:`intake_of` decides, from the envelope alone and without any network call, whether
a delivery is something Argus takes in (an ``app_mention`` written by a person, not a bot
and not an edit) and what its job carries. :class:`SlackMentionReader` then, in the job,
turns that into a :class:`~argus_core.usecases.intake.ChatMention`: Argus's own mention
removed, people's mentions resolved to names, the reporter and the channel looked up.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from typing import Any

from argus_adapters.slack.directory import SlackDirectory
from argus_core.domain.issue import Reporter
from argus_core.usecases.intake import ChatMention

MENTION = "mention"
"""``kind`` of the job payload of an ``app_mention``."""

# <@U123>, <@U123|name>, <#C123|name>, <!here>, <!subteam^S1|@ops>, <https://x|label>
_ENTITY = re.compile(r"<([@#!]?)([^>|]*)(?:\|([^>]*))?>")


def intake_of(envelope: Mapping[str, Any]) -> tuple[str, dict[str, Any]] | None:
    """The receipt key and job payload of a delivery Argus takes in, or None to ignore it."""
    if envelope.get("type") != "event_callback":
        return None
    event = envelope.get("event")
    event_id = envelope.get("event_id")
    if not isinstance(event, dict) or not isinstance(event_id, str) or not event_id:
        return None
    if event.get("type") != "app_mention":
        return None
    if event.get("bot_id") or event.get("subtype") or event.get("edited"):
        return None  # Argus's own posts, other bots, edits of an old message
    bot_user_id = _bot_user_id(envelope)
    user = event.get("user")
    if not isinstance(user, str) or not user or user == bot_user_id:
        return None
    if not isinstance(event.get("channel"), str) or not isinstance(event.get("ts"), str):
        return None
    payload = {
        "kind": MENTION,
        "event_id": event_id,
        "team_id": envelope.get("team_id"),
        "bot_user_id": bot_user_id,
        "event": {k: event.get(k) for k in ("type", "user", "text", "channel", "ts", "thread_ts")},
    }
    return f"slack:{event_id}", payload


def _bot_user_id(envelope: Mapping[str, Any]) -> str | None:
    """Argus's own Slack user id, from the envelope's ``authorizations``."""
    authorizations = envelope.get("authorizations")
    if isinstance(authorizations, list):
        for authorization in authorizations:
            if isinstance(authorization, dict) and authorization.get("is_bot"):
                user_id = authorization.get("user_id")
                if isinstance(user_id, str):
                    return user_id
    return None


class SlackMentionReader:
    """Reads a queued mention into a :class:`ChatMention`, asking Slack who and where.

    A Slack failure while looking people up costs only names (ids are kept), never the
    report.
    """

    def __init__(self, directory: SlackDirectory) -> None:
        self.directory = directory

    async def mention(self, payload: Mapping[str, Any]) -> ChatMention:
        event = payload["event"]
        channel, ts = str(event["channel"]), str(event["ts"])
        user = str(event["user"])
        thread_ts = event.get("thread_ts")
        text = await self.plain_text(str(event.get("text") or ""), payload.get("bot_user_id"))
        in_thread = isinstance(thread_ts, str) and thread_ts != ts
        return ChatMention(
            receipt=f"slack:{payload['event_id']}",
            channel_id=channel,
            message_ts=ts,
            thread_ts=str(thread_ts) if isinstance(thread_ts, str) else None,
            text=text,
            reporter=await self.reporter(user),
            # A reply in a thread only gets a hint: no need to look anything up.
            channel_name=None if in_thread else await self.directory.channel_name(channel),
            permalink=None if in_thread else await self.directory.permalink(channel, ts),
        )

    async def reporter(self, user_id: str) -> Reporter:
        """The Slack user as a reporter; the bare id when Slack cannot say more now."""
        try:
            person = await self.directory.person(user_id)
        except Exception:
            person = None
        if person is None:
            return Reporter(slack_user_id=user_id)
        return Reporter(name=person.name, slack_user_id=user_id, email=person.email)

    async def plain_text(self, text: str, bot_user_id: object = None) -> str:
        """Slack's markup as plain text: Argus's mention dropped, the rest made readable.

        Without Argus's user id (an envelope without ``authorizations``), a mention that
        opens the message is taken to be Argus's.
        """
        if bot_user_id is None and (opening := _ENTITY.match(text.lstrip())):
            bot_user_id = opening.group(2) if opening.group(1) == "@" else None
        parts: list[str] = []
        last = 0
        for match in _ENTITY.finditer(text):
            parts.append(text[last : match.start()])
            parts.append(await self._entity(match, bot_user_id))
            last = match.end()
        parts.append(text[last:])
        plain = html.unescape("".join(parts))
        return re.sub(r"[ \t]+", " ", plain).strip()

    async def _entity(self, match: re.Match[str], bot_user_id: object) -> str:
        sigil, target, label = match.group(1), match.group(2), match.group(3)
        if sigil == "@":
            if target == bot_user_id:
                return ""
            return "@" + (label or await self.directory.display_name(target))
        if sigil == "#":
            name = label or await self.directory.channel_name(target)
            return "#" + (name or target)
        if sigil == "!":
            return label or "@" + target.split("^", 1)[0]
        return f"{label} ({target})" if label and label != target else target
