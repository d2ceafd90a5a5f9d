"""The card's modals: what they offer, and what is read back from a submission."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from argus_adapters.slack.views import (
    CLOSE,
    MAX_OPTIONS,
    RESOLVE,
    RESOLVE_TEMPLATES,
    Pick,
    Where,
    assignees_of,
    reassign_view,
    resolution_of,
    resolve_view,
    where_of,
)
from argus_core.domain.issue import Issue

NOW = datetime(2026, 1, 5, 10, 0, tzinfo=UTC)
ANA, BO, SAM = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
ISSUE = Issue(
    id=uuid.uuid4(), number=7, title="Refunds <fail>", assignee_ids=(BO,),
    created_at=NOW, updated_at=NOW,
)  # fmt: skip
WHERE = Where(issue_id=ISSUE.id, channel_id="C1", thread_ts="1.1")


def submitted(view: dict[str, Any], values: dict[str, Any]) -> dict[str, Any]:
    return {**view, "state": {"values": values}}


def test_the_resolve_modal_carries_its_issue_and_the_quick_answers() -> None:
    view = resolve_view(ISSUE, WHERE)
    assert where_of(view) == WHERE
    assert view["title"]["text"] == "Resolve #7"
    assert len(view["title"]["text"]) <= 24  # Slack's limit for a modal title
    [select] = [b["element"] for b in view["blocks"] if b.get("block_id") == "template"]
    assert [o["value"] for o in select["options"]] == list(RESOLVE_TEMPLATES)
    assert "&lt;fail&gt;" in view["blocks"][0]["text"]["text"]


def test_the_reason_is_the_quick_answer_the_words_or_both() -> None:
    view = resolve_view(ISSUE, WHERE)

    def read(template: str | None, words: str | None, outcome: str | None = None) -> Any:
        values: dict[str, Any] = {
            "template": {"template": {"selected_option": template and {"value": template}}},
            "reason": {"reason": {"value": words}},
        }
        if outcome:
            values["outcome"] = {"outcome": {"selected_option": {"value": outcome}}}
        return resolution_of(submitted(view, values))

    assert read("Duplicate", None) == (RESOLVE, "Duplicate")
    assert read(None, "  restarted it ") == (RESOLVE, "restarted it")
    assert read("Config change", "raised the pool", CLOSE) == (
        CLOSE,
        "Config change: raised the pool",
    )
    assert read(None, "   ") == (RESOLVE, None)
    assert resolution_of({}) == (RESOLVE, None)


def test_the_picker_puts_the_issues_team_first_and_preselects_its_assignees() -> None:
    picks = [
        Pick(member_id=SAM, name="Sam", team_name="Search"),
        Pick(member_id=BO, name="Bo", team_name="Payments"),
        Pick(member_id=ANA, name="Ana", team_name="Payments"),
    ]
    view = reassign_view(ISSUE, picks, WHERE, team_name="Payments")
    [element] = [b["element"] for b in view["blocks"] if b["type"] == "input"]
    groups = [(g["label"]["text"], [o["text"]["text"] for o in g["options"]])
              for g in element["option_groups"]]  # fmt: skip
    assert groups == [("Payments", ["Ana", "Bo"]), ("Search", ["Sam"])]
    assert [o["value"] for o in element["initial_options"]] == [str(BO)]
    assert where_of(view) == WHERE


def test_the_picker_offers_at_most_what_slack_allows() -> None:
    many = [Pick(member_id=uuid.uuid4(), name=f"P{i:03}", team_name="T") for i in range(150)]
    view = reassign_view(ISSUE, many, WHERE, team_name=None)
    [element] = [b["element"] for b in view["blocks"] if b["type"] == "input"]
    assert sum(len(g["options"]) for g in element["option_groups"]) == MAX_OPTIONS
    assert "initial_options" not in element


def test_picks_are_read_in_order_and_garbage_is_skipped() -> None:
    values = {
        "assignees": {
            "assignees": {
                "selected_options": [{"value": str(SAM)}, {"value": "nope"}, {"value": str(ANA)}]
            }
        }
    }
    assert assignees_of(submitted({}, values)) == [SAM, ANA]
    assert assignees_of({}) == []


def test_a_modal_without_readable_metadata_names_no_issue() -> None:
    assert where_of({}) is None
    assert where_of({"private_metadata": "{not json"}) is None
    assert where_of({"private_metadata": '{"issue_id": "x"}'}) is None
