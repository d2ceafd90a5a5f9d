"""The ``ChatNotifier`` port on slack-sdk's ``AsyncWebClient``, posting once per key.

Every message Argus posts carries Slack message metadata: ``event_type`` is
:data:`NOTIFICATION_EVENT_TYPE` and ``event_payload.idempotency_key`` the caller's key.
Before posting, the notifier reads the thread (or the DM channel) back and returns the
earlier message's ``ts`` if one with the key is there, so a retried job, even in a new
process after a crash, does not post twice. Every Slack failure (an ``ok: false`` answer
such as ``channel_not_found``, or the network) becomes :class:`Unavailable`, which the
job queue retries.

Rate limits (see :mod:`argus_adapters.slack.pacing`): posts are paced per channel
(``posts_per_second``), and a ``429`` is waited out in-process (``Retry-After``, a few
times, at most 10 s each) while the channel's slot is held, so the next post of a thread
cannot overtake it; past that the call fails with :class:`Unavailable` too.
"""

from __future__ import annotations

import asyncio
import contextlib
import weakref
from collections.abc import Iterator, Mapping
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.web.async_slack_response import AsyncSlackResponse

from argus_adapters.slack.blocks import card_message
from argus_adapters.slack.pacing import ChannelPacer, with_rate_limit_retry
from argus_core.domain.errors import Unavailable
from argus_core.domain.values import Status
from argus_core.notifications import IssueCard

NOTIFICATION_EVENT_TYPE = "argus_notification"
"""``metadata.event_type`` of every message Argus posts; the payload holds the key."""

STATUS_EMOJI: Mapping[Status, str] = {
    Status.OPEN: "eyes",
    Status.IN_PROGRESS: "hammer_and_wrench",
    Status.RESOLVED: "white_check_mark",
    Status.CLOSED: "lock",
}

THREAD_PAGE_SIZE = 200
DM_HISTORY_SIZE = 100  # a retry follows its first try closely: the latest page suffices


class SlackChatNotifier:
    """Posts in issue threads, sends DMs and shows an issue's status as a reaction."""

    def __init__(self, client: AsyncWebClient, *, posts_per_second: float = 1.0) -> None:
        """``client``'s retry handlers gain a bounded rate-limit retry if they have none."""
        self.client = client
        client.retry_handlers = with_rate_limit_retry(list(client.retry_handlers))
        self.pacer = ChannelPacer(posts_per_second)
        # One lock per key: concurrent calls in this process post once, not twice.
        self._locks: weakref.WeakValueDictionary[str, asyncio.Lock] = weakref.WeakValueDictionary()

    async def post_in_thread(
        self, channel_id: str, thread_ts: str, text: str, *, idempotency_key: str
    ) -> str:
        async with self._lock(idempotency_key):
            earlier = await self._find_in_thread(channel_id, thread_ts, idempotency_key)
            if earlier is not None:
                return earlier
            return await self._post(channel_id, text, idempotency_key, thread_ts=thread_ts)

    async def send_direct_message(self, user_id: str, text: str, *, idempotency_key: str) -> None:
        async with self._lock(idempotency_key):
            with _slack("conversations.open"):
                opened = await self.client.conversations_open(users=user_id)
            channel = _data(opened, "conversations.open").get("channel")
            channel_id = channel.get("id") if isinstance(channel, dict) else None
            if not isinstance(channel_id, str) or not channel_id:
                raise Unavailable("Slack conversations.open returned no channel id.")
            with _slack("conversations.history"):
                history = await self.client.conversations_history(
                    channel=channel_id, include_all_metadata=True, limit=DM_HISTORY_SIZE
                )
            if _keyed(_data(history, "conversations.history"), idempotency_key) is None:
                await self._post(channel_id, text, idempotency_key)

    async def show_status(self, channel_id: str, message_ts: str, status: Status) -> None:
        for other, emoji in STATUS_EMOJI.items():
            if other is not status:
                with _slack("reactions.remove", ignore="no_reaction"):
                    await self.client.reactions_remove(
                        channel=channel_id, timestamp=message_ts, name=emoji
                    )
        with _slack("reactions.add", ignore="already_reacted"):
            await self.client.reactions_add(
                channel=channel_id, timestamp=message_ts, name=STATUS_EMOJI[status]
            )

    async def show_card(
        self, channel_id: str, thread_ts: str, card: IssueCard, *, key: str, create: bool = True
    ) -> str | None:
        """Post the card once, then ``chat.update`` it; its metadata carries ``key`` and
        the card's ``revision``, so an older card (a late job) leaves a newer one alone."""
        content = card_message(card)
        async with self._lock(key):
            earlier = await self._find_message(channel_id, thread_ts, key)
            if earlier is None:
                if not create:
                    return None
                return await self._post(
                    channel_id,
                    content["text"],
                    key,
                    thread_ts=thread_ts,
                    revision=card.revision,
                    blocks=content["blocks"],
                    attachments=content["attachments"],
                )
            ts = str(earlier["ts"])
            shown = earlier["metadata"]["event_payload"].get("revision")
            if isinstance(shown, int) and shown > card.revision:
                return ts
            with _slack("chat.update"):
                await self.client.chat_update(
                    channel=channel_id,
                    ts=ts,
                    metadata=_metadata(key, card.revision),
                    **content,
                )
            return ts

    async def _find_in_thread(self, channel_id: str, thread_ts: str, key: str) -> str | None:
        """The ts of the thread's message carrying ``key``, reading every page."""
        found = await self._find_message(channel_id, thread_ts, key)
        return None if found is None else str(found["ts"])

    async def _find_message(
        self, channel_id: str, thread_ts: str, key: str
    ) -> dict[str, Any] | None:
        """The thread's message carrying ``key`` (with its metadata), reading every page."""
        cursor: str | None = None
        while True:
            with _slack("conversations.replies"):
                page = await self.client.conversations_replies(
                    channel=channel_id,
                    ts=thread_ts,
                    include_all_metadata=True,
                    limit=THREAD_PAGE_SIZE,
                    cursor=cursor,
                )
            data = _data(page, "conversations.replies")
            found = _keyed_message(data, key)
            if found is not None:
                return found
            meta = data.get("response_metadata")
            cursor = meta.get("next_cursor") if isinstance(meta, dict) else None
            if not isinstance(cursor, str) or not cursor:
                return None

    async def _post(
        self,
        channel_id: str,
        text: str,
        key: str,
        *,
        thread_ts: str | None = None,
        revision: int | None = None,
        blocks: list[dict[str, Any]] | None = None,
        attachments: list[dict[str, Any]] | None = None,
    ) -> str:
        with _slack("chat.postMessage"):
            async with self.pacer.slot(channel_id):
                posted = await self.client.chat_postMessage(
                    channel=channel_id,
                    thread_ts=thread_ts,
                    text=text,
                    blocks=blocks,
                    attachments=attachments,
                    metadata=_metadata(key, revision),
                )
        ts = _data(posted, "chat.postMessage").get("ts")
        if not isinstance(ts, str) or not ts:
            raise Unavailable("Slack chat.postMessage returned no message ts.")
        return ts

    def _lock(self, key: str) -> asyncio.Lock:
        lock = self._locks.get(key)
        if lock is None:
            lock = self._locks[key] = asyncio.Lock()
        return lock


@contextlib.contextmanager
def _slack(method: str, *, ignore: str | None = None) -> Iterator[None]:
    """Turn a failed Slack call into :class:`Unavailable`; the ``ignore`` error passes."""
    try:
        yield
    except SlackApiError as exc:
        error, status = _error_of(exc)
        if error == ignore:
            return
        raise Unavailable(
            f"Slack {method} failed: {error} (HTTP {status}); try again later."
        ) from exc
    except (TimeoutError, aiohttp.ClientError) as exc:
        raise Unavailable(
            f"Slack {method} failed: Slack is not reachable ({type(exc).__name__}); "
            "try again later."
        ) from exc


def _error_of(exc: SlackApiError) -> tuple[str, object]:
    """Slack's error code (``ratelimited``, ...) and the HTTP status of a failed call."""
    response = exc.response
    # An AsyncSlackResponse has .data and .status_code; an unreadable body leaves the raw
    # aiohttp response, with .status.
    status = getattr(response, "status_code", None) or getattr(response, "status", "?")
    data = getattr(response, "data", None)
    error = data.get("error") if isinstance(data, dict) else None
    return (error if isinstance(error, str) and error else "unexpected_response"), status


def _data(response: AsyncSlackResponse, method: str) -> dict[str, Any]:
    data = response.data
    if not isinstance(data, dict):
        raise Unavailable(f"Slack {method} answered something other than a JSON object.")
    return data


def _metadata(key: str, revision: int | None = None) -> dict[str, Any]:
    """The metadata of a message Argus posts: its key, and a card's revision."""
    payload: dict[str, Any] = {"idempotency_key": key}
    if revision is not None:
        payload["revision"] = revision
    return {"event_type": NOTIFICATION_EVENT_TYPE, "event_payload": payload}


def _keyed(data: Mapping[str, Any], key: str) -> str | None:
    """The ts of the first message in ``data["messages"]`` that Argus posted with ``key``."""
    found = _keyed_message(data, key)
    return None if found is None else str(found["ts"])


def _keyed_message(data: Mapping[str, Any], key: str) -> dict[str, Any] | None:
    """The first message in ``data["messages"]`` that Argus posted with ``key``."""
    messages = data.get("messages")
    for message in messages if isinstance(messages, list) else ():
        if not isinstance(message, dict):
            continue
        metadata = message.get("metadata")
        if not isinstance(metadata, dict) or metadata.get("event_type") != NOTIFICATION_EVENT_TYPE:
            continue
        payload = metadata.get("event_payload")
        ts = message.get("ts")
        if isinstance(payload, dict) and payload.get("idempotency_key") == key and ts:
            return message
    return None
