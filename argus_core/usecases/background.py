"""Background work: hand stored events to the job queue, tell Slack, manage failed jobs."""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

import msgspec

from argus_core.domain.errors import Conflict, NotFound, PermissionDenied
from argus_core.domain.events import DomainEvent
from argus_core.domain.people import Actor
from argus_core.jobs import jobs_for
from argus_core.notifications import compose, members_needed
from argus_core.ports import ChatNotifier, Clock, DeadLetters, FailedJob, JobQueue, UnitOfWork

RELAY_BATCH = 200
RETRY_MARK = ":retry:"


class OutboxRelay:
    """Turns committed events into jobs, in three short steps: read, queue, mark.

    No transaction is held while queueing, and a job's key comes from its event, so a
    relay that dies before marking (or two relays at once) queues each job once.
    """

    def __init__(self, uow: UnitOfWork, queue: JobQueue, batch: int = RELAY_BATCH) -> None:
        self.uow = uow
        self.queue = queue
        self.batch = batch

    async def relay(self) -> int:
        """Queue the jobs of every pending event (up to one batch); returns how many events."""
        async with self.uow:
            events = await self.uow.outbox.pending(self.batch)
        for event in events:
            for job in jobs_for(event):
                await self.queue.enqueue(job.name, job.payload, key=job.key)
        if events:
            async with self.uow:
                await self.uow.outbox.mark_dispatched([e.id for e in events])
                await self.uow.commit()
        return len(events)


class NotificationService:
    """Tells Slack about one event: read what is needed, then talk to Slack with no
    transaction open. Without Slack configured (``notifier`` None) it does nothing."""

    def __init__(self, uow: UnitOfWork, notifier: ChatNotifier | None, public_url: str) -> None:
        self.uow = uow
        self.notifier = notifier
        self.public_url = public_url.rstrip("/")

    async def deliver(self, event: DomainEvent) -> None:
        if self.notifier is None:
            return
        async with self.uow:
            try:
                issue = await self.uow.issues.get(event.issue_id)
            except NotFound:
                return  # deleted since: nothing to tell
            team = await self.uow.teams.get(issue.team_id) if issue.team_id else None
            wanted = members_needed(event, issue)
            members = {m.id: m for m in await self.uow.members.get_many(wanted)}
        note = compose(
            event,
            issue,
            members,
            team_name=team.name if team else None,
            link=f"{self.public_url}/issues/{issue.id}",
        )
        slack = issue.slack
        if not issue.notifications_muted:  # a muted issue only keeps its status emoji
            if slack is not None and note.thread_text is not None:
                await self.notifier.post_in_thread(
                    slack.channel_id,
                    slack.thread_ts,
                    note.thread_text,
                    idempotency_key=note.thread_key,
                )
            for dm in note.direct:
                await self.notifier.send_direct_message(dm.user_id, dm.text, idempotency_key=dm.key)
        if slack is not None and note.show_status:
            await self.notifier.show_status(
                slack.channel_id, slack.message_ts or slack.thread_ts, issue.status
            )


class FailedJobService:
    """Admins see jobs that used up their retries and queue them again."""

    def __init__(self, dead: DeadLetters, queue: JobQueue, clock: Clock) -> None:
        self.dead = dead
        self.queue = queue
        self.clock = clock

    async def list(self, actor: Actor, limit: int = 100) -> Sequence[FailedJob]:
        _require_admin(actor)
        return await self.dead.list(limit)

    async def retry(self, actor: Actor, job_id: UUID) -> FailedJob:
        """Queue the job again. The retry's key names the failed job, so two admins
        clicking at once queue it once; its side effects keep their own keys, so what
        the failed attempts already did is not done twice."""
        _require_admin(actor)
        job = await self.dead.get(job_id)
        if job.retried_at is not None:
            raise Conflict("This job has been queued again already.")
        # Keyed by the original job and this dead letter: a retry of a retry stays short.
        original = job.key.split(RETRY_MARK, 1)[0]
        await self.queue.enqueue(job.name, job.payload, key=f"{original}{RETRY_MARK}{job.id}")
        now = self.clock.now()
        await self.dead.mark_retried(job.id, now)
        return msgspec.structs.replace(job, retried_at=now)


def _require_admin(actor: Actor) -> None:
    if not actor.is_admin:
        raise PermissionDenied("Only admins can see and retry failed jobs.")
