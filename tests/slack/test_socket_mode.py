"""The Socket Mode transport over a real websocket on 127.0.0.1: acknowledgements wait for
the inbox, failures are left for Slack to redeliver, connections come back with backoff."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
from slack_sdk.web.async_client import AsyncWebClient

from argus_adapters.slack.socket_mode import Backoff, SlackSocketMode
from tests.fake_socket_mode import FakeSocketMode

Answer = dict[str, Any] | None


class GatedInbox:
    """An inbox whose answers wait for the test's go-ahead, failing when told to."""

    def __init__(self) -> None:
        self.go = asyncio.Event()
        self.fail_next = False
        self.seen: list[tuple[str, dict[str, Any]]] = []

    async def _answer(self, kind: str, payload: Any) -> Answer:
        self.seen.append((kind, dict(payload)))
        await self.go.wait()
        if self.fail_next:
            self.fail_next = False
            raise RuntimeError("the database is away")
        return {"text": "ok"} if kind == "command" else None

    async def event(self, envelope: Any) -> Answer:
        return await self._answer("event", envelope)

    async def interaction(self, payload: Any) -> Answer:
        return await self._answer("interaction", payload)

    async def command(self, form: Any) -> Answer:
        return await self._answer("command", form)


@pytest.fixture
def socket_mode() -> Iterator[FakeSocketMode]:
    with FakeSocketMode() as fake:
        yield fake


def transport(socket_mode: FakeSocketMode, inbox: GatedInbox, **kw: Any) -> SlackSocketMode:
    web = AsyncWebClient(token="xoxb-unused", base_url=socket_mode.api_url)
    return SlackSocketMode(socket_mode.app_token, web, inbox, **kw)


@contextlib.asynccontextmanager
async def running(socket: SlackSocketMode) -> AsyncIterator[asyncio.Task[None]]:
    task = asyncio.create_task(socket.run())
    try:
        yield task
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


@pytest.fixture
async def gated(socket_mode: FakeSocketMode) -> AsyncIterator[GatedInbox]:
    """The transport connected, on an inbox the test controls."""
    inbox = GatedInbox()
    async with running(transport(socket_mode, inbox, drain_seconds=1)):
        await socket_mode.wait_for_connections(1)
        yield inbox


async def test_the_ack_waits_for_the_inbox_and_carries_its_answer(
    gated: GatedInbox, socket_mode: FakeSocketMode
) -> None:
    envelope_id = socket_mode.send("slash_commands", {"command": "/argus", "text": "help"})
    await asyncio.sleep(0.3)
    assert gated.seen == [("command", {"command": "/argus", "text": "help"})]
    assert socket_mode.ack_for(envelope_id) is None  # the inbox has not returned yet

    gated.go.set()

    assert await socket_mode.wait_for_ack(envelope_id) == {
        "envelope_id": envelope_id,
        "payload": {"text": "ok"},
    }


async def test_each_kind_of_envelope_reaches_its_inbox_method(
    gated: GatedInbox, socket_mode: FakeSocketMode
) -> None:
    gated.go.set()
    sent = [
        socket_mode.send("events_api", {"type": "event_callback", "event_id": "Ev1"}),
        socket_mode.send("interactive", {"type": "block_actions"}),
        socket_mode.send("slash_commands", {"command": "/argus"}),
        socket_mode.send("something_new", {"x": 1}),
    ]

    acks = [await socket_mode.wait_for_ack(envelope_id) for envelope_id in sent]

    assert [kind for kind, _ in gated.seen] == ["event", "interaction", "command"]
    assert [ack.get("payload") for ack in acks] == [None, None, {"text": "ok"}, None]


async def test_a_failed_delivery_is_not_acknowledged_and_its_redelivery_is(
    gated: GatedInbox, socket_mode: FakeSocketMode
) -> None:
    gated.go.set()
    gated.fail_next = True
    payload = {"type": "block_actions", "actions": []}

    failed = socket_mode.send("interactive", payload)
    await asyncio.sleep(0.3)
    again = socket_mode.send("interactive", payload)

    await socket_mode.wait_for_ack(again)
    assert socket_mode.ack_for(failed) is None
    assert [kind for kind, _ in gated.seen] == ["interaction", "interaction"]


async def test_a_dropped_connection_is_opened_again_with_a_fresh_url(
    gated: GatedInbox, socket_mode: FakeSocketMode
) -> None:
    gated.go.set()

    socket_mode.drop()

    await socket_mode.wait_for_connections(2)
    assert socket_mode.url_requests == 2
    envelope_id = socket_mode.send("events_api", {"type": "event_callback"})
    await socket_mode.wait_for_ack(envelope_id)


async def test_slacks_refresh_request_opens_a_new_connection(
    gated: GatedInbox, socket_mode: FakeSocketMode
) -> None:
    socket_mode.ask_to_reconnect()

    await socket_mode.wait_for_connections(2)
    for _ in range(100):  # the old connection is closed once the new one is open
        if socket_mode.open_connections == 1:
            break
        await asyncio.sleep(0.05)
    assert socket_mode.open_connections == 1


async def test_stopping_finishes_and_acknowledges_what_is_being_handled(
    socket_mode: FakeSocketMode,
) -> None:
    inbox = GatedInbox()
    async with running(transport(socket_mode, inbox, drain_seconds=5)) as task:
        await socket_mode.wait_for_connections(1)
        envelope_id = socket_mode.send("events_api", {"type": "event_callback"})
        await asyncio.sleep(0.2)

        task.cancel()
        await asyncio.sleep(0.2)
        inbox.go.set()  # the delivery is stored only now, while stopping
        with contextlib.suppress(asyncio.CancelledError):
            await task

    await socket_mode.wait_for_ack(envelope_id)
    assert socket_mode.open_connections == 0


async def test_while_slack_refuses_it_asks_again_ever_more_slowly_then_connects(
    socket_mode: FakeSocketMode,
) -> None:
    socket_mode.refusing = True  # apps.connections.open answers 500
    backoff = Backoff(first=0.2, most=0.4, jitter=0)
    socket = transport(socket_mode, GatedInbox(), ping_interval=0.1, backoff=backoff)

    async with running(socket):
        await asyncio.sleep(1.5)
        assert socket_mode.connections_made == 0
        assert 2 <= socket_mode.url_requests <= 5  # waits 0, 0.2, 0.4, 0.4 (+ the SDK's)
        assert backoff.failures >= 2
        socket_mode.refusing = False
        await socket_mode.wait_for_connections(1)
        for _ in range(100):  # Slack's hello reaches the client just after connecting
            if backoff.failures == 0:
                break
            await asyncio.sleep(0.05)
        assert backoff.failures == 0  # greeted: the next drop reconnects at once
        assert socket.connections == 1


def test_the_backoff_doubles_up_to_its_limit_and_starts_over() -> None:
    backoff = Backoff(first=1, most=8, jitter=0.5, rand=lambda: 0.0)

    assert [backoff.next_delay() for _ in range(6)] == [0, 1, 2, 4, 8, 8]
    backoff.succeeded()
    assert backoff.next_delay() == 0
    jittered = Backoff(first=1, most=8, jitter=0.5, rand=lambda: 1.0)
    assert [jittered.next_delay() for _ in range(3)] == [0, 0.5, 1]
