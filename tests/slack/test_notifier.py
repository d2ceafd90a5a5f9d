"""SlackChatNotifier over real HTTP against the fake Slack Web API."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Iterator

import pytest
from slack_sdk.web.async_client import AsyncWebClient

from argus_adapters.slack.notifier import NOTIFICATION_EVENT_TYPE, SlackChatNotifier
from argus_core.domain.errors import Unavailable
from argus_core.domain.values import Status
from tests.fake_slack import FakeSlack

CHANNEL = "C0INCIDENTS"


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    with FakeSlack() as server:
        yield server


def notifier_on(fake: FakeSlack, token: str = "xoxb-test") -> SlackChatNotifier:
    return SlackChatNotifier(AsyncWebClient(token=token, base_url=fake.base_url))


@pytest.fixture
def notifier(fake: FakeSlack) -> SlackChatNotifier:
    return notifier_on(fake)


async def test_a_thread_post_appears_once_with_its_key(
    fake: FakeSlack, notifier: SlackChatNotifier
) -> None:
    parent = fake.add_message(CHANNEL, "checkout is down")

    ts = await notifier.post_in_thread(CHANNEL, parent, "Assigned to Ana.", idempotency_key="k1")

    [post] = fake.posts
    assert (post.ts, post.channel, post.thread_ts, post.text) == (
        ts,
        CHANNEL,
        parent,
        "Assigned to Ana.",
    )
    assert post.metadata == {
        "event_type": NOTIFICATION_EVENT_TYPE,
        "event_payload": {"idempotency_key": "k1"},
    }
    assert [m.ts for m in fake.messages_in(CHANNEL, parent)] == [parent, ts]


async def test_the_same_key_twice_posts_once(fake: FakeSlack, notifier: SlackChatNotifier) -> None:
    parent = fake.add_message(CHANNEL, "report")

    first = await notifier.post_in_thread(CHANNEL, parent, "hello", idempotency_key="k1")
    again = await notifier.post_in_thread(CHANNEL, parent, "hello", idempotency_key="k1")

    assert first == again
    assert fake.keys() == ["k1"]


async def test_a_new_notifier_after_a_crash_finds_the_earlier_post(fake: FakeSlack) -> None:
    parent = fake.add_message(CHANNEL, "report")
    first = await notifier_on(fake).post_in_thread(CHANNEL, parent, "hi", idempotency_key="k1")

    retried = await notifier_on(fake).post_in_thread(CHANNEL, parent, "hi", idempotency_key="k1")

    assert retried == first
    assert fake.keys() == ["k1"]


async def test_different_keys_post_twice(fake: FakeSlack, notifier: SlackChatNotifier) -> None:
    parent = fake.add_message(CHANNEL, "report")

    one = await notifier.post_in_thread(CHANNEL, parent, "one", idempotency_key="k1")
    two = await notifier.post_in_thread(CHANNEL, parent, "two", idempotency_key="k2")

    assert one != two
    assert fake.keys() == ["k1", "k2"]


async def test_the_key_is_found_beyond_the_first_page(fake: FakeSlack) -> None:
    parent = fake.add_message(CHANNEL, "report")
    for i in range(250):  # the thread's first page (200) is all chatter
        fake.add_message(CHANNEL, f"chatter {i}", thread_ts=parent)
    first = await notifier_on(fake).post_in_thread(CHANNEL, parent, "hi", idempotency_key="k1")

    fake.calls.clear()
    retried = await notifier_on(fake).post_in_thread(CHANNEL, parent, "hi", idempotency_key="k1")

    assert retried == first
    assert fake.keys() == ["k1"]
    reads = [args for method, args in fake.calls if method == "conversations.replies"]
    assert [bool(args.get("cursor")) for args in reads] == [False, True]
    assert {(args["limit"], args["include_all_metadata"]) for args in reads} == {("200", "1")}


async def test_concurrent_calls_with_one_key_post_once(
    fake: FakeSlack, notifier: SlackChatNotifier
) -> None:
    parent = fake.add_message(CHANNEL, "report")
    fake.post_delay = 0.2  # both would read the thread before either post lands

    results = await asyncio.gather(
        *(notifier.post_in_thread(CHANNEL, parent, "hi", idempotency_key="k1") for _ in range(3))
    )

    assert len(set(results)) == 1
    assert fake.keys() == ["k1"]


async def test_a_direct_message_is_sent_once_per_key(
    fake: FakeSlack, notifier: SlackChatNotifier
) -> None:
    await notifier.send_direct_message("U0ANA", "You were assigned.", idempotency_key="dm1")
    await notifier.send_direct_message("U0ANA", "You were assigned.", idempotency_key="dm1")
    await notifier_on(fake).send_direct_message("U0ANA", "Again?", idempotency_key="dm1")
    await notifier.send_direct_message("U0ANA", "A reminder.", idempotency_key="dm2")

    assert fake.keys() == ["dm1", "dm2"]
    assert [m.text for m in fake.messages_in("DU0ANA")] == ["You were assigned.", "A reminder."]
    assert all(m.thread_ts is None for m in fake.posts)


async def test_show_status_swaps_the_reaction(fake: FakeSlack, notifier: SlackChatNotifier) -> None:
    ts = fake.add_message(CHANNEL, "report")

    await notifier.show_status(CHANNEL, ts, Status.OPEN)
    assert fake.reactions_on(CHANNEL, ts) == {"eyes"}

    await notifier.show_status(CHANNEL, ts, Status.RESOLVED)
    assert fake.reactions_on(CHANNEL, ts) == {"white_check_mark"}

    await notifier.show_status(CHANNEL, ts, Status.RESOLVED)  # idempotent
    assert fake.reactions_on(CHANNEL, ts) == {"white_check_mark"}


async def test_a_slack_error_is_unavailable_naming_it(
    fake: FakeSlack, notifier: SlackChatNotifier
) -> None:
    fake.failures["C0GONE"] = "channel_not_found"

    with pytest.raises(Unavailable, match=r"chat\.postMessage.*channel_not_found"):
        await notifier.post_in_thread("C0GONE", "1.000100", "hi", idempotency_key="k1")
    assert fake.posts == []


async def test_a_rate_limit_is_unavailable_and_the_retry_posts(
    fake: FakeSlack, notifier: SlackChatNotifier
) -> None:
    parent = fake.add_message(CHANNEL, "report")
    fake.ratelimit_next = 1
    fake.retry_after = 60  # too long to wait in-process (shorter ones: test_pacing.py)

    with pytest.raises(Unavailable, match=r"chat\.postMessage.*ratelimited.*429"):
        await notifier.post_in_thread(CHANNEL, parent, "hi", idempotency_key="k1")
    await notifier.post_in_thread(CHANNEL, parent, "hi", idempotency_key="k1")

    assert fake.keys() == ["k1"]


async def test_unreachable_slack_is_unavailable() -> None:
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    client = AsyncWebClient(token="xoxb-test", base_url=f"http://127.0.0.1:{port}/api/")

    with pytest.raises(Unavailable, match=r"conversations\.replies.*not reachable"):
        await SlackChatNotifier(client).post_in_thread(CHANNEL, "1.1", "hi", idempotency_key="k")


async def test_a_wrong_token_is_unavailable(fake: FakeSlack) -> None:
    notifier = notifier_on(fake, token="xoxb-wrong")

    with pytest.raises(Unavailable, match="invalid_auth"):
        await notifier.show_status(CHANNEL, "1.000100", Status.OPEN)
    assert fake.posts == []


# ------------------------------------------------------------------- the fake itself


async def test_the_fake_reads_form_bodies_and_hides_metadata_unless_asked(
    fake: FakeSlack,
) -> None:
    client = AsyncWebClient(token="xoxb-test", base_url=fake.base_url)
    await client.api_call(
        "chat.postMessage",
        data={
            "channel": CHANNEL,
            "text": "form",
            "metadata": '{"event_type": "x", "event_payload": {"idempotency_key": "f"}}',
        },
    )
    assert (await client.auth_test())["ok"] is True

    plain = await client.conversations_history(channel=CHANNEL)
    full = await client.conversations_history(channel=CHANNEL, include_all_metadata=True)

    assert fake.keys() == ["f"]
    assert "metadata" not in plain["messages"][0]
    assert full["messages"][0]["metadata"]["event_type"] == "x"


async def test_the_fake_pages_history_newest_first(fake: FakeSlack) -> None:
    sent = [fake.add_message(CHANNEL, str(i)) for i in range(5)]
    client = AsyncWebClient(token="xoxb-test", base_url=fake.base_url)

    seen = [
        m["ts"]
        async for page in await client.conversations_history(channel=CHANNEL, limit=2)
        for m in page["messages"]
    ]

    assert seen == sent[::-1]
