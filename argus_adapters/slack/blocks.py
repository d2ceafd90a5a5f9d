"""The issue card in Slack's Block Kit: what the core decided, laid out.

The card is one message: a headline block (the linked ``#number title``) and a secondary
attachment whose ``color`` is the priority's, holding the fields, the outcome, the
buttons and the dashboard link. The plain ``text`` always goes along: Slack shows it in
notifications and to clients that cannot draw blocks.

Each button's ``action_id`` names what it does (:data:`ACKNOWLEDGE`, :data:`RESOLVE`,
:data:`REASSIGN`) and its ``value`` is the issue's id, so a click alone says what to do
to which issue.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from argus_core.domain.values import Priority, Status
from argus_core.notifications import CardAction, CardPerson, IssueCard

ACKNOWLEDGE = "argus_acknowledge"
RESOLVE = "argus_resolve"
REASSIGN = "argus_reassign"
ACTION_IDS: Mapping[CardAction, str] = {
    CardAction.ACKNOWLEDGE: ACKNOWLEDGE,
    CardAction.RESOLVE: RESOLVE,
    CardAction.REASSIGN: REASSIGN,
}
BUTTON_LABELS: Mapping[CardAction, str] = {
    CardAction.ACKNOWLEDGE: "Acknowledge",
    CardAction.RESOLVE: "Resolve",
    CardAction.REASSIGN: "Reassign",
}
CARD_ACTIONS_BLOCK = "argus_card_actions"

PRIORITY_COLOURS: Mapping[Priority, str] = {
    Priority.CRITICAL: "#E01E5A",  # red
    Priority.HIGH: "#F2952F",  # orange
    Priority.MEDIUM: "#ECB22E",  # yellow
    Priority.LOW: "#2EB67D",  # green
}
PRIORITY_EMOJI: Mapping[Priority, str] = {
    Priority.CRITICAL: ":red_circle:",
    Priority.HIGH: ":large_orange_circle:",
    Priority.MEDIUM: ":large_yellow_circle:",
    Priority.LOW: ":large_green_circle:",
}
STATUS_LABELS: Mapping[Status, str] = {
    Status.OPEN: ":eyes: Open",
    Status.IN_PROGRESS: ":hammer_and_wrench: In progress",
    Status.RESOLVED: ":white_check_mark: Resolved",
    Status.CLOSED: ":lock: Closed",
}


def escape(text: str) -> str:
    """``text`` safe inside Slack's mrkdwn: ``&``, ``<`` and ``>`` are control characters."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def card_message(card: IssueCard) -> dict[str, Any]:
    """The ``text``, ``blocks`` and ``attachments`` of the card's message, ready for
    ``chat.postMessage`` or ``chat.update``."""
    headline = f"*<{card.link}|#{card.number} {escape(card.title)}>*"
    return {
        "text": card.text,
        "blocks": [_section(headline)],
        "attachments": [
            {
                "color": PRIORITY_COLOURS[card.priority],
                "fallback": card.text,
                "blocks": _details(card),
            }
        ],
    }


def _details(card: IssueCard) -> list[dict[str, Any]]:
    blocks: list[dict[str, Any]] = []
    if card.triaging:
        blocks.append(
            _section(
                ":hourglass_flowing_sand: *Triaging...* priority, team and assignee "
                "follow in a moment."
            )
        )
    else:
        assignees = ", ".join(_person(p) for p in card.assignees) or "_nobody yet_"
        fields = {
            "Priority": f"{PRIORITY_EMOJI[card.priority]} {card.priority.value.capitalize()}",
            "Status": STATUS_LABELS[card.status],
            "Team": escape(card.team_name) if card.team_name else "_not set_",
            "Category": escape(card.category),
            "Assignees": assignees,
        }
        blocks.append(
            {
                "type": "section",
                "fields": [_mrkdwn(f"*{name}*\n{value}") for name, value in fields.items()],
            }
        )
    if card.outcome:
        question = "Why it was closed" if card.status is Status.CLOSED else "How it was fixed"
        blocks.append(_section(f"*{question}:* {escape(card.outcome)}"))
    if card.actions:
        blocks.append(
            {
                "type": "actions",
                "block_id": CARD_ACTIONS_BLOCK,
                "elements": [_button(card, action) for action in card.actions],
            }
        )
    blocks.append(
        {"type": "context", "elements": [_mrkdwn(f"<{card.link}|Open in the Argus dashboard>")]}
    )
    return blocks


def _button(card: IssueCard, action: CardAction) -> dict[str, Any]:
    button: dict[str, Any] = {
        "type": "button",
        "action_id": ACTION_IDS[action],
        "text": {"type": "plain_text", "text": BUTTON_LABELS[action]},
        "value": str(card.issue_id),
    }
    if action is CardAction.ACKNOWLEDGE:
        button["style"] = "primary"
    return button


def _person(person: CardPerson) -> str:
    return f"<@{person.chat_user_id}>" if person.chat_user_id else escape(person.name)


def _section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": _mrkdwn(text)}


def _mrkdwn(text: str) -> dict[str, Any]:
    return {"type": "mrkdwn", "text": text}
