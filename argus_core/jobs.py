"""Which jobs a domain event starts, and how each kind of job is run.

The outbox relay turns every stored event into the jobs named here. A job's key is
derived from the event, so handing the same event over twice (a relay that died before
marking it, two relays at once) queues the job once.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import msgspec

from argus_core.domain.events import DomainEvent, IssueReported, RcaRequested

NOTIFY = "notify"
"""Tell Slack: thread reply, DMs to new assignees, status emoji."""
TRIAGE = "triage"
"""Work out team, priority and category of a report that came without a team."""
REMINDERS = "reminders"
"""The periodic reminder run (records ``ReminderDue`` events; ``notify`` sends them)."""
RCA = "rca"
"""The root-cause analysis of one issue (every new issue, and on request)."""
INTAKE = "intake"
"""Take in one delivery from the chat tool (a Slack mention, shortcut or modal)."""


class JobSpec(msgspec.Struct, frozen=True, kw_only=True):
    """A job to queue: its handler's name, its dedupe key and its JSON payload."""

    name: str
    key: str
    payload: dict[str, Any]


class JobPolicy(msgspec.Struct, frozen=True, kw_only=True):
    """How a kind of job runs: time limit, attempts, backoff between them."""

    timeout_seconds: int
    retries: int
    retry_delay_seconds: float = 1.0
    heartbeat_seconds: int = 0


POLICIES: dict[str, JobPolicy] = {
    NOTIFY: JobPolicy(timeout_seconds=30, retries=6, retry_delay_seconds=2.0, heartbeat_seconds=10),
    TRIAGE: JobPolicy(
        timeout_seconds=120, retries=4, retry_delay_seconds=5.0, heartbeat_seconds=60
    ),
    REMINDERS: JobPolicy(timeout_seconds=60, retries=1),
    INTAKE: JobPolicy(timeout_seconds=60, retries=8, retry_delay_seconds=1.0, heartbeat_seconds=30),
    # A remote investigation may take its full 600 s; a run whose hold is taken (another
    # run, or a dead one whose hold has not expired yet) waits for a later attempt.
    RCA: JobPolicy(
        timeout_seconds=1800, retries=6, retry_delay_seconds=30.0, heartbeat_seconds=120
    ),
}


DEFAULT_POLICY = JobPolicy(timeout_seconds=60, retries=3)
"""For a job kind without a policy of its own."""


def policy_of(policies: Mapping[str, JobPolicy], name: str) -> JobPolicy:
    """The policy of the job kind ``name``."""
    return policies.get(name, DEFAULT_POLICY)


def tuned(
    policies: dict[str, JobPolicy], *, retries: int | None, retry_delay_seconds: float | None
) -> dict[str, JobPolicy]:
    """``policies`` with every kind's retries and first retry delay overridden (settings)."""
    changes: dict[str, object] = {}
    if retries is not None:
        changes["retries"] = retries
    if retry_delay_seconds is not None:
        changes["retry_delay_seconds"] = retry_delay_seconds
    return {name: msgspec.structs.replace(p, **changes) for name, p in policies.items()}


def event_payload(event: DomainEvent) -> dict[str, Any]:
    """The event as a JSON-ready payload (decoded again by :func:`event_of`)."""
    return {"event": msgspec.json.encode(event).decode()}


def event_of(payload: dict[str, Any]) -> DomainEvent:
    """The event a job carries."""
    return msgspec.json.decode(payload["event"], type=DomainEvent)


def jobs_for(event: DomainEvent) -> list[JobSpec]:
    """The jobs an event starts: every event is told in Slack; a report without a team
    is triaged too (its card says "triaging..." at once, and the triage's own events
    complete it); every new issue and every request for one gets a root-cause analysis."""
    payload = event_payload(event)
    if isinstance(event, RcaRequested):
        return [JobSpec(name=RCA, key=f"{RCA}:{event.id}", payload=payload)]
    jobs = [JobSpec(name=NOTIFY, key=f"{NOTIFY}:{event.id}", payload=payload)]
    if isinstance(event, IssueReported) and event.needs_triage:
        jobs.append(JobSpec(name=TRIAGE, key=f"{TRIAGE}:{event.id}", payload=payload))
    if isinstance(event, IssueReported):
        jobs.append(JobSpec(name=RCA, key=f"{RCA}:{event.id}", payload=payload))
    return jobs
