"""The periodic reminder run."""

from __future__ import annotations

from argus_core.domain.values import SYSTEM_NAME
from argus_core.lifecycle import remind
from argus_core.ports import Clock, UnitOfWork
from argus_core.reminders import is_due, within_working_hours
from argus_core.usecases.common import member_names

DEFAULT_BATCH = 500


class ReminderService:
    """Finds stale issues and records a reminder for each, once per period.

    The reminder itself reaches Slack through the ``ReminderDue`` event, so this run is
    short and holds no transaction while anything talks to Slack.
    """

    def __init__(self, uow: UnitOfWork, clock: Clock, batch: int = DEFAULT_BATCH) -> None:
        self.uow = uow
        self.clock = clock
        self.batch = batch

    async def run(self) -> int:
        """Record every reminder due now; returns how many were recorded."""
        now = self.clock.now()
        sent = 0
        async with self.uow:
            teams = {
                team.id: team
                for team in await self.uow.teams.list()
                if team.reminders.enabled and within_working_hours(team.reminders, now)
            }
            candidates = await self.uow.issues.reminder_candidates(teams, now, self.batch)
            for issue in candidates:
                team = teams.get(issue.team_id) if issue.team_id else None
                if team is None or not is_due(issue, team, now):
                    continue
                if not await self.uow.issues.mark_reminded(issue.id, issue.last_reminded_at, now):
                    continue  # another worker sent this period's reminder
                names = await member_names(self.uow, issue.assignee_ids)
                change = remind(issue, names=names, by=SYSTEM_NAME, now=now)
                # mark_reminded already stored the issue's new state.
                await self.uow.history.add(change.history)
                await self.uow.outbox.record(change.events)
                sent += 1
            await self.uow.commit()
        return sent
