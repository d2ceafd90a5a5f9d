"""A small world of teams and people built through the use cases, on any backend."""

from __future__ import annotations

from collections.abc import Callable
from uuid import UUID

from argus_adapters.memory import (
    InMemoryDashboardQueries,
    InMemoryStore,
    InMemoryUnitOfWork,
    ManualClock,
)
from argus_core.domain.issue import Issue
from argus_core.domain.people import Actor, Membership
from argus_core.domain.team import Member, Team
from argus_core.domain.values import MemberRole
from argus_core.ports import DashboardQueries, UnitOfWork
from argus_core.usecases.issues import IssueService, NewIssue
from argus_core.usecases.teams import MemberPatch, NewMember, NewTeam, TeamService

ADMIN = Actor(name="Ada Admin", email="admin@example.com", is_admin=True)
VIEWER = Actor(name="Vic Viewer", email="viewer@example.com")


class World:
    """An Argus with helpers to add teams, people and issues.

    In memory unless given a unit-of-work factory (the SQL backends of the contract
    tests); ``store``, ``load`` and ``recount`` are for the in-memory world only.
    """

    def __init__(
        self,
        uow_factory: Callable[[], UnitOfWork] | None = None,
        dashboard: DashboardQueries | None = None,
    ) -> None:
        self.store = InMemoryStore()
        self.clock = ManualClock()
        self._uow_factory = uow_factory or (lambda: InMemoryUnitOfWork(self.store))
        self.dashboard = dashboard or InMemoryDashboardQueries(self.store)

    def uow(self) -> UnitOfWork:
        return self._uow_factory()

    @property
    def issues(self) -> IssueService:
        return IssueService(self.uow(), self.clock)

    @property
    def teams(self) -> TeamService:
        return TeamService(self.uow(), self.clock)

    async def team(self, name: str = "Payments", description: str = "") -> Team:
        return await self.teams.create(ADMIN, NewTeam(name=name, description=description))

    async def member(
        self, team: Team, name: str, role: MemberRole = MemberRole.AGENT, *, active: bool = True
    ) -> Member:
        email = f"{name.lower().replace(' ', '.')}@example.com"
        member = await self.teams.add_member(
            ADMIN,
            team.id,
            NewMember(name=name, email=email, slack_user_id=f"U{name.upper()}", role=role),
        )
        if not active:
            member = await self.teams.update_member(ADMIN, member.id, MemberPatch(is_active=False))
        return member

    def actor(self, *members: Member) -> Actor:
        """The person holding these member rows (name taken from the first)."""
        return Actor(
            name=members[0].name,
            email=members[0].email,
            memberships=tuple(
                Membership(member_id=m.id, team_id=m.team_id, role=m.role) for m in members
            ),
        )

    async def report(
        self, team: Team | None = None, title: str = "Checkout is down", **kw: object
    ) -> Issue:
        return await self.issues.report(
            ADMIN,
            NewIssue(title=title, team_id=team.id if team else None, **kw),  # type: ignore[arg-type]
        )

    def load(self, member_id: UUID) -> int:
        return self.store.members[member_id].open_issue_count

    def recount(self, member_id: UUID) -> int:
        return sum(
            1
            for i in self.store.issues.values()
            if member_id in i.assignee_ids and i.status.is_active
        )
