"""Who a Slack user is and what a channel is called, cached for a bounded time.

Every report and every button click needs the person behind a Slack user id (name,
email for mapping them to a member, time zone) and often the channel's name. Slack
rate-limits ``users.info`` to about 100 calls a minute, so answers are kept for
``ttl_seconds`` (10 minutes by default) and at most ``max_entries`` of each kind.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Generic, TypeVar

import aiohttp
import msgspec
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from argus_core.domain.errors import Unavailable

K = TypeVar("K")
V = TypeVar("V")


class SlackPerson(msgspec.Struct, frozen=True, kw_only=True):
    """What ``users.info`` says of a user."""

    id: str
    name: str
    email: str | None = None
    tz: str | None = None
    is_bot: bool = False


class TtlCache(Generic[K, V]):
    """A small map whose entries expire after ``ttl`` seconds; the oldest go first when full."""

    def __init__(
        self, ttl: float, max_entries: int, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.ttl = ttl
        self.max_entries = max_entries
        self.clock = clock
        self._entries: OrderedDict[K, tuple[float, V]] = OrderedDict()

    def lookup(self, key: K) -> tuple[V] | None:
        """``(value,)`` while fresh (the value may itself be None), else None."""
        entry = self._entries.get(key)
        if entry is None:
            return None
        stored_at, value = entry
        if self.clock() - stored_at > self.ttl:
            del self._entries[key]
            return None
        return (value,)

    def put(self, key: K, value: V) -> None:
        self._entries[key] = (self.clock(), value)
        self._entries.move_to_end(key)
        while len(self._entries) > self.max_entries:
            self._entries.popitem(last=False)


MISSING_ERRORS = frozenset({"user_not_found", "users_not_found", "channel_not_found"})


class SlackDirectory:
    """Slack users and channels by id, with a bounded cache in front of the Web API."""

    def __init__(
        self, client: AsyncWebClient, *, ttl_seconds: float = 600, max_entries: int = 5000
    ) -> None:
        self.client = client
        self._people: TtlCache[str, SlackPerson | None] = TtlCache(ttl_seconds, max_entries)
        self._channels: TtlCache[str, str | None] = TtlCache(ttl_seconds, max_entries)

    async def person(self, user_id: str) -> SlackPerson | None:
        """The user, or None if Slack knows no such user; ``Unavailable`` if Slack fails."""
        cached = self._people.lookup(user_id)
        if cached is not None:
            return cached[0]
        try:
            answer = await self.client.users_info(user=user_id)
        except SlackApiError as exc:
            data = getattr(exc.response, "data", None)
            if isinstance(data, dict) and data.get("error") in MISSING_ERRORS:
                self._people.put(user_id, None)
                return None
            raise Unavailable(f"Slack users.info failed: {exc}; try again later.") from exc
        except (TimeoutError, aiohttp.ClientError) as exc:
            raise Unavailable("Slack users.info failed: Slack is not reachable.") from exc
        user = answer.data.get("user") if isinstance(answer.data, dict) else None
        person = _person_of(user) if isinstance(user, dict) else None
        self._people.put(user_id, person)
        return person

    async def display_name(self, user_id: str) -> str:
        """The user's name for a message, or the bare id when Slack cannot say."""
        try:
            person = await self.person(user_id)
        except Unavailable:
            return user_id
        return person.name if person else user_id

    async def channel_name(self, channel_id: str) -> str | None:
        """The channel's name, or None when Slack cannot say (never an error)."""
        cached = self._channels.lookup(channel_id)
        if cached is not None:
            return cached[0]
        try:
            answer = await self.client.conversations_info(channel=channel_id)
        except (SlackApiError, TimeoutError, aiohttp.ClientError):
            return None  # not cached: a passing failure should not hide the name for long
        channel = answer.data.get("channel") if isinstance(answer.data, dict) else None
        name = channel.get("name") if isinstance(channel, dict) else None
        name = name if isinstance(name, str) and name else None
        self._channels.put(channel_id, name)
        return name

    async def permalink(self, channel_id: str, message_ts: str) -> str | None:
        """A link to the message, or None when Slack cannot give one (never an error)."""
        try:
            answer = await self.client.chat_getPermalink(channel=channel_id, message_ts=message_ts)
        except (SlackApiError, TimeoutError, aiohttp.ClientError):
            return None
        link = answer.data.get("permalink") if isinstance(answer.data, dict) else None
        return link if isinstance(link, str) and link else None


def _person_of(user: dict[str, object]) -> SlackPerson:
    profile = user.get("profile")
    profile = profile if isinstance(profile, dict) else {}
    name = next(
        (
            str(v)
            for v in (
                profile.get("real_name"),
                user.get("real_name"),
                profile.get("display_name"),
                user.get("name"),
            )
            if isinstance(v, str) and v.strip()
        ),
        str(user.get("id", "")),
    )
    email = profile.get("email")
    tz = user.get("tz")
    return SlackPerson(
        id=str(user.get("id", "")),
        name=name,
        email=email.strip().lower() if isinstance(email, str) and email.strip() else None,
        tz=tz if isinstance(tz, str) else None,
        is_bot=bool(user.get("is_bot")),
    )
