"""Sign-in, roles re-read per request, and the dashboard's figures."""

from datetime import UTC, datetime, timedelta

import pytest

from argus_adapters.memory import InMemoryDashboardQueries
from argus_core.domain.errors import InvalidInput, PermissionDenied
from argus_core.domain.values import MemberRole, Priority, Status
from argus_core.policy import Action, decide
from argus_core.ports import Identity
from argus_core.queries import IssueQuery
from argus_core.usecases.dashboard import DashboardService, start_of_day
from argus_core.usecases.identity import IdentityService
from argus_core.usecases.teams import MemberPatch
from tests.world import ADMIN, VIEWER, World


def identity(email: str, verified: bool = True) -> Identity:
    return Identity(email=email, name=email.split("@")[0].title(), email_verified=verified)


async def test_sign_in_rules_and_admins() -> None:
    world = World()
    service = IdentityService(world.uow(), ["Admin@Example.com"], "example.com")
    with pytest.raises(PermissionDenied, match="not verified"):
        await service.sign_in(identity("a@example.com", verified=False))
    with pytest.raises(PermissionDenied, match=r"example\.com accounts"):
        await service.sign_in(identity("a@evil.com"))
    with pytest.raises(PermissionDenied):
        await service.sign_in(identity("a@notexample.com"))
    user = await service.sign_in(identity("ADMIN@example.com"))
    assert (user.email, user.is_admin) == ("admin@example.com", True)
    again = await service.sign_in(identity("admin@example.com"))
    assert again.id == user.id


async def test_roles_come_from_memberships_as_they_are_now() -> None:
    world = World()
    service = IdentityService(world.uow())
    team = await world.team()
    alice = await world.member(team, "Alice")
    actor = await service.actor("alice@example.com")
    assert actor.roles == {team.id: MemberRole.AGENT}
    assert decide(actor, Action.CREATE_ISSUE).allowed
    await world.teams.update_member(ADMIN, alice.id, MemberPatch(role=MemberRole.MANAGER))
    assert (await service.actor("alice@example.com")).roles == {team.id: MemberRole.MANAGER}
    await world.teams.update_member(ADMIN, alice.id, MemberPatch(is_active=False))
    viewer = await service.actor("alice@example.com")
    assert viewer.memberships == ()
    assert not decide(viewer, Action.CREATE_ISSUE).allowed


async def test_dashboard_figures() -> None:
    world = World()
    dashboard = DashboardService(world.uow(), InMemoryDashboardQueries(world.store))
    payments = await world.team("Payments")
    await world.member(payments, "Alice")
    quick = await world.report(payments, "quick")
    await world.report(payments, "urgent", priority=Priority.CRITICAL)
    started = await world.report(payments, "started")
    await world.issues.change_status(ADMIN, started.id, Status.IN_PROGRESS)
    world.clock.advance(hours=3)
    await world.issues.resolve(ADMIN, quick.id, "fixed")
    stats = await dashboard.stats(VIEWER)
    assert (stats.total_issues, stats.open_issues, stats.in_progress_issues) == (3, 1, 1)
    assert (stats.resolved_issues, stats.critical_issues) == (1, 1)
    assert stats.avg_resolution_hours == 3.0
    (row,) = await dashboard.team_stats(VIEWER)
    assert (row.team_name, row.open_count, row.resolved_count) == ("Payments", 2, 1)
    recent = await dashboard.recent_activity(VIEWER, 2)
    assert [h.action for h in recent] == ["resolution_notes", "resolved"]
    with pytest.raises(InvalidInput):
        await dashboard.recent_activity(VIEWER, 21)
    fresh = World()
    empty = await DashboardService(fresh.uow(), InMemoryDashboardQueries(fresh.store)).stats(VIEWER)
    assert (empty.total_issues, empty.avg_resolution_hours) == (0, None)


async def test_admin_emails_when_set_are_the_only_admins() -> None:
    world = World()
    listed = IdentityService(world.uow(), ["boss@example.com"])
    await listed.sign_in(identity("boss@example.com"))
    assert (await listed.actor("boss@example.com")).is_admin
    # Removed from ADMIN_EMAILS: no longer admin, though the stored flag says so.
    assert not (
        await IdentityService(world.uow(), ["other@example.com"]).actor("boss@example.com")
    ).is_admin
    # Without ADMIN_EMAILS (the demo), the stored flag counts.
    assert (await IdentityService(world.uow()).actor("boss@example.com")).is_admin


@pytest.mark.parametrize(
    ("now", "time_zone", "start"),
    [
        (datetime(2026, 1, 5, 10, tzinfo=UTC), "UTC", datetime(2026, 1, 5, tzinfo=UTC)),
        (
            datetime(2026, 1, 5, 10, tzinfo=UTC),
            "Europe/Berlin",
            datetime(2026, 1, 4, 23, tzinfo=UTC),
        ),
        (
            datetime(2026, 1, 4, 23, 30, tzinfo=UTC),
            "Europe/Berlin",
            datetime(2026, 1, 4, 23, tzinfo=UTC),
        ),
        (
            datetime(2026, 1, 5, 3, tzinfo=UTC),
            "America/New_York",
            datetime(2026, 1, 4, 5, tzinfo=UTC),
        ),
        # Santiago skips midnight on 2026-09-06 (00:00 -04 becomes 01:00 -03): the day
        # starts at the change.
        (
            datetime(2026, 9, 6, 12, tzinfo=UTC),
            "America/Santiago",
            datetime(2026, 9, 6, 4, tzinfo=UTC),
        ),
    ],
)
def test_the_day_starts_at_midnight_where_the_reader_is(
    now: datetime, time_zone: str, start: datetime
) -> None:
    assert start_of_day(now, time_zone) == start
    assert start_of_day(now, time_zone).utcoffset() == timedelta(0)


async def test_resolved_today_counts_from_the_readers_midnight() -> None:
    world = World()
    world.clock.current = datetime(2026, 1, 4, 23, 30, tzinfo=UTC)
    dashboard = DashboardService(world.uow(), InMemoryDashboardQueries(world.store), world.clock)
    late = await world.report(None, "late")
    await world.issues.resolve(ADMIN, late.id, "fixed")
    world.clock.advance(hours=2)
    assert (await dashboard.stats(VIEWER)).resolved_today == 0
    berlin = await dashboard.stats(VIEWER, "Europe/Berlin")
    assert (berlin.resolved_today, berlin.resolved_since) == (
        1,
        datetime(2026, 1, 4, 23, tzinfo=UTC),
    )
    with pytest.raises(InvalidInput):
        await dashboard.stats(VIEWER, "")
    with pytest.raises(InvalidInput):
        IssueQuery(resolved_since=datetime(2026, 1, 5))  # no time zone: which midnight?
    assert DashboardService(world.uow(), world.dashboard).clock.now().tzinfo is not None
