"""Slack rate limits over real HTTP against the fake: per-channel pacing and 429s."""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState
from slack_sdk.web.async_client import AsyncWebClient

from argus_adapters.slack import pacing
from argus_adapters.slack.notifier import SlackChatNotifier
from argus_adapters.slack.pacing import (
    BoundedRateLimitRetry,
    ChannelPacer,
    retry_after,
    with_rate_limit_retry,
)
from argus_core.domain.errors import Unavailable
from argus_web.container import Chat, make_container
from argus_web.settings import Settings
from tests.fake_slack import FakeSlack

BUSY = "C0BUSY"
QUIET = "C0QUIET"


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    with FakeSlack() as server:
        yield server


def notifier_on(fake: FakeSlack, posts_per_second: float = 1.0) -> SlackChatNotifier:
    client = AsyncWebClient(token="xoxb-test", base_url=fake.base_url)
    return SlackChatNotifier(client, posts_per_second=posts_per_second)


async def test_posts_to_one_channel_are_spaced_and_other_channels_are_not_held_back(
    fake: FakeSlack,
) -> None:
    notifier = notifier_on(fake, posts_per_second=2)  # 0.5 s apart
    busy = fake.add_message(BUSY, "report")
    quiet = fake.add_message(QUIET, "report")
    start = time.monotonic()

    async def quiet_post() -> None:
        await asyncio.sleep(0.1)  # the busy channel's queue has formed by now
        await notifier.post_in_thread(QUIET, quiet, "q", idempotency_key="q")

    await asyncio.gather(
        *(notifier.post_in_thread(BUSY, busy, str(i), idempotency_key=f"b{i}") for i in range(4)),
        quiet_post(),
    )

    in_busy = [m for m in fake.posts if m.channel == BUSY]
    gaps = [b.at - a.at for a, b in itertools.pairwise(in_busy)]
    assert len(gaps) == 3
    assert min(gaps) >= 0.5 - 0.01, gaps  # never faster than the setting
    [in_quiet] = [m for m in fake.posts if m.channel == QUIET]
    assert in_quiet.at - start < 0.5  # not queued behind the busy channel (1.5 s+)
    assert in_busy[-1].at - start >= 1.5


async def test_a_429_is_waited_out_and_posted_once(fake: FakeSlack) -> None:
    notifier = notifier_on(fake)
    parent = fake.add_message(BUSY, "report")
    fake.ratelimit_next = 1
    start = time.monotonic()

    ts = await notifier.post_in_thread(BUSY, parent, "hi", idempotency_key="k1")

    assert time.monotonic() - start >= 1.0  # Retry-After: 1
    assert fake.keys() == ["k1"]
    assert fake.posts[0].ts == ts
    assert [m for m, _ in fake.calls if m == "chat.postMessage"] == ["chat.postMessage"] * 2


async def test_a_rate_limited_post_keeps_its_channel_so_the_next_cannot_overtake(
    fake: FakeSlack,
) -> None:
    notifier = notifier_on(fake, posts_per_second=50)
    parent = fake.add_message(BUSY, "report")
    fake.ratelimit_next = 2  # the first post waits twice

    async def second() -> None:
        await asyncio.sleep(0.2)  # starts while the first is waiting for Retry-After
        await notifier.post_in_thread(BUSY, parent, "two", idempotency_key="k2")

    await asyncio.gather(
        notifier.post_in_thread(BUSY, parent, "one", idempotency_key="k1"), second()
    )

    assert fake.keys() == ["k1", "k2"]


async def test_a_long_retry_after_fails_at_once_for_the_job_queue(fake: FakeSlack) -> None:
    notifier = notifier_on(fake)
    parent = fake.add_message(BUSY, "report")
    fake.ratelimit_next = 1
    fake.retry_after = 30  # beyond what a job waits for in-process
    start = time.monotonic()

    with pytest.raises(Unavailable, match=r"chat\.postMessage.*ratelimited.*429"):
        await notifier.post_in_thread(BUSY, parent, "hi", idempotency_key="k1")

    assert time.monotonic() - start < 5
    assert fake.posts == []


async def test_rate_limits_past_the_retries_fail_and_the_next_try_posts_once(
    fake: FakeSlack,
) -> None:
    client = AsyncWebClient(
        token="xoxb-test",
        base_url=fake.base_url,
        retry_handlers=[BoundedRateLimitRetry(max_retry_count=1)],
    )
    notifier = SlackChatNotifier(client)
    parent = fake.add_message(BUSY, "report")
    fake.ratelimit_next = 2

    with pytest.raises(Unavailable, match="ratelimited"):
        await notifier.post_in_thread(BUSY, parent, "hi", idempotency_key="k1")
    await notifier.post_in_thread(BUSY, parent, "hi", idempotency_key="k1")

    assert fake.keys() == ["k1"]
    assert len(client.retry_handlers) == 1  # the caller's own handler is kept, not doubled


async def test_an_outage_is_unavailable_and_passes(fake: FakeSlack) -> None:
    notifier = notifier_on(fake)
    parent = fake.add_message(BUSY, "report")
    fake.go_down()

    with pytest.raises(Unavailable, match=r"fatal_error.*500"):
        await notifier.post_in_thread(BUSY, parent, "hi", idempotency_key="k1")
    fake.come_back()
    await notifier.post_in_thread(BUSY, parent, "hi", idempotency_key="k1")

    assert fake.keys() == ["k1"]


async def test_a_timed_outage_ends_by_itself(fake: FakeSlack) -> None:
    client = AsyncWebClient(token="xoxb-test", base_url=fake.base_url)
    fake.go_down(0.3)
    with pytest.raises(Exception, match="fatal_error"):
        await client.auth_test()
    await asyncio.sleep(0.4)
    assert (await client.auth_test())["ok"] is True


# ------------------------------------------------------------------- the pieces alone


def test_retry_after_is_read_as_slack_sdk_reads_it() -> None:
    def answer(**headers: str) -> HttpResponse:
        return HttpResponse(status_code=429, headers=dict(headers))

    assert retry_after(answer(**{"Retry-After": "3"})) == 3
    assert retry_after(answer(**{"retry-after": "2"})) == 2
    assert retry_after(answer()) == 1
    assert retry_after(answer(**{"Retry-After": "soon"})) == float("inf")


async def test_a_ratelimited_answer_without_429_is_retried_too() -> None:
    handler = BoundedRateLimitRetry()
    limited = HttpResponse(status_code=200, headers={}, body={"ok": False, "error": "ratelimited"})
    other = HttpResponse(status_code=200, headers={}, body={"ok": False, "error": "no_text"})
    state = RetryState()
    request = HttpRequest(method="POST", url="x", headers={})

    assert await handler.can_retry_async(state=state, request=request, response=limited)
    assert not await handler.can_retry_async(state=state, request=request, response=other)
    assert not await handler.can_retry_async(state=state, request=request, error=OSError())


def test_the_handler_is_added_once() -> None:
    handlers = with_rate_limit_retry([])
    assert with_rate_limit_retry(handlers) is handlers


async def test_idle_channels_are_forgotten(monkeypatch: pytest.MonkeyPatch) -> None:
    now = [0.0]
    pacer = ChannelPacer(1, clock=lambda: now[0])
    monkeypatch.setattr(pacing, "FORGET_AFTER", 3)
    for channel in ("C1", "C2", "C3"):
        async with pacer.slot(channel):
            pass
    now[0] = 5.0  # every spacing has passed
    async with pacer.slot("C4"):
        pass
    assert set(pacer._locks) == {"C4"}


def test_pacing_needs_a_positive_rate() -> None:
    with pytest.raises(ValueError, match="above 0"):
        ChannelPacer(0)


async def test_the_setting_paces_the_notifier_argus_builds(tmp_path: Path) -> None:
    env = {
        "ARGUS_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'argus.db'}",
        "SLACK_BOT_TOKEN": "xoxb-test",
        "ARGUS_SLACK_POSTS_PER_SECOND": "4",
    }
    container = make_container(Settings.from_env(env))
    try:
        notifier = (await container.get(Chat)).notifier
        assert isinstance(notifier, SlackChatNotifier)
        assert notifier.pacer.interval == 0.25
    finally:
        await container.close()
