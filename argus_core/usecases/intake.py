"""Reports from the chat tool: take a delivery in durably, then turn it into an issue.

Slack wants an answer within three seconds and delivers again when it gets none, so the
web endpoint only *receives* (remembers the delivery and queues its job); the job then
*takes it in*. A delivery's receipt is unique in the database, so the same mention
delivered five times, to two processes at once, makes one issue.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from uuid import UUID

import msgspec

from argus_core.domain.errors import NotFound
from argus_core.domain.issue import Issue, Reporter, SlackRef
from argus_core.domain.people import Actor
from argus_core.domain.values import Priority, Source
from argus_core.jobs import INTAKE
from argus_core.ports import ChatNotifier, Clock, JobQueue, UnitOfWork
from argus_core.usecases.issues import IssueService, NewIssue

EMPTY_HINT = (
    "Tell me what is wrong and I will track it, e.g. "
    "`@Argus payments API timing out for merchant X`."
)
THREAD_HINT = (
    "To report an issue, mention me in a new message in the channel rather than in a "
    "thread, so every issue gets a thread of its own."
)


class ChatMention(msgspec.Struct, frozen=True, kw_only=True):
    """A message addressed to Argus, as the chat adapter read it.

    ``text`` has Argus's own mention removed and other people's resolved to names.
    ``thread_ts`` is set when the message is a reply inside a thread.
    """

    receipt: str
    channel_id: str
    message_ts: str
    text: str
    thread_ts: str | None = None
    reporter: Reporter = Reporter()
    channel_name: str | None = None
    permalink: str | None = None

    @property
    def in_thread(self) -> bool:
        return self.thread_ts is not None and self.thread_ts != self.message_ts


class ChatReport(msgspec.Struct, frozen=True, kw_only=True):
    """An issue reported through the chat tool other than by a mention: a form filled in
    (Slack's ``/argus report`` modal) or a message someone asked Argus to track.

    ``message_ts`` is the message the issue stands for (its status emoji goes there),
    ``thread_ts`` the thread its conversation happens in (the same message, or the
    thread a tracked reply is in). ``reported_by`` names who used the form or shortcut
    when that is not the reporter.
    """

    receipt: str
    channel_id: str
    message_ts: str
    thread_ts: str
    title: str
    description: str = ""
    priority: Priority | None = None
    team_id: UUID | None = None
    reporter: Reporter = Reporter()
    reported_by: str | None = None
    channel_name: str | None = None
    permalink: str | None = None


class IntakeService:
    """Receives chat deliveries and takes mentions in as issues (or answers with a hint)."""

    def __init__(
        self,
        uow: UnitOfWork,
        issues: IssueService,
        queue: JobQueue,
        clock: Clock,
        chat: ChatNotifier | None,
        public_url: str,
    ) -> None:
        self.uow = uow
        self.issues = issues
        self.queue = queue
        self.clock = clock
        self.chat = chat
        self.public_url = public_url.rstrip("/")

    async def receive(self, key: str, payload: Mapping[str, Any]) -> bool:
        """Remember a delivery and queue the job that takes it in, before it is
        acknowledged. False when the delivery made its issue already (nothing queued);
        a delivery received but not yet handled is queued again under the same key, so
        a job lost between the two steps is queued by the sender's retry."""
        async with self.uow:
            made = await self.uow.receipts.record(key, self.clock.now())
            await self.uow.commit()
        if made is not None:
            return False
        await self.queue.enqueue(INTAKE, dict(payload), key=f"{INTAKE}:{key}")
        return True

    async def receive_tracked(
        self, key: str, payload: Mapping[str, Any], *, channel_id: str, thread_ts: str
    ) -> Issue | None:
        """Receive a request to track a chat message (like :meth:`receive`): the issue
        that tracks it already, if one does (its thread's, or the one this delivery
        made), else None once its job is queued."""
        tracked = await self._tracked(channel_id, thread_ts)
        if tracked is not None or await self.receive(key, payload):
            return tracked
        async with self.uow:
            made = await self.uow.receipts.record(key, self.clock.now())
            issue = await self.uow.issues.get(made) if made is not None else None
            await self.uow.commit()
        return issue

    async def take_in_report(self, report: ChatReport) -> Issue:
        """Open the issue a chat report makes (once per receipt; the issue already
        tracking its thread, if any). Anyone in the workspace may report; a team picked
        that is gone meanwhile leaves the issue to triage."""
        tracked = await self._tracked(report.channel_id, report.thread_ts)
        if tracked is not None:
            return tracked
        reporter = report.reporter
        # Anyone in the workspace may report from Slack: Argus opens the issue for them.
        name = report.reported_by or reporter.name or reporter.slack_user_id or "Slack"
        new = NewIssue(
            title=report.title,
            description=report.description,
            priority=report.priority,
            team_id=report.team_id,
            reporter=reporter,
            source=Source.SLACK,
            slack=SlackRef(
                channel_id=report.channel_id,
                thread_ts=report.thread_ts,
                message_ts=report.message_ts,
                channel_name=report.channel_name,
                permalink=report.permalink,
            ),
        )
        actor = Actor(name=name, is_system=True)
        if new.team_id is None:
            return await self.issues.report(actor, new, receipt=report.receipt)
        try:
            return await self.issues.report(actor, new, receipt=report.receipt)
        except NotFound:  # the team picked in the form was deleted meanwhile
            new = msgspec.structs.replace(new, team_id=None)
            return await self.issues.report(actor, new, receipt=report.receipt)

    async def take_in(self, mention: ChatMention) -> Issue | None:
        """Open the issue a mention reports (once per receipt), or answer in its thread:
        with the issue a thread already tracks, or with a hint."""
        if mention.in_thread:
            assert mention.thread_ts is not None
            tracked = await self._tracked(mention.channel_id, mention.thread_ts)
            text = THREAD_HINT
            if tracked is not None:
                text = (
                    f"This thread already tracks #{tracked.number} {tracked.title} "
                    f"({tracked.status.value.replace('_', ' ')}): {self._link(tracked)}. "
                    "To report something else, mention me in a new message."
                )
            await self._answer(mention, mention.thread_ts, text)
            return tracked
        text = mention.text.strip()
        if not text:
            await self._answer(mention, mention.message_ts, EMPTY_HINT)
            return None
        # The mention's message starts the issue's thread.
        report = ChatReport(
            receipt=mention.receipt,
            channel_id=mention.channel_id,
            message_ts=mention.message_ts,
            thread_ts=mention.message_ts,
            title=text.splitlines()[0],
            description=text,
            reporter=mention.reporter,
            channel_name=mention.channel_name,
            permalink=mention.permalink,
        )
        return await self.take_in_report(report)

    async def _tracked(self, channel_id: str, thread_ts: str) -> Issue | None:
        async with self.uow.reading():
            return await self.uow.issues.find_by_thread(channel_id, thread_ts)

    async def _answer(self, mention: ChatMention, thread_ts: str, text: str) -> None:
        if self.chat is not None:
            key = f"{INTAKE}:{mention.receipt}:answer"
            await self.chat.post_in_thread(mention.channel_id, thread_ts, text, idempotency_key=key)

    def _link(self, issue: Issue) -> str:
        return f"{self.public_url}/issues/{issue.id}"
