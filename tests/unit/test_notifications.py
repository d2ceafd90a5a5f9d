"""What each event makes Argus say, which jobs it starts, and how jobs carry events."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import get_args
from uuid import UUID

import msgspec
import pytest
from hypothesis import given
from hypothesis import strategies as st

from argus_core.domain.events import (
    DomainEvent,
    IssueAssigned,
    IssueReported,
    IssueTriaged,
    IssueUpdated,
    NoAssigneeAvailable,
    RcaFinished,
    RcaRequested,
    ReminderDue,
    StatusChanged,
    TeamChanged,
)
from argus_core.domain.issue import Categorization, Issue
from argus_core.domain.team import Member
from argus_core.domain.values import MemberRole, Priority, RcaState, Source, Status
from argus_core.jobs import (
    INTAKE,
    NOTIFY,
    POLICIES,
    RCA,
    REMINDERS,
    TRIAGE,
    JobPolicy,
    event_of,
    event_payload,
    jobs_for,
    tuned,
)
from argus_core.notifications import CardAction, CardPerson, Notification, card_of, compose

NOW = datetime(2026, 1, 5, 10, 0, tzinfo=UTC)
LINK = "https://argus.example.com/issues/1"
TEAM_ID = uuid.uuid4()
ISSUE_ID = uuid.uuid4()


def member(
    name: str,
    slack: str | None = None,
    *,
    role: MemberRole = MemberRole.AGENT,
    muted: bool = False,
) -> Member:
    return Member(
        id=uuid.uuid4(),
        team_id=TEAM_ID,
        name=name,
        role=role,
        slack_user_id=slack,
        notifications_muted=muted,
        created_at=NOW,
    )


ALICE = member("Alice", "UALICE")
BOB = member("Bob")  # no Slack id
MUTED = member("Mo", "UMO", muted=True)
BOSS = member("Boss", "UBOSS", role=MemberRole.MANAGER)
QUIET_BOSS = member("Quiet Boss", role=MemberRole.MANAGER)
MEMBERS = {m.id: m for m in (ALICE, BOB, MUTED, BOSS, QUIET_BOSS)}


def an_issue(**changes: object) -> Issue:
    issue = Issue(
        id=ISSUE_ID,
        number=42,
        title="Checkout is down",
        priority=Priority.HIGH,
        team_id=TEAM_ID,
        assignee_ids=(ALICE.id, BOB.id),
        created_at=NOW,
        updated_at=NOW,
    )
    return msgspec.structs.replace(issue, **changes)


def every_event(issue_id: UUID = ISSUE_ID) -> list[DomainEvent]:
    """One event of every type (two reports: with and without triage; two finished
    analyses: completed and failed)."""
    i, t = issue_id, NOW
    return [
        IssueReported(
            issue_id=i, occurred_at=t, number=42, source=Source.SLACK, team_id=None,
            needs_triage=True,
        ),
        IssueReported(
            issue_id=i, occurred_at=t, number=43, source=Source.WEB, team_id=TEAM_ID,
            needs_triage=False, priority_given=True,
        ),
        IssueTriaged(issue_id=i, occurred_at=t, provider="keywords", team_id=TEAM_ID),
        IssueAssigned(
            issue_id=i, occurred_at=t, assignee_ids=(ALICE.id,), added=(ALICE.id,),
            removed=(BOB.id,), performed_by="Ada",
        ),
        NoAssigneeAvailable(issue_id=i, occurred_at=t, team_id=TEAM_ID, manager_ids=(BOSS.id,)),
        StatusChanged(
            issue_id=i, occurred_at=t, old=Status.OPEN, new=Status.RESOLVED,
            reason="rolled back", performed_by="Ada", automatic=True,
        ),
        IssueUpdated(issue_id=i, occurred_at=t, fields=("title", "priority"), performed_by="Ada"),
        TeamChanged(
            issue_id=i, occurred_at=t, old_team_id=None, new_team_id=TEAM_ID, performed_by="Ada"
        ),
        ReminderDue(issue_id=i, occurred_at=t, assignee_ids=(ALICE.id,)),
        RcaRequested(issue_id=i, occurred_at=t, performed_by="Ada"),
        RcaFinished(
            issue_id=i, occurred_at=t, state=RcaState.COMPLETED, provider="vishwakarma",
            source="vishwakarma", summary="The pool ran out of connections.",
        ),
        RcaFinished(
            issue_id=i, occurred_at=t, state=RcaState.FAILED, provider=None, source=None,
            summary="No provider answered (ai: timeout 60s).",
        ),
    ]  # fmt: skip


def test_the_event_list_covers_every_event_type() -> None:
    assert {type(e) for e in every_event()} == set(get_args(DomainEvent))


# --------------------------------------------------------------------------- compose


def say(
    event: DomainEvent, issue: Issue | None = None, team: str | None = "Payments"
) -> Notification:
    return compose(event, issue or an_issue(), MEMBERS, team_name=team, link=LINK)


@pytest.mark.parametrize("kind", [IssueReported, IssueTriaged])
def test_new_and_triaged_issues_are_announced_by_their_card_alone(kind: type) -> None:
    event = next(e for e in every_event() if type(e) is kind and not getattr(e, "needs_triage", 0))
    note = say(event)
    card = note.card
    assert card is not None
    assert (card.issue_id, card.number, card.title) == (ISSUE_ID, 42, "Checkout is down")
    assert (card.priority, card.category, card.status) == (Priority.HIGH, "other", Status.OPEN)
    assert card.team_name == "Payments"
    assert card.assignees == (
        CardPerson(name="Alice", chat_user_id="UALICE"),
        CardPerson(name="Bob"),
    )
    assert card.link == LINK
    assert not card.triaging
    assert card.key == f"card:{ISSUE_ID}"
    for part in ("#42 Checkout is down", "high", "Payments", "<@UALICE>", "Bob", LINK):
        assert part in card.text
    assert "<@None>" not in card.text
    assert note.thread_text is None  # the card is the announcement: nothing posted twice
    assert note.show_status
    assert note.direct == ()


def test_an_announcement_without_team_or_assignee_says_so() -> None:
    event = every_event()[1]
    note = say(event, an_issue(assignee_ids=(), team_id=None), team=None)
    assert note.card is not None
    assert note.card.assignees == ()
    assert "not set" in note.card.text
    assert "nobody yet" in note.card.text


def test_a_report_waiting_for_triage_shows_a_triaging_card_without_buttons() -> None:
    event = every_event()[0]
    assert isinstance(event, IssueReported)
    assert event.needs_triage
    note = say(event, an_issue(team_id=None, assignee_ids=()), team=None)
    assert note.card is not None
    assert note.card.triaging
    assert note.card.actions == ()
    assert "triaging..." in note.card.text
    assert "#42 Checkout is down" in note.card.text
    assert note.thread_text is None
    assert note.show_status


def test_a_report_whose_triage_finished_first_shows_the_full_card() -> None:
    triaged = an_issue(categorization=Categorization(
        provider="keywords", title="Checkout is down", category="payments",
        priority=Priority.HIGH, team_name="Payments",
    ))  # fmt: skip
    note = say(every_event()[0], triaged)
    assert note.card is not None
    assert not note.card.triaging
    assert note.card.actions == (CardAction.ACKNOWLEDGE, CardAction.RESOLVE, CardAction.REASSIGN)


def test_the_triage_fills_in_the_same_card() -> None:
    reported, triaged = every_event()[0], every_event()[2]
    before = say(reported, an_issue(team_id=None, assignee_ids=()), team=None).card
    after = say(triaged, an_issue(updated_at=NOW + timedelta(seconds=2))).card
    assert before is not None
    assert after is not None
    assert before.key == after.key
    assert before.triaging
    assert not after.triaging
    assert after.revision > before.revision
    assert after.team_name == "Payments"


@pytest.mark.parametrize(
    ("status", "actions"),
    [
        (Status.OPEN, (CardAction.ACKNOWLEDGE, CardAction.RESOLVE, CardAction.REASSIGN)),
        (Status.IN_PROGRESS, (CardAction.RESOLVE, CardAction.REASSIGN)),
        (Status.RESOLVED, ()),
        (Status.CLOSED, ()),
    ],
)
def test_the_card_offers_the_buttons_that_fit_the_status(
    status: Status, actions: tuple[CardAction, ...]
) -> None:
    card = card_of(an_issue(status=status), MEMBERS, team_name="Payments", link=LINK)
    assert card.actions == actions
    assert status.value.replace("_", " ") in card.text


def test_a_finished_issue_shows_how_it_was_fixed_or_why_it_was_closed() -> None:
    resolved = an_issue(status=Status.RESOLVED, resolution_reason="Rolled back")
    closed = an_issue(status=Status.CLOSED, resolution_reason="old", close_reason="Duplicate")
    reopened = an_issue(status=Status.OPEN, resolution_reason="stale")
    outcomes = [card_of(i, MEMBERS, team_name=None, link=LINK).outcome for i in (
        resolved, closed, reopened
    )]  # fmt: skip
    assert outcomes == ["Rolled back", "Duplicate", None]


def test_events_that_change_the_issue_bring_its_card_up_to_date() -> None:
    changes = (IssueAssigned, StatusChanged, IssueUpdated, TeamChanged, IssueTriaged)
    quiet = (NoAssigneeAvailable, ReminderDue, RcaRequested, RcaFinished)
    for event in every_event():
        card = say(event).card
        if isinstance(event, (*changes, IssueReported)):
            assert card is not None, event
            assert card.key == f"card:{ISSUE_ID}"  # one card per issue, whatever the event
        else:
            assert isinstance(event, quiet)
            assert card is None, event
    for event in every_event():
        if isinstance(event, changes):
            assert say(event).thread_text is not None or isinstance(event, IssueTriaged)


def test_a_later_change_gives_a_later_revision() -> None:
    first = card_of(an_issue(), MEMBERS, team_name=None, link=LINK)
    later = card_of(
        an_issue(updated_at=NOW + timedelta(microseconds=1)), MEMBERS, team_name=None, link=LINK
    )
    assert later.revision == first.revision + 1


def test_assignees_unknown_to_the_member_map_are_left_out() -> None:
    ghost = uuid.uuid4()
    note = say(every_event()[1], an_issue(assignee_ids=(ghost, ALICE.id)))
    assert note.card is not None
    assert note.card.assignees == (CardPerson(name="Alice", chat_user_id="UALICE"),)
    assert str(ghost) not in note.card.text
    alone = say(every_event()[1], an_issue(assignee_ids=(ghost,)))
    assert alone.card is not None
    assert "nobody yet" in alone.card.text


def test_assignment_dms_only_added_members_with_slack_who_are_not_muted() -> None:
    event = IssueAssigned(
        issue_id=ISSUE_ID,
        occurred_at=NOW,
        assignee_ids=(ALICE.id, BOB.id, MUTED.id, BOSS.id),
        added=(ALICE.id, BOB.id, MUTED.id, uuid.uuid4()),  # BOSS stays, was not added
        removed=(),
        performed_by="Ada",
    )
    note = say(event, an_issue(assignee_ids=event.assignee_ids))
    assert [dm.user_id for dm in note.direct] == ["UALICE"]
    (dm,) = note.direct
    assert "#42 Checkout is down" in dm.text
    assert "Ada" in dm.text
    assert LINK in dm.text
    assert dm.key == f"{event.id}:dm:{ALICE.id}"
    assert note.thread_text is not None
    assert note.thread_text.startswith("Assigned to <@UALICE>, Bob, <@UMO>, <@UBOSS>")
    assert "by Ada" in note.thread_text
    assert note.thread_key == f"{event.id}:thread"
    assert not note.show_status


def test_dm_keys_come_from_the_event_and_differ_per_recipient() -> None:
    other = member("Olga", "UOLGA")
    members = {**MEMBERS, other.id: other}
    event = IssueAssigned(
        issue_id=ISSUE_ID,
        occurred_at=NOW,
        assignee_ids=(ALICE.id, other.id),
        added=(ALICE.id, other.id),
        removed=(),
        performed_by="Ada",
    )
    note = compose(event, an_issue(), members, team_name=None, link=LINK)
    keys = [dm.key for dm in note.direct]
    assert [dm.user_id for dm in note.direct] == ["UALICE", "UOLGA"]
    assert len(set(keys)) == 2
    assert all(k.startswith(f"{event.id}:dm:") for k in keys)
    assert note.thread_key not in keys
    again = msgspec.structs.replace(event, id=uuid.uuid4())
    later = compose(again, an_issue(), members, team_name=None, link=LINK)
    assert not set(keys) & {dm.key for dm in later.direct}


def test_no_assignee_available_dms_the_managers_only() -> None:
    event = NoAssigneeAvailable(
        issue_id=ISSUE_ID,
        occurred_at=NOW,
        team_id=TEAM_ID,
        manager_ids=(BOSS.id, QUIET_BOSS.id, MUTED.id, uuid.uuid4()),
    )
    note = say(event, an_issue(assignee_ids=()))  # a muted manager is not told either
    assert note.thread_text is None
    assert not note.show_status
    assert [dm.user_id for dm in note.direct] == ["UBOSS"]
    (dm,) = note.direct
    assert "Payments" in dm.text
    assert "#42 Checkout is down" in dm.text
    assert LINK in dm.text
    assert dm.key == f"{event.id}:dm:{BOSS.id}"
    nameless = say(event, an_issue(assignee_ids=()), team=None)
    assert "your team" in nameless.direct[0].text


@pytest.mark.parametrize("reason", ["rolled back the deploy", None])
def test_status_change_shows_status_reason_and_emoji(reason: str | None) -> None:
    event = StatusChanged(
        issue_id=ISSUE_ID,
        occurred_at=NOW,
        old=Status.IN_PROGRESS,
        new=Status.RESOLVED,
        reason=reason,
        performed_by="Ada",
    )
    note = say(event, an_issue(status=Status.RESOLVED))
    assert note.thread_text is not None
    assert "in_progress" in note.thread_text
    assert "resolved" in note.thread_text
    assert "Ada" in note.thread_text
    if reason:
        assert f"Reason: {reason}" in note.thread_text
    else:
        assert "Reason" not in note.thread_text
    assert note.show_status
    assert note.direct == ()
    assert note.thread_key == f"{event.id}:thread"


def test_updates_team_changes_and_reminders_go_to_the_thread() -> None:
    updated, moved, reminder = (
        e for e in every_event() if isinstance(e, IssueUpdated | TeamChanged | ReminderDue)
    )
    note = say(updated)
    assert note.thread_text == "Ada changed title, priority."
    note = say(moved)
    assert note.thread_text == "Moved to team Payments by Ada."
    assert say(moved, team=None).thread_text == "Moved to team none by Ada."
    note = say(reminder)
    assert note.thread_text is not None
    for part in ("Reminder", "#42 Checkout is down", "open", "<@UALICE>", "Bob", LINK):
        assert part in note.thread_text
    for event in (updated, moved, reminder):
        note = say(event)
        assert note.thread_key == f"{event.id}:thread"
        assert note.direct == ()
        assert not note.show_status


def test_rca_requests_say_nothing() -> None:
    note = say(next(e for e in every_event() if isinstance(e, RcaRequested)))
    assert note == Notification()
    assert note.is_empty


def finished(state: RcaState, **changes: object) -> RcaFinished:
    event = next(e for e in every_event() if isinstance(e, RcaFinished) and e.state is state)
    return msgspec.structs.replace(event, **changes)


def test_a_finished_analysis_tells_its_source_summary_and_link_in_the_thread() -> None:
    event = finished(RcaState.COMPLETED)
    note = say(event)
    assert note.thread_text == (
        f"Root-cause analysis (vishwakarma): The pool ran out of connections. {LINK}"
    )
    assert note.thread_key == f"{event.id}:thread"
    assert note.direct == ()
    assert not note.show_status  # the analysis does not change the status


def test_a_finished_analysis_without_a_source_says_so() -> None:
    note = say(finished(RcaState.COMPLETED, source=None, summary="Disk full."))
    assert note.thread_text == f"Root-cause analysis (unknown source): Disk full. {LINK}"


def test_manual_steps_stay_on_the_dashboard() -> None:
    note = say(finished(RcaState.COMPLETED, provider="manual", source="fallback"))
    assert note == Notification()
    assert note.is_empty


def test_an_analysis_that_failed_says_it_did_not_finish_and_why() -> None:
    event = finished(RcaState.FAILED)
    note = say(event)
    assert note.thread_text == (
        "The root-cause analysis of #42 Checkout is down did not finish: "
        "No provider answered (ai: timeout 60s)."
    )
    assert "Root-cause analysis (" not in note.thread_text
    assert note.thread_key == f"{event.id}:thread"
    assert note.direct == ()
    assert not note.show_status


def test_every_event_but_an_rca_request_has_something_to_say() -> None:
    for event in every_event():
        assert say(event).is_empty is isinstance(event, RcaRequested)


# --------------------------------------------------------------------------- jobs


def test_a_report_needing_triage_is_told_at_once_triaged_and_analysed() -> None:
    event = every_event()[0]
    assert isinstance(event, IssueReported)
    assert event.needs_triage
    notify, triage, rca = jobs_for(event)  # told first: its card says "triaging..."
    assert (notify.name, notify.key) == (NOTIFY, f"{NOTIFY}:{event.id}")
    assert (triage.name, triage.key) == (TRIAGE, f"{TRIAGE}:{event.id}")
    assert (rca.name, rca.key) == (RCA, f"{RCA}:{event.id}")
    assert all(event_of(job.payload) == event for job in (notify, triage, rca))


def test_a_report_with_a_team_is_told_and_analysed() -> None:
    event = every_event()[1]
    assert isinstance(event, IssueReported)
    assert not event.needs_triage
    notify, rca = jobs_for(event)
    assert (notify.name, notify.key) == (NOTIFY, f"{NOTIFY}:{event.id}")
    assert (rca.name, rca.key) == (RCA, f"{RCA}:{event.id}")
    assert event_of(notify.payload) == event
    assert event_of(rca.payload) == event


def test_an_rca_request_starts_only_an_analysis() -> None:
    event = next(e for e in every_event() if isinstance(e, RcaRequested))
    (job,) = jobs_for(event)
    assert (job.name, job.key) == (RCA, f"{RCA}:{event.id}")
    assert event_of(job.payload) == event


def test_every_other_event_starts_one_notify_job() -> None:
    others = [e for e in every_event() if not isinstance(e, IssueReported | RcaRequested)]
    assert len(others) == len(every_event()) - 3
    assert any(isinstance(e, RcaFinished) for e in others)  # a finished analysis starts none
    for event in others:
        (job,) = jobs_for(event)
        assert (job.name, job.key) == (NOTIFY, f"{NOTIFY}:{event.id}")
        assert event_of(job.payload) == event


def test_analysis_keys_survive_re_decoding_and_differ_from_other_jobs() -> None:
    for event in every_event():
        again = event_of(msgspec.json.decode(msgspec.json.encode(event_payload(event))))
        assert [(j.name, j.key) for j in jobs_for(again)] == [
            (j.name, j.key) for j in jobs_for(event)
        ]
        keys = [j.key for j in jobs_for(event)]
        assert len(set(keys)) == len(keys)  # rca and notify/triage of one report differ


def test_job_keys_are_stable_per_event_and_distinct_across_events() -> None:
    events = every_event()
    first = [job.key for e in events for job in jobs_for(e)]
    again = [job.key for e in events for job in jobs_for(event_of(event_payload(e)))]
    assert first == again
    assert len(set(first)) == len(first)
    same_content = [msgspec.structs.replace(e, id=uuid.uuid4()) for e in events]
    assert not set(first) & {job.key for e in same_content for job in jobs_for(e)}


@given(st.sampled_from(every_event()), st.uuids())
def test_the_key_depends_on_the_event_id_only(event: DomainEvent, other_issue: UUID) -> None:
    moved = msgspec.structs.replace(event, issue_id=other_issue)
    assert [j.key for j in jobs_for(moved)] == [j.key for j in jobs_for(event)]


# --------------------------------------------------------------------------- payloads


@pytest.mark.parametrize("event", every_event(), ids=lambda e: type(e).__name__)
def test_payloads_round_trip_every_event_type(event: DomainEvent) -> None:
    payload = event_payload(event)
    back = event_of(payload)
    assert back == event
    assert type(back) is type(event)
    # JSON-ready: survives the queue's own encoding
    assert event_of(msgspec.json.decode(msgspec.json.encode(payload))) == event


ANY_EVENT = st.one_of(
    *(
        # ``id`` explicitly: hypothesis would otherwise pass msgspec's default factory
        st.builds(kind, id=st.uuids(), occurred_at=st.datetimes(timezones=st.just(UTC)))
        for kind in get_args(DomainEvent)
    )
)


@given(ANY_EVENT)
def test_payloads_round_trip_any_event(event: DomainEvent) -> None:
    payload = msgspec.json.decode(msgspec.json.encode(event_payload(event)))
    assert event_of(payload) == event


# --------------------------------------------------------------------------- policies


def test_tuned_overrides_retries_and_delay_of_every_policy_only() -> None:
    before = dict(POLICIES)
    tuned_ = tuned(POLICIES, retries=3, retry_delay_seconds=0.5)
    assert set(tuned_) == {NOTIFY, TRIAGE, REMINDERS, RCA, INTAKE}
    for name, policy in tuned_.items():
        assert (policy.retries, policy.retry_delay_seconds) == (3, 0.5)
        old = POLICIES[name]
        assert (policy.timeout_seconds, policy.heartbeat_seconds) == (
            old.timeout_seconds,
            old.heartbeat_seconds,
        )
    assert before == POLICIES  # the defaults are not changed


def test_tuned_leaves_what_is_not_given() -> None:
    assert tuned(POLICIES, retries=None, retry_delay_seconds=None) == POLICIES
    only_retries = tuned(POLICIES, retries=9, retry_delay_seconds=None)
    only_delay = tuned(POLICIES, retries=None, retry_delay_seconds=0)
    for name, old in POLICIES.items():
        assert only_retries[name] == msgspec.structs.replace(old, retries=9)
        assert only_delay[name] == msgspec.structs.replace(old, retry_delay_seconds=0)
    custom = {"x": JobPolicy(timeout_seconds=1, retries=1)}
    assert tuned(custom, retries=2, retry_delay_seconds=None) == {
        "x": JobPolicy(timeout_seconds=1, retries=2)
    }
