"""Pieces every use case shares: persisting a change and finding what it needs."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from uuid import UUID

from argus_core.domain.issue import Issue
from argus_core.lifecycle import Change
from argus_core.policy import Scope
from argus_core.ports import UnitOfWork


async def persist(uow: UnitOfWork, change: Change, *, new: bool = False) -> None:
    """Write a change's workload, issue, history and events in the current unit.

    Members first, then the issue: every unit touches shared rows in the same order
    (member rows, then what the issue row drives), so concurrent units queue instead of
    deadlocking.
    """
    if change.workload:
        await uow.members.apply_workload(change.workload)
    if new:
        await uow.issues.add(change.issue)
    elif not change.is_empty:
        await uow.issues.save(change.issue)
    if change.history:
        await uow.history.add(change.history)
    if change.events:
        await uow.outbox.record(change.events)


def issue_scope(issue: Issue) -> Scope:
    """The policy scope of an issue: its team and its assignees."""
    return Scope(team_id=issue.team_id, assignee_ids=frozenset(issue.assignee_ids))


async def member_names(uow: UnitOfWork, ids: Iterable[UUID]) -> Mapping[UUID, str]:
    """Display names of members, for readable history."""
    return {member_id: (await uow.members.get(member_id)).name for member_id in set(ids)}
