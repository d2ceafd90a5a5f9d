"""Issues in SQL: numbers, pages, search, reminders."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

import msgspec
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from argus_adapters.sql import models as m
from argus_adapters.sql.mapping import issue_values, to_issue, to_summary, to_team
from argus_adapters.sql.models import ISSUE_ROWS, TEAM_ROWS
from argus_adapters.sql.pages import (
    LAST_CHARACTER,
    MAX_EXPANSION,
    WORDS_STARTING,
    expansion,
    page_of,
    page_statement,
    total_statement,
)
from argus_core.domain.errors import NotFound
from argus_core.domain.issue import Issue, Rca
from argus_core.domain.team import Team
from argus_core.queries import IssueQuery, IssueSummary, Page
from argus_core.reminders import interval_for, next_due_at

# Aliases at module level: inside the class, ``list`` names the repository method.
AssigneeLists = dict[UUID, list[UUID]]
Rows = list[dict[str, Any]]


class SqlIssueRepository:
    """Issues, their assignee lists and their next reminder time."""

    def __init__(self, connection: AsyncConnection) -> None:
        self.connection = connection
        self.postgres = connection.dialect.name == "postgresql"

    async def next_number(self) -> int:
        if self.postgres:
            number = await self.connection.scalar(sa.select(m.ISSUE_NUMBERS.next_value()))
        else:
            number = await self.connection.scalar(
                sa.update(m.CounterRow)
                .where(m.CounterRow.name == "issue_number")
                .values(value=m.CounterRow.value + 1)
                .returning(m.CounterRow.value)
            )
        assert number is not None, "the issue number counter is missing; run argus db upgrade"
        return int(number)

    async def add(self, issue: Issue) -> None:
        values = issue_values(issue) | {"next_reminder_at": await self._next_due(issue)}
        await self.connection.execute(sa.insert(m.IssueRow).values(values))
        await self._write_assignees(issue)

    async def get(self, issue_id: UUID) -> Issue:
        row = (await self.connection.execute(ISSUE_ROWS.where(m.IssueRow.id == issue_id))).first()
        if row is None:
            raise NotFound(f"No issue with id {issue_id}.")
        return to_issue(row, (await self._assignees([issue_id]))[issue_id])

    async def find_by_thread(self, channel_id: str, thread_ts: str) -> Issue | None:
        row = (
            await self.connection.execute(
                ISSUE_ROWS.where(
                    m.IssueRow.slack_channel_id == channel_id,
                    m.IssueRow.slack_thread_ts == thread_ts,
                )
                .order_by(m.IssueRow.number)
                .limit(1)
            )
        ).first()
        if row is None:
            return None
        return to_issue(row, (await self._assignees([row.id]))[row.id])

    async def save(self, issue: Issue) -> None:
        values = issue_values(issue) | {"next_reminder_at": await self._next_due(issue)}
        # The analysis is written only by save_rca: a status change while it runs must
        # not put back an older copy of its progress.
        del values["id"], values["number"], values["created_at"], values["rca"]
        result = await self.connection.execute(
            sa.update(m.IssueRow).where(m.IssueRow.id == issue.id).values(values)
        )
        if result.rowcount == 0:
            raise NotFound(f"No issue with id {issue.id}.")
        await self.connection.execute(
            sa.delete(m.AssigneeRow).where(m.AssigneeRow.issue_id == issue.id)
        )
        await self._write_assignees(issue)

    async def list(self, query: IssueQuery) -> Page[IssueSummary]:
        shape, params = page_of(query, self.postgres)
        if shape.terms and self.postgres:
            tsquery = await self._tsquery(query.search_terms)
            if tsquery is None:  # a word nobody wrote: nothing can match
                return Page(items=[], total=0, page=query.page, per_page=query.per_page)
            params["tsquery"] = tsquery
        rows = (await self.connection.execute(page_statement(shape), params)).all()
        items = [to_summary(row) for row in rows]
        if rows:
            total = int(rows[0].matches)
        elif query.offset:  # a page past the end still says how many there are
            total = int(await self.connection.scalar(total_statement(shape), params) or 0)
        else:
            total = 0
        return Page(items=items, total=total, page=query.page, per_page=query.per_page)

    async def claim_rca(self, issue_id: UUID, now: datetime, until: datetime) -> bool:
        held = m.IssueRow.rca_held_until
        result = await self.connection.execute(
            sa.update(m.IssueRow)
            .where(m.IssueRow.id == issue_id, sa.or_(held.is_(None), held < now))
            .values(rca_held_until=until)
        )
        return await self._changed(result, issue_id)

    async def save_rca(
        self,
        issue_id: UUID,
        rca: Rca,
        held_until: datetime | None,
        *,
        holding: datetime | None = None,
    ) -> bool:
        mine = [] if holding is None else [m.IssueRow.rca_held_until == holding]
        result = await self.connection.execute(
            sa.update(m.IssueRow)
            .where(m.IssueRow.id == issue_id, *mine)
            .values(rca=msgspec.to_builtins(rca), rca_held_until=held_until)
        )
        return await self._changed(result, issue_id)

    async def _tsquery(self, terms: Sequence[str]) -> str | None:
        """The search as a PostgreSQL text query, each prefix written as the words it
        starts; None when some term starts no word at all."""
        words: list[list[str]] = [[] for _ in terms]
        bounds = {"lows": list(terms), "highs": [t + LAST_CHARACTER for t in terms]}
        for n, word in await self.connection.execute(
            WORDS_STARTING, bounds | {"most": MAX_EXPANSION + 1}
        ):
            words[n - 1].append(word)  # ordinality counts from 1
        parts = []
        for term, found in zip(terms, words, strict=True):
            part = expansion(term, found)
            if part is None:
                return None
            parts.append(part)
        return " & ".join(parts)

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
            await self.connection.execute(
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
        result = await self.connection.execute(
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
        return bool(result.rowcount)

    # ------------------------------------------------------------------ helpers

    async def _changed(self, result: sa.CursorResult[Any], issue_id: UUID) -> bool:
        """Whether a conditional update changed the issue; NotFound for an unknown one."""
        if result.rowcount:
            return True
        await self.get(issue_id)
        return False

    async def _count(self, *conditions: sa.ColumnElement[bool]) -> int:
        total = await self.connection.scalar(
            sa.select(sa.func.count()).select_from(m.IssueRow).where(*conditions)
        )
        return int(total or 0)

    async def _assignees(self, issue_ids: Sequence[UUID]) -> AssigneeLists:
        found: AssigneeLists = {i: [] for i in issue_ids}
        if issue_ids:
            rows = await self.connection.execute(
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
            await self.connection.execute(sa.insert(m.AssigneeRow), rows)

    async def _team(self, team_id: UUID | None) -> Team | None:
        if team_id is None:
            return None
        row = (await self.connection.execute(TEAM_ROWS.where(m.TeamRow.id == team_id))).first()
        return None if row is None else to_team(row)

    async def _next_due(self, issue: Issue) -> datetime | None:
        return next_due_at(issue, await self._team(issue.team_id))
