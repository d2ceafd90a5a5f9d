"""Reminder rules: when a stale issue is nudged in its thread."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from argus_core.domain.errors import InvalidInput
from argus_core.domain.issue import Issue
from argus_core.domain.team import ReminderSettings, Team
from argus_core.domain.values import MAX_REMINDER_MINUTES, Priority


def interval_for(settings: ReminderSettings, priority: Priority) -> timedelta:
    """The team's interval for ``priority``: the per-priority override, else the default."""
    minutes = settings.per_priority.get(priority, settings.frequency_minutes)
    return timedelta(minutes=minutes)


def zone(name: str) -> ZoneInfo:
    """The IANA time zone ``name``, or a clear error for an unknown one."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise InvalidInput(f"Unknown time zone {name!r}.") from exc


def validate(settings: ReminderSettings) -> ReminderSettings:
    """Refuse settings that could never work: bad hours, zone or intervals."""
    for hour in (settings.start_hour, settings.end_hour):
        if not 0 <= hour <= 23:
            raise InvalidInput("Working hours must be whole hours from 0 to 23.")
    zone(settings.timezone)
    for minutes in (settings.frequency_minutes, *settings.per_priority.values()):
        if not 1 <= minutes <= MAX_REMINDER_MINUTES:
            raise InvalidInput("Reminder intervals must be from one minute to a year.")
    return settings


def within_working_hours(settings: ReminderSettings, now: datetime) -> bool:
    """Whether ``now`` falls in the team's working hours, in the team's time zone.

    ``start_hour == end_hour`` means all day; ``start_hour > end_hour`` spans midnight.
    """
    hour = now.astimezone(zone(settings.timezone)).hour
    start, end = settings.start_hour, settings.end_hour
    if start == end:
        return True
    if start < end:
        return start <= hour < end
    return hour >= start or hour < end


def next_due_at(issue: Issue, team: Team | None) -> datetime | None:
    """When the issue next needs a reminder, or None if it never will as things stand.

    Only active, unmuted issues of a team with reminders on are reminded; they become due
    a full interval after their last activity or reminder. Adapters store this value so
    that finding due issues is an index lookup.
    """
    if (
        team is None
        or issue.team_id != team.id
        or not team.reminders.enabled
        or not issue.status.is_active
        or issue.notifications_muted
    ):
        return None
    return issue.last_activity_at + interval_for(team.reminders, issue.priority)


def is_due(issue: Issue, team: Team, now: datetime) -> bool:
    """Whether a reminder should go out for ``issue`` at ``now``.

    Due (see :func:`next_due_at`) and inside the team's working hours; since the
    reminder itself counts as activity, never twice in one period.
    """
    due = next_due_at(issue, team)
    return due is not None and now >= due and within_working_hours(team.reminders, now)
