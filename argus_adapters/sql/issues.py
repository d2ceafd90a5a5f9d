"""Issues in SQL: numbers, pages, search, reminders."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from argus_adapters.sql import models as m
from argus_adapters.sql.mapping import issue_values, to_issue, to_team
from argus_core.domain.errors import NotFound
from argus_core.domain.issue import Issue
from argus_core.domain.team import Team
from argus_core.queries import IssueQuery, Page
from argus_core.reminders import interval_for, next_due_at

# Aliases at module level: inside the class, ``list`` names the repository method.
Conditions = list[sa.ColumnElement[bool]]
AssigneeLists = dict[UUID, list[UUID]]
Rows = list[dict[str, Any]]
# Plain rows, not ORM objects: no identity map to fill for read-only pages.
ISSUE_ROWS = sa.select(m.IssueRow.__table__)
NEWEST_FIRST = (m.IssueRow.created_at.desc(), m.IssueRow.number.desc())
MATCHES = sa.func.count().over().label("matches")


class SqlIssueRepository:
    """Issues, their assignee lists and their next reminder time."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.postgres = session.bind.dialect.name == "postgresql"

    async def next_number(self) -> int:
        if self.postgres:
            number = await self.session.scalar(sa.select(m.ISSUE_NUMBERS.next_value()))
        else:
            number = await self.session.scalar(
                sa.update(m.CounterRow)
                .where(m.CounterRow.name == "issue_number")
                .values(value=m.CounterRow.value + 1)
                .returning(m.CounterRow.value)
            )
        assert number is not None, "the issue number counter is missing; run argus db upgrade"
        return int(number)

    async def add(self, issue: Issue) -> None:
        values = issue_values(issue) | {"next_reminder_at": await self._next_due(issue)}
        await self.session.execute(sa.insert(m.IssueRow).values(values))
        await self._write_assignees(issue)

    async def get(self, issue_id: UUID) -> Issue:
        row = (await self.session.execute(ISSUE_ROWS.where(m.IssueRow.id == issue_id))).first()
        if row is None:
            raise NotFound(f"No issue with id {issue_id}.")
        return to_issue(row, (await self._assignees([issue_id]))[issue_id])

    async def save(self, issue: Issue) -> None:
        values = issue_values(issue) | {"next_reminder_at": await self._next_due(issue)}
        del values["id"], values["number"], values["created_at"]
        result = await self.session.execute(
            sa.update(m.IssueRow).where(m.IssueRow.id == issue.id).values(values)
        )
        if result.rowcount == 0:  # type: ignore[attr-defined]
            raise NotFound(f"No issue with id {issue.id}.")
        await self.session.execute(
            sa.delete(m.AssigneeRow).where(m.AssigneeRow.issue_id == issue.id)
        )
        await self._write_assignees(issue)

    async def list(self, query: IssueQuery) -> Page[Issue]:
        conditions = self._conditions(query)
        counted = _counted(query)
        # Without a counters answer, the page query counts its matches too (one index
        # scan instead of two).
        select = ISSUE_ROWS.add_columns(MATCHES) if not counted else ISSUE_ROWS
        rows = (
            await self.session.execute(
                select.where(*conditions)
                .order_by(*NEWEST_FIRST)
                .offset(query.offset)
                .limit(query.per_page)
            )
        ).all()
        assignees = await self._assignees([r.id for r in rows])
        items = [to_issue(row, assignees[row.id]) for row in rows]
        if counted:
            total = await self._counted_total(query)
        elif rows:
            total = rows[0].matches
        else:  # a page past the end says how many there are
            total = await self._count(*conditions) if query.offset else 0
        return Page(items=items, total=total, page=query.page, per_page=query.per_page)

    async def count_active(self, team_id: UUID) -> int:
        return await self._count(m.IssueRow.team_id == team_id, m.IssueRow.status.in_(m.ACTIVE))

    async def count_active_for_member(self, member_id: UUID) -> int:
        return await self._count(
            m.IssueRow.status.in_(m.ACTIVE),
            m.IssueRow.id.in_(
                sa.select(m.AssigneeRow.issue_id).where(m.AssigneeRow.member_id == member_id)
            ),
        )

    async def reminder_candidates(
        self, team_ids: Collection[UUID], now: datetime, limit: int
    ) -> Sequence[Issue]:
        if not team_ids:
            return []
        rows = (
            await self.session.execute(
                ISSUE_ROWS.where(
                    m.IssueRow.next_reminder_at <= now, m.IssueRow.team_id.in_(team_ids)
                )
                .order_by(m.IssueRow.next_reminder_at, m.IssueRow.number)
                .limit(limit)
            )
        ).all()
        assignees = await self._assignees([r.id for r in rows])
        return [to_issue(row, assignees[row.id]) for row in rows]

    async def mark_reminded(self, issue_id: UUID, previous: datetime | None, now: datetime) -> bool:
        issue = await self.get(issue_id)
        team = await self._team(issue.team_id)
        interval = interval_for(team.reminders, issue.priority) if team else None
        result = await self.session.execute(
            sa.update(m.IssueRow)
            .where(
                m.IssueRow.id == issue_id,
                m.IssueRow.last_reminded_at.is_not_distinct_from(previous),
            )
            .values(
                last_reminded_at=now,
                next_reminder_at=None if interval is None else now + interval,
            )
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    # ------------------------------------------------------------------ helpers

    def _conditions(self, query: IssueQuery) -> Conditions:
        issue = m.IssueRow
        conditions = _bucket_filters(query, issue.status, issue.priority, issue.team_id)
        if query.reported_by_email is not None:
            conditions.append(issue.reporter_email == query.reported_by_email.lower())
        if query.assignee_ids is not None:
            conditions.append(
                issue.id.in_(
                    sa.select(m.AssigneeRow.issue_id).where(
                        m.AssigneeRow.member_id.in_(query.assignee_ids)
                    )
                )
            )
        terms = query.search_terms
        if terms and self.postgres:
            # Terms are letters and digits only, so "word:*" prefixes are safe to join;
            # the text still travels as a bind parameter.
            tsquery = " & ".join(f"{t}:*" for t in terms)
            conditions.append(
                sa.func.to_tsvector(
                    sa.literal_column("'simple'::regconfig"), issue.search_text
                ).bool_op("@@")(
                    sa.func.to_tsquery(sa.literal_column("'simple'::regconfig"), tsquery)
                )
            )
        elif terms:
            conditions.extend(issue.search_text.contains(f" {t}", autoescape=True) for t in terms)
        return conditions

    async def _counted_total(self, query: IssueQuery) -> int:
        """The matches of a status, priority and team filter, from the counters."""
        counts = m.IssueCountRow
        wanted = _bucket_filters(query, counts.status, counts.priority, counts.team_key)
        total = await self.session.scalar(
            sa.select(sa.func.coalesce(sa.func.sum(counts.issue_count), 0)).where(*wanted)
        )
        return int(total or 0)

    async def _count(self, *conditions: sa.ColumnElement[bool]) -> int:
        total = await self.session.scalar(
            sa.select(sa.func.count()).select_from(m.IssueRow).where(*conditions)
        )
        return int(total or 0)

    async def _assignees(self, issue_ids: Sequence[UUID]) -> AssigneeLists:
        found: AssigneeLists = {i: [] for i in issue_ids}
        if issue_ids:
            rows = await self.session.execute(
                sa.select(m.AssigneeRow.issue_id, m.AssigneeRow.member_id)
                .where(m.AssigneeRow.issue_id.in_(issue_ids))
                .order_by(m.AssigneeRow.issue_id, m.AssigneeRow.position)
            )
            for issue_id, member_id in rows:
                found[issue_id].append(member_id)
        return found

    async def _write_assignees(self, issue: Issue) -> None:
        if issue.assignee_ids:
            rows: Rows = [
                {"issue_id": issue.id, "member_id": member_id, "position": n}
                for n, member_id in enumerate(issue.assignee_ids)
            ]
            await self.session.execute(sa.insert(m.AssigneeRow), rows)

    async def _team(self, team_id: UUID | None) -> Team | None:
        if team_id is None:
            return None
        row = await self.session.scalar(sa.select(m.TeamRow).where(m.TeamRow.id == team_id))
        return None if row is None else to_team(row)

    async def _next_due(self, issue: Issue) -> datetime | None:
        return next_due_at(issue, await self._team(issue.team_id))


def _counted(query: IssueQuery) -> bool:
    """Whether the counters answer the query's total (only status, priority, team)."""
    return query.assignee_ids is None and query.reported_by_email is None and not query.search_terms


def _bucket_filters(query: IssueQuery, status: Any, priority: Any, team: Any) -> Conditions:
    """Equality filters on the three columns the issues and their counters share."""
    wanted = (
        (status, query.status.value if query.status else None),
        (priority, query.priority.value if query.priority else None),
        (team, query.team_id),
    )
    return [column == value for column, value in wanted if value is not None]
