"""Random sequences of report / assign / status changes keep workloads and history true.

After every step: each member's open workload equals the number of open or in-progress
issues assigned to them, and replaying each issue's history gives back its status and
assignees, so every change was recorded.
"""

import asyncio
from collections.abc import Awaitable
from typing import Any, TypeVar

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
)

from argus_core.domain.errors import ArgusError
from argus_core.domain.history import HistoryAction
from argus_core.domain.issue import Issue
from argus_core.domain.team import Member, Team
from argus_core.domain.values import MemberRole, Status
from argus_core.usecases.issues import IssuePatch
from argus_core.usecases.teams import MemberPatch
from tests.world import ADMIN, World

T = TypeVar("T")

API_ACTIONS = {
    "created",
    "assigned",
    "resolved",
    "resolution_notes",
    "close_reason",
    "auto_resolve_reason",
    "reminder_sent",
    "categorized",
}
REASONS = st.sampled_from(["", "  ", "restarted the pod", "duplicate"])


class WorkloadMachine(RuleBasedStateMachine):
    issues = Bundle("issues")

    def __init__(self) -> None:
        super().__init__()
        self.loop = asyncio.new_event_loop()
        self.world = World()
        self.teams: list[Team] = []
        self.members: list[Member] = []

    def run(self, work: Awaitable[T]) -> T | None:
        """Run a use case; a refusal must leave everything as it was."""
        before = (dict(self.world.store.issues), len(self.world.store.history))
        before_members = dict(self.world.store.members)
        try:
            return self.loop.run_until_complete(work)
        except ArgusError:
            assert (dict(self.world.store.issues), len(self.world.store.history)) == before
            assert self.world.store.members == before_members
            return None

    @initialize()
    def build_teams(self) -> None:
        async def build() -> None:
            for name in ("Payments", "Infra"):
                team = await self.world.team(name)
                self.teams.append(team)
                for n in range(3):
                    self.members.append(await self.world.member(team, f"{name} agent {n}"))
                self.members.append(
                    await self.world.member(team, f"{name} lead", MemberRole.MANAGER)
                )

        self.loop.run_until_complete(build())

    def teardown(self) -> None:
        self.loop.close()

    @rule(target=issues, team=st.sampled_from([0, 1, None]))
    def report(self, team: int | None) -> Any:
        issue = self.run(self.world.report(self.teams[team] if team is not None else None))
        assert issue is not None
        for member_id in issue.assignee_ids:
            chosen = self.world.store.members[member_id]
            assert chosen.is_active
            assert chosen.role is MemberRole.AGENT
        return issue.id

    @rule(issue=issues, picks=st.lists(st.integers(0, 7), max_size=3))
    def assign(self, issue: Any, picks: list[int]) -> None:
        self.run(self.world.issues.assign(ADMIN, issue, [self.members[p].id for p in picks]))

    @rule(issue=issues, status=st.sampled_from(Status), reason=REASONS)
    def change_status(self, issue: Any, status: Status, reason: str) -> None:
        self.run(self.world.issues.change_status(ADMIN, issue, status, reason))

    @rule(issue=issues, reason=REASONS)
    def resolve(self, issue: Any, reason: str) -> None:
        self.run(self.world.issues.resolve(ADMIN, issue, reason))

    @rule(issue=issues, reason=REASONS)
    def close(self, issue: Any, reason: str) -> None:
        self.run(self.world.issues.close(ADMIN, issue, reason))

    @rule(issue=issues)
    def reopen(self, issue: Any) -> None:
        self.run(self.world.issues.reopen(ADMIN, issue))

    @rule(issue=issues, team=st.sampled_from([0, 1, None]))
    def move_team(self, issue: Any, team: int | None) -> None:
        team_id = self.teams[team].id if team is not None else None
        self.run(self.world.issues.change_team(ADMIN, issue, team_id))

    @rule(issue=issues, primary=st.integers(0, 7))
    def replace_primary(self, issue: Any, primary: int) -> None:
        patch = IssuePatch(assigned_to=self.members[primary].id)
        self.run(self.world.issues.update(ADMIN, issue, patch))

    @rule(issue=issues)
    def auto_resolve(self, issue: Any) -> None:
        self.run(self.world.issues.auto_resolve(issue, "transient spike"))

    @rule(member=st.integers(0, 7), active=st.booleans())
    def toggle_member(self, member: int, active: bool) -> None:
        patch = MemberPatch(is_active=active)
        self.run(self.world.teams.update_member(ADMIN, self.members[member].id, patch))

    @rule(minutes=st.integers(1, 600))
    def time_passes(self, minutes: int) -> None:
        self.world.clock.advance(minutes=minutes)

    @invariant()
    def workloads_equal_recount(self) -> None:
        for member_id, member in self.world.store.members.items():
            assert member.open_issue_count == self.world.recount(member_id), member.name

    @invariant()
    def history_replays_to_the_current_state(self) -> None:
        names = {m.id: m.name for m in self.world.store.members.values()}
        for issue in self.world.store.issues.values():
            status, assignees = self.replay(issue)
            assert status is issue.status
            assert assignees == ", ".join(names[m] for m in issue.assignee_ids)

    def replay(self, issue: Issue) -> tuple[Status | None, str]:
        status: Status | None = None
        assignees = ""
        entries = [h for h in self.world.store.history if h.issue_id == issue.id]
        for entry in entries:
            assert entry.action in API_ACTIONS or entry.action.startswith("updated_")
            if entry.action is HistoryAction.CREATED:
                status = Status.OPEN
            elif entry.action in (HistoryAction.UPDATED_STATUS, HistoryAction.RESOLVED):
                assert entry.old_value == status
                status = Status(entry.new_value)
            elif entry.action is HistoryAction.ASSIGNED:
                assert entry.old_value == assignees
                assignees = entry.new_value or ""
        return status, assignees


TestWorkloadMachine = WorkloadMachine.TestCase
TestWorkloadMachine.settings = settings(max_examples=200, stateful_step_count=30, deadline=None)
