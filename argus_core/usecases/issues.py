"""Issue use cases: report, read, change, triage."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from uuid import UUID

import msgspec
from msgspec import UNSET, UnsetType

from argus_core.assignment import managers, pick_assignee
from argus_core.domain.errors import InvalidInput
from argus_core.domain.events import IssueReported, NoAssigneeAvailable, RcaRequested
from argus_core.domain.history import HistoryAction, HistoryEntry
from argus_core.domain.issue import Categorization, Issue, Reporter, SlackRef
from argus_core.domain.people import Actor
from argus_core.domain.values import SYSTEM_NAME, CategorySet, Priority, Source, Status
from argus_core.lifecycle import (
    Change,
    Edits,
    assign,
    categorize,
    edit,
    history_entry,
    move_to_team,
    transition,
)
from argus_core.policy import Action, require
from argus_core.ports import Clock, Triage, UnitOfWork
from argus_core.queries import IssueQuery, IssueSummary, Page
from argus_core.usecases.common import issue_scope, member_names, persist
from argus_core.validation import clean_description, clean_email, clean_title


class NewIssue(msgspec.Struct, frozen=True, kw_only=True):
    """A report. Without a team it is triaged; with one it is assigned at once."""

    title: str
    description: str = ""
    priority: Priority | None = None
    category: str | None = None
    team_id: UUID | None = None
    reporter: Reporter = Reporter()
    source: Source = Source.WEB
    slack: SlackRef | None = None


class IssuePatch(msgspec.Struct, frozen=True, kw_only=True):
    """Any subset of an issue's changeable fields (unset = leave as is).

    ``assignees`` sets the whole list (first = primary); ``assigned_to`` alone replaces
    the primary. ``reason`` goes with a resolve or a close.
    """

    title: str | UnsetType = UNSET
    description: str | UnsetType = UNSET
    status: Status | UnsetType = UNSET
    priority: Priority | UnsetType = UNSET
    category: str | UnsetType = UNSET
    team_id: UUID | UnsetType | None = UNSET
    assigned_to: UUID | UnsetType | None = UNSET
    assignees: tuple[UUID, ...] | UnsetType = UNSET
    notifications_muted: bool | UnsetType = UNSET
    reason: str | UnsetType | None = UNSET


_STATUS_ACTIONS = {Status.RESOLVED: Action.RESOLVE, Status.CLOSED: Action.CLOSE}


class IssueService:
    """Everything done to issues, each call one policy check and one unit of work."""

    def __init__(
        self, uow: UnitOfWork, clock: Clock, categories: CategorySet | None = None
    ) -> None:
        self.uow = uow
        self.clock = clock
        self.categories = categories or CategorySet()

    # ------------------------------------------------------------------ reading

    async def get(self, actor: Actor, issue_id: UUID) -> Issue:
        """One issue."""
        require(actor, Action.VIEW)
        async with self.uow:
            return await self.uow.issues.get(issue_id)

    async def list(self, actor: Actor, query: IssueQuery) -> Page[IssueSummary]:
        """A page of issues matching ``query``."""
        require(actor, Action.VIEW)
        async with self.uow.reading():
            return await self.uow.issues.list(query)

    async def history(self, actor: Actor, issue_id: UUID) -> Sequence[HistoryEntry]:
        """An issue's audit trail, newest first."""
        require(actor, Action.VIEW)
        async with self.uow:
            await self.uow.issues.get(issue_id)
            return await self.uow.history.for_issue(issue_id)

    # ------------------------------------------------------------------ reporting

    async def report(self, actor: Actor, new: NewIssue, *, receipt: str | None = None) -> Issue:
        """Open an issue: assign it if it names a team, else leave it to triage.

        A title from Slack is truncated to fit; one typed in a form is refused if too long.
        With a ``receipt`` (the chat delivery's key) the delivery makes one issue however
        often it comes: a repeat returns the issue the first one made.
        """
        require(actor, Action.CREATE_ISSUE)
        title = clean_title(new.title, truncate=new.source in (Source.SLACK, Source.ALERT))
        description = clean_description(new.description)
        category = self._check_category(new.category) if new.category else self.categories.fallback
        async with self.uow:
            if new.team_id is not None:
                await self.uow.teams.get(new.team_id)
            now = self.clock.now()
            issue_id = uuid.uuid4()
            if receipt is not None:
                settled = await self.uow.receipts.settle(receipt, issue_id, now)
                if settled != issue_id:
                    return await self.uow.issues.get(settled)
            issue = Issue(
                id=issue_id,
                number=await self.uow.issues.next_number(),
                title=title,
                description=description,
                priority=new.priority or Priority.MEDIUM,
                category=category,
                team_id=new.team_id,
                reporter=msgspec.structs.replace(
                    new.reporter, email=clean_email(new.reporter.email)
                ),
                source=new.source,
                slack=new.slack,
                created_at=now,
                updated_at=now,
            )
            reported = IssueReported(
                issue_id=issue.id,
                occurred_at=now,
                number=issue.number,
                source=issue.source,
                team_id=issue.team_id,
                needs_triage=issue.team_id is None,
                priority_given=new.priority is not None,
            )
            created = history_entry(
                issue, HistoryAction.CREATED, None, title, by=actor.name, now=now
            )
            change = Change(issue=issue, history=(created,), events=(reported,))
            if new.team_id is not None:
                change = change.then(await self._auto_assign(issue, new.team_id, now=now))
            await persist(self.uow, change, new=True)
            await self.uow.commit()
            return change.issue

    async def apply_triage(
        self, issue_id: UUID, triage: Triage, *, provider: str, keep_priority: bool = False
    ) -> Issue:
        """Apply a categorizer's answer: priority, category, title, team, then assign.

        An unknown team or category falls back (no team, the fallback category) instead
        of guessing. A team set by a person meanwhile is kept.
        """
        async with self.uow:
            issue = await self.uow.issues.get(issue_id)
            now = self.clock.now()
            team = await self.uow.teams.find_by_name(triage.team_name) if triage.team_name else None
            category = triage.category if triage.category in self.categories else None
            title = None
            if triage.title and issue.source in (Source.SLACK, Source.ALERT):
                title = clean_title(triage.title, truncate=True)
            edits = Edits(
                title=title,
                priority=None if keep_priority else triage.priority,
                category=category or self.categories.fallback,
            )
            change = edit(issue, edits, by=SYSTEM_NAME, now=now)
            if issue.team_id is None and team is not None:
                moved = move_to_team(change.issue, team.id, names={}, by=SYSTEM_NAME, now=now)
                change = change.then(moved)
            categorization = Categorization(
                provider=provider,
                title=change.issue.title,
                category=change.issue.category,
                priority=triage.priority,
                team_name=team.name if team else None,
                reasoning=triage.reasoning,
                confidence=triage.confidence,
            )
            change = change.then(categorize(change.issue, categorization, by=SYSTEM_NAME, now=now))
            team_id = change.issue.team_id
            if team_id is not None and not change.issue.assignee_ids:
                change = change.then(await self._auto_assign(change.issue, team_id, now=now))
            await persist(self.uow, change)
            await self.uow.commit()
            return change.issue

    # ------------------------------------------------------------------ changing

    async def update(self, actor: Actor, issue_id: UUID, patch: IssuePatch) -> Issue:
        """Apply a patch as one change: every permission is checked before anything moves."""
        async with self.uow:
            issue = await self.uow.issues.get(issue_id)
            now = self.clock.now()
            self._authorize(actor, issue, patch)
            change = Change(issue=issue)
            new_team = issue.team_id if patch.team_id is UNSET else patch.team_id
            if new_team != issue.team_id:
                if new_team is not None:
                    await self.uow.teams.get(new_team)
                names = await member_names(self.uow, issue.assignee_ids)
                change = move_to_team(issue, new_team, names=names, by=actor.name, now=now)
            wanted = _wanted_assignees(change.issue, patch)
            if wanted is not None:
                change = change.then(await self._assign(change.issue, wanted, actor, now))
            elif new_team is not None and new_team != issue.team_id:
                change = change.then(await self._auto_assign(change.issue, new_team, now=now))
            change = change.then(edit(change.issue, self._edits(patch), by=actor.name, now=now))
            if patch.status is not UNSET:
                reason = None if patch.reason is UNSET else patch.reason
                change = change.then(
                    transition(change.issue, patch.status, by=actor.name, now=now, reason=reason)
                )
            await persist(self.uow, change)
            await self.uow.commit()
            return change.issue

    async def change_status(
        self, actor: Actor, issue_id: UUID, status: Status, reason: str | None = None
    ) -> Issue:
        """Move to ``status`` (resolve and close need a reason)."""
        return await self.update(actor, issue_id, IssuePatch(status=status, reason=reason))

    async def resolve(self, actor: Actor, issue_id: UUID, reason: str) -> Issue:
        """Resolve, answering "How was this fixed?"."""
        return await self.change_status(actor, issue_id, Status.RESOLVED, reason)

    async def close(self, actor: Actor, issue_id: UUID, reason: str) -> Issue:
        """Close, answering "Why are you closing this?"."""
        return await self.change_status(actor, issue_id, Status.CLOSED, reason)

    async def reopen(self, actor: Actor, issue_id: UUID) -> Issue:
        """Back to open; the resolution is cleared."""
        return await self.change_status(actor, issue_id, Status.OPEN)

    async def assign(self, actor: Actor, issue_id: UUID, assignee_ids: Sequence[UUID]) -> Issue:
        """Set the whole assignee list (first = primary)."""
        return await self.update(actor, issue_id, IssuePatch(assignees=tuple(assignee_ids)))

    async def change_team(self, actor: Actor, issue_id: UUID, team_id: UUID | None) -> Issue:
        """Give the issue to another team, assigned to its least-loaded agent."""
        return await self.update(actor, issue_id, IssuePatch(team_id=team_id))

    async def hand_over(self, actor: Actor, issue_id: UUID, member_ids: Sequence[UUID]) -> Issue:
        """Assign these members (first = primary), moving the issue to their team when
        they belong to another one: one change, one permission check (reassign)."""
        wanted = tuple(dict.fromkeys(member_ids))
        if not wanted:
            raise InvalidInput("Pick at least one person to assign.")
        async with self.uow.reading():
            members = await self.uow.members.get_many(wanted)
        if len(members) != len(wanted):
            raise InvalidInput("Someone picked is no longer a member; pick again.")
        teams = {m.team_id for m in members}
        if len(teams) > 1:
            raise InvalidInput("Pick people of one team: an issue belongs to one team.")
        return await self.update(actor, issue_id, IssuePatch(team_id=teams.pop(), assignees=wanted))

    async def check(self, actor: Actor, issue_id: UUID, action: Action) -> Issue:
        """The issue, if the policy lets ``actor`` do ``action`` to it now (else
        :class:`PermissionDenied`): asked before a form is shown, so nobody fills one in
        only to be refused. The change itself checks again."""
        async with self.uow.reading():
            issue = await self.uow.issues.get(issue_id)
        require(actor, action, issue_scope(issue))
        return issue

    async def auto_resolve(self, issue_id: UUID, explanation: str) -> Issue:
        """Resolve on Argus's own verdict that the issue is not actionable."""
        async with self.uow:
            issue = await self.uow.issues.get(issue_id)
            change = transition(
                issue,
                Status.RESOLVED,
                by=SYSTEM_NAME,
                now=self.clock.now(),
                reason=explanation,
                automatic=True,
            )
            await persist(self.uow, change)
            await self.uow.commit()
            return change.issue

    async def request_rca(self, actor: Actor, issue_id: UUID) -> None:
        """Ask for the root-cause analysis to run again."""
        async with self.uow:
            issue = await self.uow.issues.get(issue_id)
            require(actor, Action.RERUN_RCA, issue_scope(issue))
            event = RcaRequested(
                issue_id=issue.id, occurred_at=self.clock.now(), performed_by=actor.name
            )
            await self.uow.outbox.record((event,))
            await self.uow.commit()

    # ------------------------------------------------------------------ helpers

    def _authorize(self, actor: Actor, issue: Issue, patch: IssuePatch) -> None:
        scope = issue_scope(issue)
        needed: list[Action] = []
        moves_team = patch.team_id is not UNSET and patch.team_id != issue.team_id
        if moves_team or patch.assignees is not UNSET or patch.assigned_to is not UNSET:
            needed.append(Action.REASSIGN)
        if self._edits(patch) != Edits():
            needed.append(Action.EDIT_ISSUE)
        if patch.status is not UNSET and patch.status is not issue.status:
            needed.append(_STATUS_ACTIONS.get(patch.status, Action.CHANGE_STATUS))
        # Even a patch that changes nothing is a write: viewers get no success from it.
        for action in needed or [Action.EDIT_ISSUE]:
            require(actor, action, scope)

    def _edits(self, patch: IssuePatch) -> Edits:
        if patch.category is not UNSET:
            self._check_category(patch.category)
        return Edits(
            title=None if patch.title is UNSET else patch.title,
            description=None if patch.description is UNSET else patch.description,
            priority=None if patch.priority is UNSET else patch.priority,
            category=None if patch.category is UNSET else patch.category,
            notifications_muted=(
                None if patch.notifications_muted is UNSET else patch.notifications_muted
            ),
        )

    def _check_category(self, category: str) -> str:
        if category not in self.categories:
            known = ", ".join(self.categories.names)
            raise InvalidInput(f"Unknown category {category!r}; use one of: {known}.")
        return category

    async def _assign(
        self, issue: Issue, wanted: tuple[UUID, ...], actor: Actor, now: datetime
    ) -> Change:
        members = {m: await self.uow.members.get(m) for m in dict.fromkeys(wanted)}
        for member in members.values():
            if member.team_id != issue.team_id:
                raise InvalidInput(f"{member.name} is not a member of the issue's team.")
            if not member.is_active and member.id not in issue.assignee_ids:
                raise InvalidInput(f"{member.name} is deactivated and cannot be assigned.")
        names = dict(await member_names(self.uow, issue.assignee_ids))
        names |= {m.id: m.name for m in members.values()}
        return assign(issue, wanted, names=names, by=actor.name, now=now)

    async def _auto_assign(self, issue: Issue, team_id: UUID, *, now: datetime) -> Change:
        members = await self.uow.members.for_assignment(team_id)
        chosen = pick_assignee(members)
        if chosen is None:
            told = NoAssigneeAvailable(
                issue_id=issue.id,
                occurred_at=now,
                team_id=team_id,
                manager_ids=tuple(m.id for m in managers(members)),
            )
            return Change(issue=issue, events=(told,))
        return assign(issue, (chosen.id,), names={chosen.id: chosen.name}, by=SYSTEM_NAME, now=now)


def _wanted_assignees(current: Issue, patch: IssuePatch) -> tuple[UUID, ...] | None:
    """The assignee list a patch asks for, or None if it does not touch assignees."""
    if patch.assignees is not UNSET:
        return patch.assignees
    if patch.assigned_to is UNSET:
        return None
    others = tuple(m for m in current.assignee_ids[1:] if m != patch.assigned_to)
    if patch.assigned_to is None:
        return others
    return (patch.assigned_to, *others)
