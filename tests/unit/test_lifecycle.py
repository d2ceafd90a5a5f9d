"""Status transitions, reasons, timestamps and workload effects of one change."""

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from argus_core.domain.errors import Conflict, InvalidInput
from argus_core.domain.events import IssueAssigned, StatusChanged
from argus_core.domain.history import HistoryAction
from argus_core.domain.issue import Issue
from argus_core.domain.values import MAX_TITLE_LENGTH, Priority, Status
from argus_core.lifecycle import TRANSITIONS, Edits, assign, edit, move_to_team, transition
from argus_core.validation import clean_description, clean_reason, clean_title

T0 = datetime(2026, 3, 2, 9, tzinfo=UTC)
ALICE, BOB = uuid.uuid4(), uuid.uuid4()


def issue(**kw: object) -> Issue:
    fields: dict[str, object] = {
        "id": uuid.uuid4(),
        "number": 1,
        "title": "Checkout fails",
        "created_at": T0,
        "updated_at": T0,
        "assignee_ids": (ALICE,),
        "team_id": uuid.uuid4(),
    }
    return Issue(**(fields | kw))  # type: ignore[arg-type]


@pytest.mark.parametrize(("old", "new"), [(a, b) for a in Status for b in Status if a is not b])
def test_transitions_follow_the_table(old: Status, new: Status) -> None:
    start = issue(status=old)
    if new not in TRANSITIONS[old]:
        with pytest.raises(Conflict):
            transition(start, new, by="x", now=T0, reason="because")
        return
    change = transition(start, new, by="x", now=T0, reason="because")
    assert change.issue.status is new
    (event,) = change.events
    assert isinstance(event, StatusChanged)
    assert (event.old, event.new) == (old, new)
    # Workload moves exactly when the issue enters or leaves the active states.
    expected = 0 if old.is_active == new.is_active else (1 if new.is_active else -1)
    assert sum(d.open_delta for d in change.workload) == expected


def test_same_status_changes_nothing() -> None:
    change = transition(issue(), Status.OPEN, by="x", now=T0)
    assert change.is_empty
    assert change.events == ()


@pytest.mark.parametrize(
    ("status", "question"),
    [(Status.RESOLVED, "How was this fixed?"), (Status.CLOSED, "Why are you closing this?")],
)
@pytest.mark.parametrize("reason", [None, "", "   \n"])
def test_resolve_and_close_need_a_reason(status: Status, question: str, reason: str | None) -> None:
    with pytest.raises(InvalidInput, match=question.replace("?", r"\?")):
        transition(issue(), status, by="x", now=T0, reason=reason)


def test_resolve_records_who_when_and_why() -> None:
    later = T0 + timedelta(hours=3)
    change = transition(issue(), Status.RESOLVED, by="Bob", now=later, reason=" restarted pod ")
    done = change.issue
    assert (done.resolved_at, done.resolved_by, done.resolution_reason) == (
        later,
        "Bob",
        "restarted pod",
    )
    assert done.first_acknowledged_at == later
    assert [h.action for h in change.history] == [
        HistoryAction.RESOLVED,
        HistoryAction.RESOLUTION_NOTES,
    ]
    assert change.history[1].new_value == "restarted pod"


def test_auto_resolve_is_recorded_as_such() -> None:
    change = transition(
        issue(), Status.RESOLVED, by="Argus", now=T0, reason="false alarm", automatic=True
    )
    assert change.history[1].action is HistoryAction.AUTO_RESOLVE_REASON
    assert isinstance(change.events[0], StatusChanged)
    assert change.events[0].automatic


def test_close_records_reason() -> None:
    change = transition(issue(), Status.CLOSED, by="x", now=T0, reason="duplicate of #4")
    assert change.issue.close_reason == "duplicate of #4"
    assert change.issue.closed_at == T0
    assert [h.action for h in change.history] == [
        HistoryAction.UPDATED_STATUS,
        HistoryAction.CLOSE_REASON,
    ]


def test_reopen_clears_the_resolution_and_restores_workload() -> None:
    resolved = transition(issue(), Status.RESOLVED, by="x", now=T0, reason="fixed").issue
    closed = transition(resolved, Status.CLOSED, by="x", now=T0, reason="done").issue
    reopened = transition(closed, Status.OPEN, by="x", now=T0 + timedelta(days=1))
    again = reopened.issue
    assert again.status is Status.OPEN
    assert (again.resolved_at, again.resolved_by, again.resolution_reason) == (None, None, None)
    assert (again.closed_at, again.close_reason) == (None, None)
    assert again.first_acknowledged_at == T0  # acknowledged once, kept
    assert [(d.member_id, d.open_delta) for d in reopened.workload] == [(ALICE, 1)]


def test_first_acknowledged_is_set_once() -> None:
    started = transition(issue(), Status.IN_PROGRESS, by="x", now=T0).issue
    back = transition(started, Status.OPEN, by="x", now=T0 + timedelta(hours=1)).issue
    again = transition(back, Status.IN_PROGRESS, by="x", now=T0 + timedelta(hours=2)).issue
    assert again.first_acknowledged_at == T0


def test_assign_moves_counters_of_added_and_removed() -> None:
    change = assign(issue(), (BOB,), names={ALICE: "Alice", BOB: "Bob"}, by="m", now=T0)
    deltas = {d.member_id: (d.open_delta, d.assigned_delta) for d in change.workload}
    assert deltas == {BOB: (1, 1), ALICE: (-1, 0)}
    assert (change.history[0].old_value, change.history[0].new_value) == ("Alice", "Bob")
    event = change.events[0]
    assert isinstance(event, IssueAssigned)
    assert (event.added, event.removed) == ((BOB,), (ALICE,))


def test_assign_on_resolved_issue_counts_assignment_but_no_open_load() -> None:
    done = issue(status=Status.RESOLVED)
    change = assign(done, (ALICE, BOB), names={}, by="m", now=T0)
    assert [(d.member_id, d.open_delta, d.assigned_delta) for d in change.workload] == [(BOB, 0, 1)]


def test_assign_same_list_or_duplicates_is_a_no_op() -> None:
    assert assign(issue(), (ALICE, ALICE), names={}, by="m", now=T0).is_empty


def test_reordering_changes_primary_without_load() -> None:
    two = issue(assignee_ids=(ALICE, BOB))
    change = assign(two, (BOB, ALICE), names={}, by="m", now=T0)
    assert change.issue.primary_assignee_id == BOB
    assert change.workload == ()
    assert change.history


def test_move_to_team_unassigns() -> None:
    new_team = uuid.uuid4()
    change = move_to_team(issue(), new_team, names={ALICE: "Alice"}, by="m", now=T0)
    assert change.issue.team_id == new_team
    assert change.issue.assignee_ids == ()
    assert [h.action for h in change.history] == [
        HistoryAction.ASSIGNED,
        HistoryAction.UPDATED_TEAM_ID,
    ]
    assert change.history[0].old_value == "Alice"
    assert move_to_team(change.issue, new_team, names={}, by="m", now=T0).is_empty


def test_edit_records_only_real_changes() -> None:
    start = issue(priority=Priority.LOW)
    change = edit(start, Edits(title="Checkout fails", priority=Priority.HIGH), by="m", now=T0)
    assert [h.action for h in change.history] == [HistoryAction.UPDATED_PRIORITY]
    assert (change.history[0].old_value, change.history[0].new_value) == ("low", "high")
    muted = edit(start, Edits(notifications_muted=True), by="m", now=T0)
    assert muted.history[0].new_value == "true"
    assert edit(start, Edits(), by="m", now=T0).is_empty


def test_titles_are_cleaned_truncated_or_refused() -> None:
    assert clean_title("  too   many spaces ") == "too many spaces"
    long = "x" * (MAX_TITLE_LENGTH + 50)
    with pytest.raises(InvalidInput, match="longer than"):
        clean_title(long)
    cut = clean_title(long, truncate=True)
    assert len(cut) == MAX_TITLE_LENGTH
    assert cut.endswith("…")
    with pytest.raises(InvalidInput, match="empty"):
        clean_title("  ")


def test_description_and_reason_are_bounded() -> None:
    with pytest.raises(InvalidInput):
        clean_description("x" * 100_000)
    with pytest.raises(InvalidInput, match="longer"):
        clean_reason("x" * 10_000, question="Why?")


def test_nul_characters_are_refused_everywhere_text_is_typed() -> None:
    for clean in (clean_title, clean_description):
        with pytest.raises(InvalidInput, match="NUL"):
            clean("bad\x00text")
    with pytest.raises(InvalidInput, match="NUL"):
        clean_reason("fixed\x00", question="Why?")
