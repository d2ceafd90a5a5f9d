"""Teams and members in SQL; workload counters move only by atomic increments."""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Sequence
from datetime import datetime
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from argus_adapters.sql import models as m
from argus_adapters.sql.mapping import (
    MEMBER_FIELDS,
    member_values,
    team_values,
    to_issue,
    to_member,
    to_team,
)
from argus_adapters.sql.models import ISSUE_ROWS, MEMBER_ROWS, TEAM_ROWS
from argus_core.domain.errors import NotFound
from argus_core.domain.team import Member, Team
from argus_core.lifecycle import WorkloadDelta
from argus_core.queries import AssignableMember
from argus_core.reminders import next_due_at

RESCHEDULE = (
    sa.update(m.IssueRow)
    .where(m.IssueRow.id == sa.bindparam("row_id"))
    .values(next_reminder_at=sa.bindparam("due"))
)


_BY_EMAIL = sa.func.lower(m.MemberRow.email) == sa.bindparam("email")
_BY_SLACK = m.MemberRow.slack_user_id == sa.bindparam("slack_user_id")
# A person's memberships by email, Slack id or either (read on every request: built once).
PERSON = {
    (True, False): MEMBER_ROWS.where(_BY_EMAIL).order_by(m.MemberRow.name),
    (False, True): MEMBER_ROWS.where(_BY_SLACK).order_by(m.MemberRow.name),
    (True, True): MEMBER_ROWS.where(sa.or_(_BY_EMAIL, _BY_SLACK)).order_by(m.MemberRow.name),
    (False, False): None,
}


class SqlTeamRepository:
    """Teams; a change of reminder settings moves the next reminder of its issues."""

    def __init__(self, connection: AsyncConnection) -> None:
        self.connection = connection

    async def add(self, team: Team) -> None:
        await self.connection.execute(sa.insert(m.TeamRow).values(team_values(team)))

    async def get(self, team_id: UUID) -> Team:
        row = (await self.connection.execute(TEAM_ROWS.where(m.TeamRow.id == team_id))).first()
        if row is None:
            raise NotFound(f"No team with id {team_id}.")
        return to_team(row)

    async def find_by_name(self, name: str) -> Team | None:
        key = " ".join(name.split()).casefold()
        row = (await self.connection.execute(TEAM_ROWS.where(m.TeamRow.name_key == key))).first()
        return None if row is None else to_team(row)

    async def save(self, team: Team) -> None:
        before = await self.get(team.id)
        values = team_values(team)
        del values["id"], values["created_at"]
        await self.connection.execute(
            sa.update(m.TeamRow).where(m.TeamRow.id == team.id).values(values)
        )
        if before.reminders != team.reminders:
            await self._reschedule_reminders(team)

    async def delete(self, team_id: UUID) -> None:
        result = await self.connection.execute(sa.delete(m.TeamRow).where(m.TeamRow.id == team_id))
        if result.rowcount == 0:
            raise NotFound(f"No team with id {team_id}.")

    async def list(self) -> Sequence[Team]:
        rows = await self.connection.execute(TEAM_ROWS.order_by(m.TeamRow.name_key))
        return [to_team(row) for row in rows]

    async def _reschedule_reminders(self, team: Team) -> None:
        rows = await self.connection.execute(
            ISSUE_ROWS.where(m.IssueRow.team_id == team.id, m.IssueRow.status.in_(m.ACTIVE))
        )
        updates = [{"row_id": row.id, "due": next_due_at(to_issue(row, ()), team)} for row in rows]
        if updates:  # one statement, many rows
            await self.connection.execute(RESCHEDULE, updates)


class SqlMemberRepository:
    """Member rows; ``for_assignment`` locks the team's rows until commit."""

    def __init__(self, connection: AsyncConnection) -> None:
        self.connection = connection

    async def add(self, member: Member) -> None:
        await self.connection.execute(sa.insert(m.MemberRow).values(member_values(member)))

    async def get(self, member_id: UUID) -> Member:
        row = (
            await self.connection.execute(MEMBER_ROWS.where(m.MemberRow.id == member_id))
        ).first()
        if row is None:
            raise NotFound(f"No member with id {member_id}.")
        return to_member(row)

    async def save(self, member: Member) -> None:
        values = {f: getattr(member, f) for f in MEMBER_FIELDS} | {"role": member.role.value}
        result = await self.connection.execute(
            sa.update(m.MemberRow).where(m.MemberRow.id == member.id).values(values)
        )
        if result.rowcount == 0:
            raise NotFound(f"No member with id {member.id}.")

    async def delete(self, member_id: UUID) -> None:
        result = await self.connection.execute(
            sa.delete(m.MemberRow).where(m.MemberRow.id == member_id)
        )
        if result.rowcount == 0:
            raise NotFound(f"No member with id {member_id}.")

    async def list(self, team_id: UUID | None = None) -> Sequence[Member]:
        query = MEMBER_ROWS.order_by(sa.func.lower(m.MemberRow.name), m.MemberRow.id)
        if team_id is not None:
            query = query.where(m.MemberRow.team_id == team_id)
        return [to_member(row) for row in await self.connection.execute(query)]

    async def for_assignment(self, team_id: UUID) -> Sequence[Member]:
        # Row locks in id order: concurrent reports to one team queue here instead of
        # reading the same loads (SQLite already has a single writer).
        rows = await self.connection.execute(
            MEMBER_ROWS.where(m.MemberRow.team_id == team_id)
            .order_by(m.MemberRow.id)
            .with_for_update()
        )
        return [to_member(row) for row in rows]

    async def find_by_person(
        self, email: str | None, slack_user_id: str | None
    ) -> Sequence[Member]:
        statement = PERSON[bool(email), bool(slack_user_id)]
        if statement is None:
            return []
        params = {"email": (email or "").lower(), "slack_user_id": slack_user_id}
        return [to_member(row) for row in await self.connection.execute(statement, params)]

    async def apply_workload(self, deltas: Sequence[WorkloadDelta]) -> None:
        opened: Counter[UUID] = Counter()
        assigned: Counter[UUID] = Counter()
        latest: dict[UUID, datetime] = {}
        for delta in deltas:
            opened[delta.member_id] += delta.open_delta
            assigned[delta.member_id] += delta.assigned_delta
            if delta.assigned_at is not None:
                latest[delta.member_id] = max(
                    delta.assigned_at, latest.get(delta.member_id, delta.assigned_at)
                )
        row = m.MemberRow
        # In id order, like for_assignment, so concurrent units never deadlock.
        for member_id in sorted(opened):
            values: dict[str, object] = {
                "open_issue_count": row.open_issue_count + opened[member_id],
                "total_assigned_count": row.total_assigned_count + assigned[member_id],
            }
            if member_id in latest:
                at = latest[member_id]
                values["last_assigned_at"] = sa.case(
                    (row.last_assigned_at.is_(None), at),
                    (row.last_assigned_at < at, at),
                    else_=row.last_assigned_at,
                )
            await self.connection.execute(sa.update(row).where(row.id == member_id).values(values))

    async def get_many(self, member_ids: Collection[UUID]) -> Sequence[Member]:
        if not member_ids:
            return []
        rows = await self.connection.execute(MEMBER_ROWS.where(m.MemberRow.id.in_(member_ids)))
        return [to_member(row) for row in rows]

    async def assignable(self) -> Sequence[AssignableMember]:
        rows = await self.connection.execute(
            sa.select(m.MemberRow.__table__, m.TeamRow.name.label("team_name"))
            .join(m.TeamRow, m.TeamRow.id == m.MemberRow.team_id)
            .where(m.MemberRow.is_active)
            .order_by(m.TeamRow.name_key, sa.func.lower(m.MemberRow.name), m.MemberRow.id)
        )
        return [
            AssignableMember(
                id=row.id,
                name=row.name,
                email=row.email,
                slack_user_id=row.slack_user_id,
                team_id=row.team_id,
                team_name=row.team_name,
            )
            for row in rows
        ]
