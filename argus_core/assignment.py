"""Workload assignment: who gets a new issue."""

from __future__ import annotations

from collections.abc import Iterable

from argus_core.domain.team import Member
from argus_core.domain.values import MemberRole


def eligible(member: Member) -> bool:
    """Automatic assignment only picks active agents; managers are assigned explicitly."""
    return member.is_active and member.role is MemberRole.AGENT


def pick_assignee(members: Iterable[Member]) -> Member | None:
    """The eligible member with the lowest open workload.

    Ties go to the one assigned least recently (never assigned counts as longest ago),
    then to the earliest member, so the choice is deterministic. None when nobody is
    eligible: the issue stays unassigned and the team's managers are told.
    """
    return min(
        (m for m in members if eligible(m)),
        key=lambda m: (
            m.open_issue_count,
            m.last_assigned_at is not None,
            m.last_assigned_at or m.created_at,
            m.created_at,
            m.id,
        ),
        default=None,
    )


def managers(members: Iterable[Member]) -> tuple[Member, ...]:
    """The active managers among ``members``, to be told when nobody can take an issue."""
    return tuple(m for m in members if m.is_active and m.role is MemberRole.MANAGER)
