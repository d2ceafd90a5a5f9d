"""The card's modals in Block Kit (resolve, reassign) and the answers read back from them.

A modal carries the issue it is about in ``private_metadata`` (JSON: the issue id, and
the channel and thread the card is in), so the submission needs nothing remembered in
between. Inputs Slack could check itself are left optional on purpose: Argus checks
them when the modal is submitted and answers ``response_action: errors`` under the
block concerned, so a rule lives in one place whatever the client.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping, Sequence
from typing import Any
from uuid import UUID

import msgspec

from argus_adapters.slack.blocks import escape
from argus_core.domain.issue import Issue
from argus_core.domain.values import MAX_REASON_LENGTH

RESOLVE_VIEW = "argus_resolve"
"""``callback_id`` of the "How was this fixed?" modal."""
REASSIGN_VIEW = "argus_reassign"
"""``callback_id`` of the member picker."""

TEMPLATE_BLOCK, REASON_BLOCK, OUTCOME_BLOCK = "template", "reason", "outcome"
ASSIGNEES_BLOCK = "assignees"
RESOLVE, CLOSE = "resolve", "close"

RESOLVE_TEMPLATES = (
    "Fixed in production",
    "Not an issue",
    "Duplicate",
    "Config change",
    "Rolled back the deploy",
    "Fixed upstream (third party)",
)
"""The quick answers, as the dashboard offers them."""

MAX_OPTIONS = 100  # Slack's limit for one select menu
MAX_LABEL = 75  # an option's or a group's text


class Where(msgspec.Struct, frozen=True, kw_only=True):
    """What a modal is about: the issue, and where its card is (for answers)."""

    issue_id: UUID
    channel_id: str | None = None
    thread_ts: str | None = None


class Pick(msgspec.Struct, frozen=True, kw_only=True):
    """Someone the member picker offers."""

    member_id: UUID
    name: str
    team_name: str


def resolve_view(issue: Issue, where: Where) -> dict[str, Any]:
    """ "How was this fixed?": a quick answer and/or words, and resolve or close."""
    return {
        "type": "modal",
        "callback_id": RESOLVE_VIEW,
        "private_metadata": _metadata(where),
        "title": _plain(f"Resolve #{issue.number}"),
        "submit": _plain("Save"),
        "close": _plain("Cancel"),
        "blocks": [
            {"type": "section", "text": {"type": "mrkdwn", "text": _headline(issue)}},
            {
                "type": "input",
                "block_id": OUTCOME_BLOCK,
                "label": _plain("Outcome"),
                "element": {
                    "type": "radio_buttons",
                    "action_id": OUTCOME_BLOCK,
                    "initial_option": _option("Resolved: it is fixed", RESOLVE),
                    "options": [
                        _option("Resolved: it is fixed", RESOLVE),
                        _option("Closed: nothing to fix (managers and admins)", CLOSE),
                    ],
                },
            },
            {
                "type": "input",
                "block_id": TEMPLATE_BLOCK,
                "optional": True,
                "label": _plain("Quick answer"),
                "element": {
                    "type": "static_select",
                    "action_id": TEMPLATE_BLOCK,
                    "placeholder": _plain("Pick a common answer"),
                    "options": [_option(t, t) for t in RESOLVE_TEMPLATES],
                },
            },
            {
                "type": "input",
                "block_id": REASON_BLOCK,
                "optional": True,
                "label": _plain("How was this fixed?"),
                "hint": _plain("Required: pick a quick answer, write a few words, or both."),
                "element": {
                    "type": "plain_text_input",
                    "action_id": REASON_BLOCK,
                    "multiline": True,
                    "max_length": MAX_REASON_LENGTH,
                    "placeholder": _plain("What was wrong and what fixed it"),
                },
            },
        ],
    }


def reassign_view(
    issue: Issue, picks: Sequence[Pick], where: Where, *, team_name: str | None
) -> dict[str, Any]:
    """A member picker: the issue's team first, then the other teams (one group each)."""
    groups: dict[str, list[dict[str, Any]]] = {}
    ordered = sorted(picks, key=lambda p: (p.team_name != team_name, p.team_name, p.name))
    for pick in ordered[:MAX_OPTIONS]:
        groups.setdefault(pick.team_name, []).append(_option(pick.name, str(pick.member_id)))
    element: dict[str, Any] = {
        "type": "multi_static_select",
        "action_id": ASSIGNEES_BLOCK,
        "placeholder": _plain("Pick people"),
        "option_groups": [
            {"label": _plain(name), "options": options} for name, options in groups.items()
        ],
    }
    current = {str(i) for i in issue.assignee_ids}
    initial = [o for options in groups.values() for o in options if o["value"] in current]
    if initial:
        element["initial_options"] = initial
    return {
        "type": "modal",
        "callback_id": REASSIGN_VIEW,
        "private_metadata": _metadata(where),
        "title": _plain(f"Reassign #{issue.number}"),
        "submit": _plain("Assign"),
        "close": _plain("Cancel"),
        "blocks": [
            {"type": "section", "text": {"type": "mrkdwn", "text": _headline(issue)}},
            {
                "type": "input",
                "block_id": ASSIGNEES_BLOCK,
                "optional": True,
                "label": _plain("Assign to"),
                "hint": _plain(
                    "The first one picked is the primary assignee. Picking people of "
                    "another team moves the issue to that team."
                ),
                "element": element,
            },
        ],
    }


def where_of(view: Mapping[str, Any]) -> Where | None:
    """The issue and place a submitted modal is about, or None if it is not readable."""
    try:
        return msgspec.json.decode(str(view.get("private_metadata") or ""), type=Where)
    except (msgspec.DecodeError, msgspec.ValidationError):
        return None


def resolution_of(view: Mapping[str, Any]) -> tuple[str, str | None]:
    """The outcome (:data:`RESOLVE` or :data:`CLOSE`) and the reason: the quick answer,
    the words, or both ("Rolled back the deploy: v1.4 leaked connections"); None if
    neither was given."""
    outcome = _selected(view, OUTCOME_BLOCK) or RESOLVE
    template = _selected(view, TEMPLATE_BLOCK)
    words = _value(view, REASON_BLOCK)
    if template and words:
        return outcome, f"{template}: {words}"
    return outcome, words or template


def assignees_of(view: Mapping[str, Any]) -> list[UUID]:
    """The member ids picked, in the order picked (unreadable values are skipped)."""
    state = _state(view).get(ASSIGNEES_BLOCK, {}).get(ASSIGNEES_BLOCK, {})
    picked: list[UUID] = []
    for option in state.get("selected_options") or ():
        try:
            picked.append(uuid.UUID(str(option.get("value"))))
        except ValueError:
            continue
    return picked


def _state(view: Mapping[str, Any]) -> Mapping[str, Mapping[str, Mapping[str, Any]]]:
    state = view.get("state")
    values = state.get("values") if isinstance(state, Mapping) else None
    return values if isinstance(values, Mapping) else {}


def _selected(view: Mapping[str, Any], block: str) -> str | None:
    option = _state(view).get(block, {}).get(block, {}).get("selected_option")
    value = option.get("value") if isinstance(option, Mapping) else None
    return str(value) if value else None


def _value(view: Mapping[str, Any], block: str) -> str | None:
    value = _state(view).get(block, {}).get(block, {}).get("value")
    return value.strip() or None if isinstance(value, str) else None


def _headline(issue: Issue) -> str:
    return f"*#{issue.number} {escape(issue.title)}*"


def _metadata(where: Where) -> str:
    return json.dumps(msgspec.to_builtins(where))


def _option(text: str, value: str) -> dict[str, Any]:
    return {"text": _plain(text), "value": value}


def _plain(text: str) -> dict[str, Any]:
    return {"type": "plain_text", "text": _short(text), "emoji": True}


def _short(text: str) -> str:
    return text if len(text) <= MAX_LABEL else text[: MAX_LABEL - 1] + "…"
