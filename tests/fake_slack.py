"""A fake Slack Web API, served for real on 127.0.0.1 by uvicorn in a thread.

Point ``AsyncWebClient(token="xoxb-test", base_url=fake.base_url)`` at it (or a worker
subprocess: it is a real HTTP server). Every method checks ``Authorization: Bearer
<token>`` (``not_authed`` / ``invalid_auth`` otherwise; ``apps.connections.open`` takes
only ``app_token``, the others only the bot token) and reads its arguments from the
query string and a JSON or form-encoded body alike, as slack-sdk sends both.

Methods: ``auth.test``, ``chat.postMessage``, ``chat.update``, ``chat.postEphemeral``,
``chat.getPermalink``, ``conversations.replies``, ``conversations.history``,
``conversations.open``, ``conversations.info``, ``users.info``, ``views.open``,
``views.update``, ``apps.connections.open`` and ``reactions.add`` / ``reactions.remove``.
Users come from :meth:`FakeSlack.add_user` (unknown ids answer ``user_not_found``);
channels are named after their id unless :meth:`FakeSlack.add_channel` names them;
``apps.connections.open`` answers ``socket_url`` (set it to a test's websocket server).

Messages get increasing unique ``ts`` like Slack's; ``metadata`` is
returned by the read methods only with ``include_all_metadata``; reads page with
``limit`` and ``response_metadata.next_cursor``. Unlike Slack, a thread or a message
that was never posted is not an error (an empty thread, a reaction on any ts), so tests
need not seed a parent; :meth:`FakeSlack.add_message` seeds one when wanted.

Knobs: ``post_delay`` (seconds ``chat.postMessage`` waits before storing, without
blocking other requests), ``failures`` (channel id -> the Slack error code
``chat.postMessage`` answers there), ``lookup_delay`` (seconds ``users.info`` waits),
``ratelimit_next`` (that many next posts answer HTTP 429, ``ratelimited``, with
``Retry-After: <retry_after>``; ``retry_after`` is 1 s unless set),
``ratelimit_until`` (every post answers that 429 until this ``time.monotonic()``), and
an outage: :meth:`~FakeSlack.go_down` makes every method answer HTTP 500
(``fatal_error``) for some seconds or until :meth:`~FakeSlack.come_back`. Each message
records ``at``, the ``time.monotonic()`` the fake stored it. Records (thread-safe):
``posts``, :meth:`~FakeSlack.keys`, :meth:`~FakeSlack.messages_in`, :meth:`~FakeSlack.reactions_on`,
``calls`` (every request's method and arguments); :meth:`~FakeSlack.wait_for_posts`.
"""

from __future__ import annotations

import asyncio
import base64
import json
import threading
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from litestar import Litestar, Request, Response, route
from litestar.enums import HttpMethod
from litestar.params import FromPath

from tests.served import ServedApp

BOT_USER_ID = "U0ARGUSBOT"
BOT_ID = "B0ARGUSBOT"
REPORTER_ID = "U0REPORTER"
TEAM_ID = "T0ARGUS"

Answer = Response[dict[str, Any]]


@dataclass
class FakeMessage:
    """A message as the fake stores it."""

    channel: str
    ts: str
    text: str
    user: str
    thread_ts: str | None = None
    blocks: list[Any] | None = None
    metadata: dict[str, Any] | None = None
    at: float = field(default_factory=time.monotonic)
    """When the fake stored it (``time.monotonic()``): tests measure post spacing."""

    @property
    def idempotency_key(self) -> str | None:
        """``metadata.event_payload.idempotency_key``, if there is one."""
        payload = (self.metadata or {}).get("event_payload")
        key = payload.get("idempotency_key") if isinstance(payload, dict) else None
        return key if isinstance(key, str) else None

    def as_slack(self, *, with_metadata: bool, reply_count: int = 0) -> dict[str, Any]:
        """The message as Slack's read methods return it."""
        out: dict[str, Any] = {"type": "message", "ts": self.ts, "text": self.text}
        out["user"] = self.user
        if self.user == BOT_USER_ID:
            out["bot_id"] = BOT_ID
        if self.thread_ts is not None:
            out["thread_ts"] = self.thread_ts
        elif reply_count:
            out |= {"thread_ts": self.ts, "reply_count": reply_count}
        if self.blocks is not None:
            out["blocks"] = self.blocks
        if with_metadata and self.metadata is not None:
            out["metadata"] = self.metadata
        return out


def _answer(body: dict[str, Any], status: int = 200, **headers: str) -> Answer:
    return Response(body, status_code=status, headers=headers or None)


def _ok(**fields: Any) -> Answer:
    return _answer({"ok": True, **fields})


def _error(code: str, status: int = 200) -> Answer:
    return _answer({"ok": False, "error": code}, status)


def _flag(value: Any) -> bool:
    return value is True or value == 1 or str(value).lower() in ("1", "true")


def _maybe_json(value: Any) -> Any:
    """A form-encoded ``metadata`` or ``blocks`` arrives as a JSON string."""
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


async def _arguments(request: Request[Any, Any, Any]) -> dict[str, Any]:
    """The query string merged with a JSON or form-encoded body (the body wins)."""
    args: dict[str, Any] = dict(request.query_params.items())
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type == "multipart/form-data":
        args |= {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
        return args
    raw = await request.body()
    if not raw:
        return args
    if content_type == "application/json":
        body = json.loads(raw)
        if isinstance(body, dict):
            args |= body
    else:
        args |= dict(parse_qsl(raw.decode(), keep_blank_values=True))
    return args


def _page(items: list[dict[str, Any]], args: dict[str, Any], default_limit: int) -> Answer | None:
    """One page of ``items`` as Slack pages them, or None for a bad cursor."""
    try:
        limit = max(1, min(int(args.get("limit") or default_limit), 1000))
        cursor = str(args.get("cursor") or "")
        start = int(base64.b64decode(cursor).decode().removeprefix("next:")) if cursor else 0
    except ValueError:
        return None
    end = start + limit
    more = end < len(items)
    next_cursor = base64.b64encode(f"next:{end}".encode()).decode() if more else ""
    return _ok(
        messages=items[start:end],
        has_more=more,
        response_metadata={"next_cursor": next_cursor},
    )


class FakeSlack:
    """The fake server; use as a context manager (started on enter, stopped on exit)."""

    def __init__(self, token: str = "xoxb-test", app_token: str = "xapp-test") -> None:
        self.token = token
        self.app_token = app_token
        """The app-level token: the only one ``apps.connections.open`` takes, as Slack's."""
        self._url = ""
        self._lock = threading.Lock()
        self._clock = int(time.time()) * 1_000_000  # microseconds of the last ts
        self.reset()
        self.app = Litestar([self._route()], debug=False)
        self._served = ServedApp(self.app, "fake Slack")

    def reset(self) -> None:
        """Forget every message, reaction and call, and clear the knobs."""
        with self._lock:
            self.messages: list[FakeMessage] = []  # every message, oldest first
            self.posts: list[FakeMessage] = []  # the ones chat.postMessage stored
            self.reactions: dict[tuple[str, str], set[str]] = {}
            self.opened: set[str] = set()
            self.calls: list[tuple[str, dict[str, Any]]] = []
            self.post_delay = 0.0
            self.failures: dict[str, str] = {}
            self.ratelimit_next = 0
            self.ratelimit_until = 0.0
            self.retry_after = 1
            self.outage_until = 0.0
            self.limited: list[tuple[str, float]] = []  # (channel, when) of each 429
            self.users: dict[str, dict[str, Any]] = {}
            self.channel_names: dict[str, str] = {}
            self.ephemerals: list[dict[str, Any]] = []
            self.views: list[dict[str, Any]] = []
            self.updates: list[dict[str, Any]] = []
            self.socket_url = ""
            self.lookup_delay = 0.0

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:PORT/api/``, what ``AsyncWebClient(base_url=...)`` needs."""
        if not self._url:
            raise RuntimeError("The fake Slack server is not running.")
        return self._url

    # ---------------------------------------------------------------- test helpers

    def add_message(
        self, channel: str, text: str, *, user: str = REPORTER_ID, thread_ts: str | None = None
    ) -> str:
        """Seed a message (say, the report a thread hangs off); returns its ts."""
        with self._lock:
            message = FakeMessage(channel, self._next_ts(), text, user, thread_ts)
            self.messages.append(message)
            return message.ts

    def add_user(
        self,
        user_id: str,
        name: str,
        *,
        email: str | None = None,
        tz: str = "Europe/London",
        is_bot: bool = False,
    ) -> None:
        """Make ``users.info`` know a person (or a bot)."""
        profile: dict[str, Any] = {"real_name": name, "display_name": name.split()[0]}
        if email is not None:
            profile["email"] = email
        with self._lock:
            self.users[user_id] = {
                "id": user_id,
                "name": name.lower().replace(" ", "."),
                "real_name": name,
                "tz": tz,
                "is_bot": is_bot,
                "profile": profile,
            }

    def add_channel(self, channel_id: str, name: str) -> None:
        """Name a channel for ``conversations.info``."""
        with self._lock:
            self.channel_names[channel_id] = name

    def calls_to(self, method: str) -> list[dict[str, Any]]:
        """The arguments of every call of ``method``, in order."""
        with self._lock:
            return [args for name, args in self.calls if name == method]

    def go_down(self, seconds: float | None = None) -> None:
        """Answer every method with HTTP 500 for ``seconds`` (None: until
        :meth:`come_back`)."""
        with self._lock:
            self.outage_until = float("inf") if seconds is None else time.monotonic() + seconds

    def come_back(self) -> None:
        """End an outage."""
        with self._lock:
            self.outage_until = 0.0

    def keys(self) -> list[str]:
        """The idempotency keys of the posted messages, in posting order."""
        with self._lock:
            return [m.idempotency_key for m in self.posts if m.idempotency_key is not None]

    def messages_in(self, channel: str, thread_ts: str | None = None) -> list[FakeMessage]:
        """Every message in ``channel``, or in one thread of it (parent first)."""
        with self._lock:
            return [
                m
                for m in self.messages
                if m.channel == channel and (thread_ts is None or thread_ts in (m.ts, m.thread_ts))
            ]

    def reactions_on(self, channel: str, ts: str) -> set[str]:
        """The reaction names on a message."""
        with self._lock:
            return set(self.reactions.get((channel, ts), ()))

    def wait_for_posts(self, n: int, timeout: float = 5.0) -> list[FakeMessage]:
        """Block until at least ``n`` posts exist (for a poster in another thread or
        process); AssertionError with the count on timeout."""
        deadline = time.monotonic() + timeout
        while (count := len(self.posts)) < n:
            if time.monotonic() > deadline:
                raise AssertionError(f"Expected {n} Slack posts within {timeout}s, got {count}.")
            time.sleep(0.02)
        with self._lock:
            return list(self.posts)

    # ---------------------------------------------------------------- the Web API

    def _next_ts(self) -> str:
        self._clock += 100
        return f"{self._clock // 1_000_000}.{self._clock % 1_000_000:06d}"

    def _route(self) -> Any:
        methods: dict[str, Callable[[dict[str, Any]], Awaitable[Answer]]] = {
            "auth.test": self._auth_test,
            "apps.connections.open": self._connections_open,
            "chat.postMessage": self._post_message,
            "chat.update": self._update,
            "chat.postEphemeral": self._post_ephemeral,
            "chat.getPermalink": self._permalink,
            "conversations.info": self._channel_info,
            "users.info": self._user_info,
            "views.open": self._view_open,
            "views.update": self._view_update,
            "conversations.replies": self._replies,
            "conversations.history": self._history,
            "conversations.open": self._open,
            "reactions.add": self._react,
            "reactions.remove": self._unreact,
        }

        @route("/api/{api_method:str}", http_method=[HttpMethod.GET, HttpMethod.POST])
        async def api(api_method: FromPath[str], request: Request[Any, Any, Any]) -> Answer:
            args = await _arguments(request)
            scheme, _, token = request.headers.get("authorization", "").partition(" ")
            token = token if scheme.lower() == "bearer" else ""
            token = token or str(args.pop("token", ""))
            with self._lock:
                self.calls.append((api_method, dict(args)))
            if not token:
                return _error("not_authed")
            if token not in (self.token, self.app_token):
                return _error("invalid_auth")
            if (token == self.app_token) != (api_method == "apps.connections.open"):
                return _error("not_allowed_token_type")
            if time.monotonic() < self.outage_until:
                return _error("fatal_error", 500)
            method = methods.get(api_method)
            if method is None:
                return _error("unknown_method", 404)
            return await method(args)

        return api

    async def _auth_test(self, _: dict[str, Any]) -> Answer:
        return _ok(
            url="https://argus-test.slack.com/",
            team="Argus Test",
            user="argus",
            team_id=TEAM_ID,
            user_id=BOT_USER_ID,
            bot_id=BOT_ID,
        )

    async def _post_message(self, args: dict[str, Any]) -> Answer:
        channel = str(args.get("channel") or "")
        with self._lock:
            limited = self.ratelimit_next > 0 or time.monotonic() < self.ratelimit_until
            if self.ratelimit_next > 0:
                self.ratelimit_next -= 1
            if limited:
                self.limited.append((channel, time.monotonic()))
                return _answer(
                    {"ok": False, "error": "ratelimited"},
                    429,
                    **{"Retry-After": str(self.retry_after)},
                )
        if not channel:
            return _error("channel_not_found")
        if channel in self.failures:
            return _error(self.failures[channel])
        text = str(args.get("text") or "")
        blocks = _maybe_json(args.get("blocks"))
        metadata = _maybe_json(args.get("metadata"))
        if not text and not blocks:
            return _error("no_text")
        if metadata is not None and not (
            isinstance(metadata, dict) and isinstance(metadata.get("event_type"), str)
        ):
            return _error("invalid_metadata_format")
        if self.post_delay:
            await asyncio.sleep(self.post_delay)
        with self._lock:
            message = FakeMessage(
                channel,
                self._next_ts(),
                text,
                BOT_USER_ID,
                thread_ts=str(args["thread_ts"]) if args.get("thread_ts") else None,
                blocks=blocks if isinstance(blocks, list) else None,
                metadata=metadata,
            )
            self.messages.append(message)
            self.posts.append(message)
        return _ok(channel=channel, ts=message.ts, message=message.as_slack(with_metadata=True))

    async def _update(self, args: dict[str, Any]) -> Answer:
        channel, ts = str(args.get("channel") or ""), str(args.get("ts") or "")
        text = str(args.get("text") or "")
        blocks = _maybe_json(args.get("blocks"))
        if not channel:
            return _error("channel_not_found")
        if not text and not blocks:
            return _error("no_text")
        with self._lock:
            found = next((m for m in self.messages if m.channel == channel and m.ts == ts), None)
            if found is None:
                return _error("message_not_found")
            if found.user != BOT_USER_ID:
                return _error("cant_update_message")
            found.text = text
            if isinstance(blocks, list):
                found.blocks = blocks
            metadata = _maybe_json(args.get("metadata"))
            if isinstance(metadata, dict):
                found.metadata = metadata
            self.updates.append({"channel": channel, "ts": ts, "text": text, "blocks": blocks})
        return _ok(channel=channel, ts=ts, text=text)

    async def _post_ephemeral(self, args: dict[str, Any]) -> Answer:
        channel, user = str(args.get("channel") or ""), str(args.get("user") or "")
        if not channel:
            return _error("channel_not_found")
        if not user:
            return _error("user_not_found")
        with self._lock:
            ts = self._next_ts()
            self.ephemerals.append(
                {
                    "channel": channel,
                    "user": user,
                    "text": str(args.get("text") or ""),
                    "blocks": _maybe_json(args.get("blocks")),
                    "thread_ts": args.get("thread_ts"),
                }
            )
        return _ok(message_ts=ts)

    async def _permalink(self, args: dict[str, Any]) -> Answer:
        channel, ts = str(args.get("channel") or ""), str(args.get("message_ts") or "")
        if not channel or not ts:
            return _error("message_not_found")
        return _ok(
            channel=channel,
            permalink=f"https://argus-test.slack.com/archives/{channel}/p{ts.replace('.', '')}",
        )

    async def _channel_info(self, args: dict[str, Any]) -> Answer:
        channel = str(args.get("channel") or "")
        if not channel:
            return _error("channel_not_found")
        with self._lock:
            name = self.channel_names.get(channel, channel.lower())
        return _ok(channel={"id": channel, "name": name, "is_channel": True})

    async def _user_info(self, args: dict[str, Any]) -> Answer:
        if self.lookup_delay:
            await asyncio.sleep(self.lookup_delay)
        with self._lock:
            user = self.users.get(str(args.get("user") or ""))
        return _ok(user=user) if user is not None else _error("user_not_found")

    async def _view_open(self, args: dict[str, Any]) -> Answer:
        if not args.get("trigger_id"):
            return _error("invalid_trigger_id")
        view = _maybe_json(args.get("view"))
        if not isinstance(view, dict):
            return _error("invalid_arguments")
        with self._lock:
            stored = {**view, "id": f"V{len(self.views) + 1:08d}"}
            self.views.append(stored)
        return _ok(view=stored)

    async def _view_update(self, args: dict[str, Any]) -> Answer:
        view = _maybe_json(args.get("view"))
        view_id = str(args.get("view_id") or "")
        with self._lock:
            index = next((i for i, v in enumerate(self.views) if v["id"] == view_id), None)
            if index is None or not isinstance(view, dict):
                return _error("not_found")
            self.views[index] = {**view, "id": view_id}
            return _ok(view=self.views[index])

    async def _connections_open(self, _: dict[str, Any]) -> Answer:
        if not self.socket_url:
            return _error("invalid_auth")
        return _ok(url=self.socket_url)

    def _reply_counts(self, channel: str) -> dict[str, int]:
        counts: dict[str, int] = {}
        for m in self.messages:
            if m.channel == channel and m.thread_ts is not None and m.thread_ts != m.ts:
                counts[m.thread_ts] = counts.get(m.thread_ts, 0) + 1
        return counts

    async def _replies(self, args: dict[str, Any]) -> Answer:
        channel, ts = str(args.get("channel") or ""), str(args.get("ts") or "")
        if not channel:
            return _error("channel_not_found")
        if not ts:
            return _error("thread_not_found")
        with_metadata = _flag(args.get("include_all_metadata"))
        with self._lock:
            counts = self._reply_counts(channel)
            thread = [
                m.as_slack(with_metadata=with_metadata, reply_count=counts.get(m.ts, 0))
                for m in self.messages
                if m.channel == channel and ts in (m.ts, m.thread_ts)
            ]
        return _page(thread, args, 1000) or _error("invalid_cursor")

    async def _history(self, args: dict[str, Any]) -> Answer:
        channel = str(args.get("channel") or "")
        if not channel:
            return _error("channel_not_found")
        with_metadata = _flag(args.get("include_all_metadata"))
        with self._lock:
            counts = self._reply_counts(channel)
            top_level = [
                m.as_slack(with_metadata=with_metadata, reply_count=counts.get(m.ts, 0))
                for m in reversed(self.messages)
                if m.channel == channel and m.thread_ts in (None, m.ts)
            ]
        return _page(top_level, args, 100) or _error("invalid_cursor")

    async def _open(self, args: dict[str, Any]) -> Answer:
        users = [u.strip() for u in str(args.get("users") or "").split(",") if u.strip()]
        if not users:
            return _error("users_list_not_supplied")
        channel_id = "D" + users[0] if len(users) == 1 else "G" + "".join(sorted(users))
        with self._lock:
            already = channel_id in self.opened
            self.opened.add(channel_id)
        return _ok(channel={"id": channel_id}, no_op=already, already_open=already)

    def _reaction_args(self, args: dict[str, Any]) -> tuple[tuple[str, str], str] | Answer:
        channel, ts = str(args.get("channel") or ""), str(args.get("timestamp") or "")
        name = str(args.get("name") or "").strip(":")
        if not channel:
            return _error("channel_not_found")
        if not ts:
            return _error("message_not_found")
        if not name:
            return _error("invalid_name")
        return (channel, ts), name

    async def _react(self, args: dict[str, Any]) -> Answer:
        parsed = self._reaction_args(args)
        if isinstance(parsed, Response):
            return parsed
        where, name = parsed
        with self._lock:
            names = self.reactions.setdefault(where, set())
            if name in names:
                return _error("already_reacted")
            names.add(name)
        return _ok()

    async def _unreact(self, args: dict[str, Any]) -> Answer:
        parsed = self._reaction_args(args)
        if isinstance(parsed, Response):
            return parsed
        where, name = parsed
        with self._lock:
            names = self.reactions.get(where, set())
            if name not in names:
                return _error("no_reaction")
            names.discard(name)
        return _ok()

    # ---------------------------------------------------------------- server

    def start(self) -> FakeSlack:
        """Serve on a free port of 127.0.0.1 in a daemon thread."""
        self._url = f"{self._served.start()}/api/"
        return self

    def stop(self) -> None:
        self._served.stop()
        self._url = ""

    def __enter__(self) -> FakeSlack:
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.stop()
