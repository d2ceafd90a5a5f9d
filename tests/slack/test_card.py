"""The issue card: laid out in Block Kit, posted once, then updated in place (fake Slack)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from slack_sdk.web.async_client import AsyncWebClient

from argus_adapters.slack.blocks import (
    ACKNOWLEDGE,
    PRIORITY_COLOURS,
    REASSIGN,
    RESOLVE,
    card_message,
)
from argus_adapters.slack.notifier import NOTIFICATION_EVENT_TYPE, SlackChatNotifier
from argus_core.domain.values import Priority, Status
from argus_core.notifications import CardAction, CardPerson, IssueCard
from tests.fake_slack import FakeSlack

CHANNEL = "C0INCIDENTS"
ISSUE_ID = uuid.uuid4()
LINK = f"https://argus.example.com/issues/{ISSUE_ID}"


def a_card(**changes: Any) -> IssueCard:
    fields: dict[str, Any] = {
        "issue_id": ISSUE_ID,
        "number": 42,
        "title": "Checkout is down",
        "priority": Priority.HIGH,
        "category": "payments",
        "status": Status.OPEN,
        "team_name": "Payments",
        "assignees": (CardPerson(name="Ana", chat_user_id="U0ANA"), CardPerson(name="Bo")),
        "link": LINK,
        "actions": (CardAction.ACKNOWLEDGE, CardAction.RESOLVE, CardAction.REASSIGN),
        "revision": 100,
    }
    return IssueCard(**(fields | changes))


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    with FakeSlack() as server:
        yield server


def notifier_on(fake: FakeSlack) -> SlackChatNotifier:
    return SlackChatNotifier(AsyncWebClient(token="xoxb-test", base_url=fake.base_url))


def attachment(args: dict[str, Any]) -> dict[str, Any]:
    [only] = args["attachments"]
    assert isinstance(only, dict)
    return only


def texts(blocks: list[dict[str, Any]]) -> str:
    """Every piece of text in ``blocks``, joined (for "is it shown" checks)."""
    parts: list[str] = []

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            if isinstance(value.get("text"), str):
                parts.append(value["text"])
            for inner in value.values():
                walk(inner)
        elif isinstance(value, list):
            for inner in value:
                walk(inner)

    walk(blocks)
    return "\n".join(parts)


def buttons(blocks: list[dict[str, Any]]) -> list[tuple[str, str, str]]:
    """(action_id, label, value) of every button."""
    return [
        (e["action_id"], e["text"]["text"], e["value"])
        for b in blocks
        if b["type"] == "actions"
        for e in b["elements"]
    ]


# --------------------------------------------------------------------------- layout


@pytest.mark.parametrize("priority", list(Priority))
def test_the_colour_bar_follows_the_priority(priority: Priority) -> None:
    message = card_message(a_card(priority=priority))
    assert attachment(message)["color"] == PRIORITY_COLOURS[priority]
    assert priority.value.capitalize() in texts(attachment(message)["blocks"])
    assert len(set(PRIORITY_COLOURS.values())) == len(Priority)


def test_the_card_shows_everything_and_offers_its_buttons() -> None:
    message = card_message(a_card())
    assert message["text"] == a_card().text  # the plain fallback goes along
    assert attachment(message)["fallback"] == a_card().text
    shown = texts(message["blocks"]) + texts(attachment(message)["blocks"])
    for part in ("#42 Checkout is down", "Payments", "payments", "<@U0ANA>", "Bo", "Open", LINK):
        assert part in shown
    assert f"<{LINK}|#42 Checkout is down>" in shown  # the headline links to the dashboard
    assert buttons(attachment(message)["blocks"]) == [
        (ACKNOWLEDGE, "Acknowledge", str(ISSUE_ID)),
        (RESOLVE, "Resolve", str(ISSUE_ID)),
        (REASSIGN, "Reassign", str(ISSUE_ID)),
    ]


def test_a_triaging_card_says_so_and_has_no_buttons() -> None:
    message = card_message(a_card(triaging=True, actions=(), assignees=(), team_name=None))
    details = attachment(message)["blocks"]
    assert "Triaging..." in texts(details)
    assert "triaging..." in message["text"]
    assert buttons(details) == []


def test_a_resolved_card_shows_how_it_was_fixed_and_no_buttons() -> None:
    resolved = card_message(a_card(status=Status.RESOLVED, outcome="Rolled back", actions=()))
    assert "How it was fixed:* Rolled back" in texts(attachment(resolved)["blocks"])
    assert buttons(attachment(resolved)["blocks"]) == []
    closed = card_message(a_card(status=Status.CLOSED, outcome="Duplicate", actions=()))
    assert "Why it was closed:* Duplicate" in texts(attachment(closed)["blocks"])


def test_what_people_typed_cannot_inject_markup() -> None:
    message = card_message(a_card(title="<!channel> & <@U0BOSS>", team_name="<b>"))
    shown = texts(message["blocks"]) + texts(attachment(message)["blocks"])
    assert "<!channel>" not in shown
    assert "&lt;!channel&gt; &amp; &lt;@U0BOSS&gt;" in shown
    assert "&lt;b&gt;" in shown


# --------------------------------------------------------------------------- posting


async def test_the_card_is_posted_once_in_the_thread_with_its_key(fake: FakeSlack) -> None:
    parent = fake.add_message(CHANNEL, "checkout is down")
    card = a_card()

    ts = await notifier_on(fake).show_card(CHANNEL, parent, card, key=card.key)

    [post] = fake.posts
    assert (post.ts, post.thread_ts, post.text) == (ts, parent, card.text)
    assert post.metadata == {
        "event_type": NOTIFICATION_EVENT_TYPE,
        "event_payload": {"idempotency_key": f"card:{ISSUE_ID}", "revision": 100},
    }
    [sent] = fake.calls_to("chat.postMessage")
    assert attachment(sent)["color"] == PRIORITY_COLOURS[Priority.HIGH]
    assert buttons(attachment(sent)["blocks"])
    assert fake.updates == []


async def test_a_changed_card_is_updated_in_place(fake: FakeSlack) -> None:
    parent = fake.add_message(CHANNEL, "checkout is down")
    notifier = notifier_on(fake)
    triaging = a_card(triaging=True, actions=(), revision=1)
    first = await notifier.show_card(CHANNEL, parent, triaging, key=triaging.key)

    done = a_card(status=Status.IN_PROGRESS, priority=Priority.CRITICAL, revision=2)
    again = await notifier.show_card(CHANNEL, parent, done, key=done.key)

    assert again == first
    assert len(fake.posts) == 1  # never a second card
    [update] = fake.updates
    assert (update["ts"], update["text"]) == (first, done.text)
    [sent] = fake.calls_to("chat.update")
    assert attachment(sent)["color"] == PRIORITY_COLOURS[Priority.CRITICAL]
    assert "In progress" in texts(attachment(sent)["blocks"])
    assert sent["metadata"]["event_payload"]["revision"] == 2
    [message] = [m for m in fake.messages_in(CHANNEL, parent) if m.ts == first]
    assert message.text == done.text


async def test_an_older_card_leaves_the_newer_one_alone(fake: FakeSlack) -> None:
    parent = fake.add_message(CHANNEL, "report")
    notifier = notifier_on(fake)
    newer = a_card(status=Status.IN_PROGRESS, revision=5)
    await notifier.show_card(CHANNEL, parent, newer, key=newer.key)

    await notifier.show_card(CHANNEL, parent, a_card(revision=4), key=newer.key)

    assert fake.updates == []
    assert fake.posts[0].text == newer.text


async def test_a_new_notifier_after_a_crash_updates_the_card_it_finds(fake: FakeSlack) -> None:
    parent = fake.add_message(CHANNEL, "report")
    for i in range(250):  # the card is past the thread's first page of replies
        fake.add_message(CHANNEL, f"chatter {i}", thread_ts=parent)
    card = a_card(revision=1)
    await notifier_on(fake).show_card(CHANNEL, parent, card, key=card.key)
    for i in range(250):
        fake.add_message(CHANNEL, f"more chatter {i}", thread_ts=parent)

    await notifier_on(fake).show_card(CHANNEL, parent, a_card(revision=2), key=card.key)

    assert len(fake.posts) == 1
    assert len(fake.updates) == 1


async def test_without_create_a_missing_card_is_not_posted(fake: FakeSlack) -> None:
    parent = fake.add_message(CHANNEL, "report")
    notifier = notifier_on(fake)
    card = a_card()

    assert await notifier.show_card(CHANNEL, parent, card, key=card.key, create=False) is None
    assert fake.posts == []

    ts = await notifier.show_card(CHANNEL, parent, card, key=card.key)
    later = a_card(revision=101, status=Status.IN_PROGRESS)
    assert await notifier.show_card(CHANNEL, parent, later, key=card.key, create=False) == ts
    assert len(fake.posts) == 1
    assert [u["ts"] for u in fake.updates] == [ts]


async def test_thread_posts_keep_their_plain_text_without_blocks(fake: FakeSlack) -> None:
    parent = fake.add_message(CHANNEL, "report")
    await notifier_on(fake).post_in_thread(CHANNEL, parent, "Assigned.", idempotency_key="k")
    [sent] = fake.calls_to("chat.postMessage")
    assert sent["text"] == "Assigned."
    assert "attachments" not in sent
    assert fake.posts[0].metadata == {
        "event_type": NOTIFICATION_EVENT_TYPE,
        "event_payload": {"idempotency_key": "k"},
    }
