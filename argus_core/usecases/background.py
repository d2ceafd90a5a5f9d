"""Background work: hand stored events to the job queue, tell Slack, manage failed jobs."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable, Sequence
from datetime import datetime
from uuid import UUID

import msgspec

from argus_core.domain.errors import Conflict, NotFound, PermissionDenied, Unavailable
from argus_core.domain.events import DomainEvent
from argus_core.domain.issue import Issue, SlackRef
from argus_core.domain.people import Actor
from argus_core.domain.team import Member, Team
from argus_core.jobs import jobs_for
from argus_core.notifications import IssueCard, Notification, compose, members_needed
from argus_core.ports import (
    ChatNotifier,
    Clock,
    DeadLetters,
    FailedJob,
    JobQueue,
    MessageRewriter,
    Notifier,
    UnitOfWork,
)

log = logging.getLogger(__name__)

RELAY_BATCH = 200
REWRITE_SECONDS = 10.0
"""A plain-language rewrite never holds a message back longer than this."""
NOTIFIER_SECONDS = 30.0
"""A plugin's notifier gets this long per event."""
RETRY_MARK = ":retry:"
THREAD_HOLD_SECONDS = 45.0
"""How long a notify job holds its issue's thread: longer than a notify job may run."""
THREAD_WAIT_SECONDS = 15.0
"""How long a notify job waits for another's hold on its thread before failing (and
being retried by the queue)."""


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
    """Tells Slack and the plugins' notifiers about one event: read what is needed, then
    talk to them with no transaction open. Slack messages may be rewritten in plain
    language first (the raw text when the rewriter fails).

    An issue's thread hears its events in the order they happened, however many notify
    jobs run at once and whichever are retried: a job holds the thread, posts the
    messages of the issue's earlier events that are not marked told yet (each is looked
    for before it is posted, so none comes twice), then its own, marking each told.
    """

    def __init__(
        self,
        uow: UnitOfWork,
        notifier: ChatNotifier | None,
        public_url: str,
        *,
        notifiers: Sequence[Notifier] = (),
        rewriter: MessageRewriter | None = None,
        observe: Callable[[DomainEvent], None] | None = None,
    ) -> None:
        """``observe`` hears every event first (the plugins' ``argus_issue_event``)."""
        self.uow = uow
        self.notifier = notifier
        self.public_url = public_url.rstrip("/")
        self.notifiers = tuple(notifiers)
        self.rewriter = rewriter
        self.observe = observe

    async def deliver(self, event: DomainEvent) -> None:
        if self.observe is not None:
            self.observe(event)
        if self.notifier is None and not self.notifiers:
            return
        async with self.uow.reading():
            try:
                issue = await self.uow.issues.get(event.issue_id)
            except NotFound:
                return  # deleted since: nothing to tell
            team = await self.uow.teams.get(issue.team_id) if issue.team_id else None
            wanted = members_needed(event, issue)
            members = {m.id: m for m in await self.uow.members.get_many(wanted)}
        if self.notifier is not None:
            note = self._compose(event, issue, members, team)
            await self._tell_slack(self.notifier, event, issue, note, team)
        # After Slack, so a broken plugin delays nobody's Slack message; a failure still
        # fails the job, whose retry finds Slack's posts already made.
        for other in self.notifiers:
            async with asyncio.timeout(NOTIFIER_SECONDS):
                await other.notify(event, issue)

    def _compose(
        self, event: DomainEvent, issue: Issue, members: dict[UUID, Member], team: Team | None
    ) -> Notification:
        return compose(
            event,
            issue,
            members,
            team_name=team.name if team else None,
            link=f"{self.public_url}/issues/{issue.id}",
        )

    async def _tell_slack(
        self,
        slack_api: ChatNotifier,
        event: DomainEvent,
        issue: Issue,
        note: Notification,
        team: Team | None,
    ) -> None:
        slack = issue.slack
        says = slack is not None and note.thread_text is not None
        if says and issue.notifications_muted:  # not told now, nor later when unmuted
            await self._mark_told([event.id])
            says = False
        if slack is not None and (note.card is not None or says):
            # One hold for both: no other job posts in the thread meanwhile.
            async with self._holding_thread(issue.id):
                if note.card is not None:  # first, so a report's first reply is its card
                    await self._show_card(slack_api, slack, issue, note.card)
                if says:
                    await self._tell_thread(slack_api, slack, event, issue, team)
        if not issue.notifications_muted:  # a muted issue only keeps its status emoji
            for dm in note.direct:
                await slack_api.send_direct_message(
                    dm.user_id, await self._plain(dm.text), idempotency_key=dm.key
                )
        if slack is not None and note.show_status:
            await slack_api.show_status(
                slack.channel_id, slack.message_ts or slack.thread_ts, issue.status
            )

    async def _show_card(
        self, slack_api: ChatNotifier, slack: SlackRef, issue: Issue, card: IssueCard
    ) -> None:
        """Post or update the issue's card, the thread held: the jobs of a new issue's
        report and assignment, in two processes at once, would otherwise both find no
        card and post one each. A muted issue's card is kept current (an edit notifies
        nobody) but never posted anew."""
        await slack_api.show_card(
            slack.channel_id,
            slack.thread_ts,
            card,
            key=card.key,
            create=not issue.notifications_muted,
        )

    async def _tell_thread(
        self,
        slack_api: ChatNotifier,
        slack: SlackRef,
        event: DomainEvent,
        issue: Issue,
        team: Team | None,
    ) -> None:
        """Post the thread messages of the issue's untold events up to ``event``, in
        order (the thread held)."""
        async with self.uow.reading():
            stored = await self.uow.outbox.thread_backlog(issue.id, event.id)
            backlog = [event] if stored is None else list(stored)  # None: not stored
            wanted = set[UUID]().union(*(members_needed(e, issue) for e in backlog))
            members = {m.id: m for m in await self.uow.members.get_many(wanted)}
        told: list[UUID] = []
        for earlier in backlog:
            told.append(earlier.id)
            note = self._compose(earlier, issue, members, team)
            if note.thread_text is None:
                continue  # nothing to say in the thread (a report: its card says it)
            await self._post_thread(slack_api, slack, note)
            await self._mark_told(told)
            told = []
        await self._mark_told(told)

    async def _post_thread(
        self, slack_api: ChatNotifier, slack: SlackRef, note: Notification
    ) -> None:
        """One event's message in the issue's thread (found, not posted again, if there)."""
        assert note.thread_text is not None
        await slack_api.post_in_thread(
            slack.channel_id,
            slack.thread_ts,
            await self._plain(note.thread_text),
            idempotency_key=note.thread_key,
        )

    @contextlib.asynccontextmanager
    async def _holding_thread(self, issue_id: UUID) -> AsyncIterator[None]:
        """The issue's thread held for the block, given back after it, even on failure."""
        hold = await self._hold_thread(issue_id)
        try:
            yield
        finally:
            async with self.uow:
                await self.uow.outbox.release_thread(issue_id, hold)
                await self.uow.commit()

    async def _hold_thread(self, issue_id: UUID) -> datetime:
        """Hold the issue's thread, waiting a while for another job's hold to end."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + THREAD_WAIT_SECONDS
        pause = 0.05
        while True:
            async with self.uow:
                hold = await self.uow.outbox.hold_thread(issue_id, THREAD_HOLD_SECONDS)
                await self.uow.commit()
            if hold is not None:
                return hold
            if loop.time() + pause > deadline:
                raise Unavailable(
                    "Another job is posting in this issue's Slack thread; try again later."
                )
            await asyncio.sleep(pause)
            pause = min(pause * 2, 0.5)

    async def _mark_told(self, event_ids: list[UUID]) -> None:
        if event_ids:
            async with self.uow:
                await self.uow.outbox.mark_told(event_ids)
                await self.uow.commit()

    async def _plain(self, text: str) -> str:
        """``text`` in plain language, or as it is when there is no rewriter or it fails."""
        if self.rewriter is None:
            return text
        try:
            async with asyncio.timeout(REWRITE_SECONDS):
                return (await self.rewriter.rewrite(text)).strip() or text
        except Exception:
            log.warning("rewriting a message failed; sending it as it is", exc_info=True)
            return text


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
