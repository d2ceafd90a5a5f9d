"""Demo data for the embedded mode: teams, people and a few hundred issues in all states.

Inserted through the use cases (so counters and history are true) with a quiet outbox:
the demo queues no jobs and sends nothing to Slack.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Self

from sqlalchemy.ext.asyncio import AsyncEngine

from argus_adapters.memory import ManualClock
from argus_adapters.sql.records import SqlOutbox
from argus_adapters.sql.uow import SqlUnitOfWork
from argus_core.domain.events import DomainEvent
from argus_core.domain.issue import Reporter
from argus_core.domain.people import Actor, User
from argus_core.domain.values import MemberRole, Priority, Source, Status
from argus_core.usecases.issues import IssuePatch, IssueService, NewIssue
from argus_core.usecases.teams import NewMember, NewTeam, TeamService

ADMIN_EMAIL = "admin@example.com"
VIEWER_EMAIL = "viewer@example.com"
TEAMS = {
    "Payments": ("Cards, refunds, payouts and merchant billing", "payments"),
    "Infrastructure": ("Kubernetes, networking, queues and deploys", "infrastructure"),
    "Frontend": ("Web dashboard, checkout pages and the mobile web app", "frontend"),
    "Data": ("PostgreSQL, replication, backups and analytics jobs", "database"),
}
PEOPLE = {
    "Payments": ["Maria Manager", "Priya Patel", "Tom Becker", "Lena Ortiz"],
    "Infrastructure": ["Ivan Petrov", "Sam Okafor", "Jo Kim"],
    "Frontend": ["Fatima Zahra", "Noah Smith", "Chen Wei"],
    "Data": ["Dana Levi", "Omar Haddad"],
}
PROBLEMS = [
    "{thing} timing out for merchant {n}",
    "{thing} returns 500 since the last deploy",
    "{thing} slow for customers in {region}",
    "Alerts firing: {thing} error rate above 5%",
    "{thing} stuck, jobs piling up",
    "Intermittent failures in {thing}",
]
THINGS = {
    "Payments": ["Refunds API", "Card authorisation", "Payout batch", "Invoice emails"],
    "Infrastructure": ["Ingress", "Job queue", "DNS for api.example.com", "Deploy pipeline"],
    "Frontend": ["Checkout page", "Dashboard charts", "Login form", "Mobile web menu"],
    "Data": ["Primary database", "Read replica lag", "Nightly export", "Analytics warehouse"],
}
REGIONS = ["Frankfurt", "Virginia", "Singapore", "São Paulo"]
FIXES = ["Rolled back the deploy", "Restarted the stuck workers", "Rotated the expired key",
         "Added an index", "Raised the connection limit", "Fixed the feature flag"]  # fmt: skip


class _QuietOutbox(SqlOutbox):
    async def record(self, events: Sequence[DomainEvent]) -> None:
        """Demo changes send nothing."""


class _DemoUnitOfWork(SqlUnitOfWork):
    async def __aenter__(self) -> Self:
        await super().__aenter__()
        self.outbox = _QuietOutbox(self.connection)
        return self


async def seed_demo(engine: AsyncEngine, issues: int = 300) -> bool:
    """Fill an empty database; returns False (and changes nothing) if it has teams."""
    async with SqlUnitOfWork(engine) as uow:
        if await uow.teams.list():
            return False
    rng = random.Random(42)
    now = datetime.now(UTC).replace(microsecond=0)
    clock = ManualClock(now - timedelta(days=60))
    admin = Actor(name="Ada Admin", email=ADMIN_EMAIL, is_admin=True)
    teams_service = TeamService(_DemoUnitOfWork(engine), clock)
    issue_service = IssueService(_DemoUnitOfWork(engine), clock)
    async with _DemoUnitOfWork(engine) as uow:
        for email, name, is_admin in (
            (ADMIN_EMAIL, "Ada Admin", True),
            (VIEWER_EMAIL, "Vic Viewer", False),
        ):
            await uow.users.add(User(id=uuid.uuid4(), email=email, name=name, is_admin=is_admin))
        await uow.commit()
    teams = {}
    for name, (description, _) in TEAMS.items():
        team = await teams_service.create(admin, NewTeam(name=name, description=description))
        teams[name] = team
        for n, person in enumerate(PEOPLE[name]):
            role = MemberRole.MANAGER if n == 0 and name == "Payments" else MemberRole.AGENT
            if person.startswith("Ivan"):
                role = MemberRole.MANAGER
            email = person.lower().replace(" ", ".") + "@example.com"
            await teams_service.add_member(
                admin,
                team.id,
                NewMember(name=person, email=email, slack_user_id=f"U{n:02d}{name[:3].upper()}",
                          role=role),
            )  # fmt: skip
    minutes = int(timedelta(days=60).total_seconds() // 60)
    steps = sorted(rng.randrange(minutes) for _ in range(issues))
    start = clock.current
    for offset in steps:
        clock.current = start + timedelta(minutes=offset)
        team_name = rng.choice(list(TEAMS))
        title = rng.choice(PROBLEMS).format(
            thing=rng.choice(THINGS[team_name]), n=rng.randint(100, 999), region=rng.choice(REGIONS)
        )
        issue = await issue_service.report(
            admin,
            NewIssue(
                title=title,
                description=f"Reported from #{team_name.lower()}-alerts. {title}.",
                priority=rng.choices(list(Priority), weights=[5, 20, 50, 25])[0],
                category=TEAMS[team_name][1],
                team_id=teams[team_name].id,
                reporter=Reporter(name="On-call bot", email="oncall@example.com"),
                source=rng.choice([Source.SLACK, Source.WEB, Source.ALERT]),
            ),
        )
        age = now - clock.current
        fate = rng.random()
        clock.current += timedelta(minutes=rng.randint(5, 240))
        if age < timedelta(days=3) and fate < 0.6:
            if fate < 0.3:
                await issue_service.update(admin, issue.id, IssuePatch(status=Status.IN_PROGRESS))
            continue
        if fate < 0.75:
            await issue_service.resolve(admin, issue.id, rng.choice(FIXES))
        elif fate < 0.9:
            await issue_service.close(admin, issue.id, "Duplicate of an earlier report")
        elif fate < 0.95:
            await issue_service.update(admin, issue.id, IssuePatch(status=Status.IN_PROGRESS))
    return True
