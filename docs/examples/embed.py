"""Argus's core with no database and no web server: report, triage, resolve."""

import asyncio

from argus_adapters.memory import InMemoryStore, InMemoryUnitOfWork, ManualClock, StaticCategorizer
from argus_core.chain import ProviderChain, Step
from argus_core.domain.people import Actor
from argus_core.domain.values import Priority
from argus_core.ports import Triage
from argus_core.usecases.issues import IssueService, NewIssue
from argus_core.usecases.teams import NewMember, NewTeam, TeamService
from argus_core.usecases.triage import TriageService


async def main() -> None:
    store, clock, admin = InMemoryStore(), ManualClock(), Actor(name="Ada", is_admin=True)
    teams = TeamService(InMemoryUnitOfWork(store), clock)
    issues = IssueService(InMemoryUnitOfWork(store), clock)
    team = await teams.create(admin, NewTeam(name="Payments", description="cards and refunds"))
    await teams.add_member(admin, team.id, NewMember(name="Alice", slack_user_id="U123"))
    issue = await issues.report(admin, NewIssue(title="Refunds fail for merchant 42"))
    rules = StaticCategorizer(
        Triage(priority=Priority.HIGH, category="payments", team_name="Payments")
    )
    chain = ProviderChain([Step(name="rules", provider=rules, timeout=5)])
    issue = await TriageService(InMemoryUnitOfWork(store), issues, chain).triage(issue.id)
    assignee = store.members[issue.assignee_ids[0]].name
    print(f"#{issue.number} {issue.title}: {issue.priority}, assigned to {assignee}")
    issue = await issues.resolve(admin, issue.id, "Rotated the expired API key")
    print(f"#{issue.number} is {issue.status}: {issue.resolution_reason}")


asyncio.run(main())
