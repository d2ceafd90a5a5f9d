"""The "Track with Argus" message shortcut: any message becomes an issue, once.

The delivery is received like a mention (a receipt keyed by the message's channel and
ts, and an ``intake`` job that opens the issue), so using the shortcut twice on one
message, or on a message whose thread already tracks an issue, makes no second issue:
the person is told, ephemerally, which issue tracks it.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

import aiohttp
from slack_sdk.errors import SlackApiError

from argus_adapters.slack.blocks import escape
from argus_adapters.slack.reports import TRACK_SHORTCUT, tracked_message
from argus_web.slack.inbox import Answer, Payload, ShortcutHandler, SlackInbox

log = logging.getLogger(__name__)

TRACKING = "Argus is on it: the issue's card will appear in this message's thread shortly."


async def track_message(inbox: SlackInbox, payload: Payload) -> Answer:
    """Receive the message as a report, or say which issue already tracks it."""
    tracked = tracked_message(payload)
    if tracked is None:
        return None
    issue = await inbox.intake.receive_tracked(
        tracked.receipt,
        tracked.payload,
        channel_id=tracked.channel_id,
        thread_ts=tracked.thread_ts,
    )
    text = TRACKING
    if issue is not None:
        link = f"{inbox.intake.public_url}/issues/{issue.id}"
        text = (
            f"This is already tracked as <{link}|#{issue.number}> {escape(issue.title)} "
            f"({issue.status.value.replace('_', ' ')})."
        )
    if inbox.client is not None:
        # In the channel for a top-level message; in the thread for a reply in one.
        in_thread = tracked.thread_ts != tracked.payload["message_ts"]
        try:
            await inbox.client.chat_postEphemeral(
                channel=tracked.channel_id,
                user=tracked.user_id,
                text=text,
                thread_ts=tracked.thread_ts if in_thread else None,
            )
        except (SlackApiError, TimeoutError, aiohttp.ClientError):
            log.warning("could not answer %s in Slack", tracked.user_id, exc_info=True)
    return None


SHORTCUTS: Mapping[str, ShortcutHandler] = {TRACK_SHORTCUT: track_message}
