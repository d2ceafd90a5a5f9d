"""The issue card: laid out in Block Kit, posted once, then updated in place (fake Slack)."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from argus_adapters.slack.blocks import (
    ACKNOWLEDGE,
    PRIORITY_COLOURS,
    REASSIGN,
    RESOLVE,
    card_message,
)
from argus_core.domain.values import Priority, Status
from argus_core.notifications import CardAction, CardPerson, IssueCard

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
