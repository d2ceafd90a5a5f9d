"""Root-cause analysis: one run per issue at a time, progress stored as it comes.

A run holds the issue's analysis in the database (not in memory), extends the hold while
it works and gives it up when it ends; a run that died leaves a hold that expires, and
the job's retry takes over. The providers are tried in the configured order (the last,
manual steps, always answers). After a real analysis (never after manual steps) a judge
may find the issue not actionable and resolve it, saying why.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import datetime, timedelta
from uuid import UUID

import msgspec

from argus_core.chain import Outcome, ProviderChain
from argus_core.domain.errors import NoProviderAnswered, Unavailable
from argus_core.domain.events import RcaFinished
from argus_core.domain.issue import Issue, Rca, RcaProgress
from argus_core.domain.values import RcaState
from argus_core.ports import AutoResolveJudge, Clock, RcaProvider, UnitOfWork
from argus_core.usecases.issues import IssueService

log = logging.getLogger(__name__)

HOLD = timedelta(minutes=2)
"""How long a run's hold lasts without a heartbeat (a dead run frees the issue after it)."""
HEARTBEAT_SECONDS = 30.0
TEXT_SAVE_SECONDS = 1.0
"""Streamed text is stored at most this often; every other progress step at once."""
MAX_STEPS = 200
MAX_TEXT = 4000
JUDGE_SECONDS = 60.0
FALLBACK_SOURCE = "fallback"


class RcaBusy(Unavailable):
    """Another run holds this issue's analysis; try again later."""


class RcaService:
    """Runs an issue's root-cause analysis through the provider chain."""

    def __init__(
        self,
        uow: UnitOfWork,
        issues: IssueService,
        chain: ProviderChain[RcaProvider],
        clock: Clock,
        *,
        judge: AutoResolveJudge | None = None,
        threshold: float = 0.8,
        hold: timedelta = HOLD,
        heartbeat_seconds: float = HEARTBEAT_SECONDS,
    ) -> None:
        self.uow = uow
        self.issues = issues
        self.chain = chain
        self.clock = clock
        self.judge = judge
        self.threshold = threshold
        self.hold = hold
        self.heartbeat_seconds = heartbeat_seconds

    async def run(self, issue_id: UUID) -> Rca:
        """Analyse the issue and store the result; :class:`RcaBusy` if a run holds it."""
        now = self.clock.now()
        async with self.uow:
            if not await self.uow.issues.claim_rca(issue_id, now, now + self.hold):
                raise RcaBusy(f"The analysis of issue {issue_id} is already running.")
            issue = await self.uow.issues.get(issue_id)
            await self.uow.commit()
        progress = _Progress(self, issue_id, holding=now + self.hold)
        await progress.save()
        heartbeat = asyncio.create_task(progress.beat(self.heartbeat_seconds))
        try:
            outcome = await self.chain.run(
                lambda provider: progress.investigate(provider, issue), accept=_has_content
            )
        except NoProviderAnswered as exc:
            rca = Rca(state=RcaState.FAILED, summary=str(exc), progress=progress.steps())
        else:
            rca = _finished(outcome, progress)
        finally:
            heartbeat.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await heartbeat
        async with progress.lock, self.uow:
            if progress.lost or not await self.uow.issues.save_rca(
                issue_id, rca, None, holding=progress.holding
            ):
                # This run's hold ran out (its heartbeats failed) and another run took over:
                # that one's result counts, this one's is dropped.
                log.warning("the RCA of %s was taken over; dropping this run's result", issue_id)
                return rca
            finished = RcaFinished(
                issue_id=issue_id,
                occurred_at=self.clock.now(),
                state=rca.state,
                provider=rca.provider,
                source=rca.source,
                summary=rca.summary,
            )
            await self.uow.outbox.record((finished,))
            await self.uow.commit()
        if rca.state is RcaState.COMPLETED:
            await self._auto_resolve(issue, rca)
        return rca

    async def _auto_resolve(self, issue: Issue, rca: Rca) -> None:
        """Resolve when the judge is sure enough the issue needs no action."""
        if self.judge is None or rca.source == FALLBACK_SOURCE:
            return
        try:
            verdict = await asyncio.wait_for(self.judge.judge(issue, rca), JUDGE_SECONDS)
        except Exception:
            log.warning("the auto-resolve judge failed for issue %s", issue.id, exc_info=True)
            return
        if verdict is None or not verdict.should_resolve or verdict.confidence < self.threshold:
            return
        async with self.uow.reading():
            current = await self.uow.issues.get(issue.id)
        if current.status.is_active:
            await self.issues.auto_resolve(issue.id, f"Not actionable: {verdict.reason}")


class _Progress:
    """The run's progress: kept in order, stored as it comes, the hold extended."""

    def __init__(self, service: RcaService, issue_id: UUID, *, holding: datetime) -> None:
        self.service = service
        self.issue_id = issue_id
        self.holding = holding
        """The hold this run last set (its proof that it still holds the analysis)."""
        self.lost = False
        self.lock = asyncio.Lock()
        self._steps: list[RcaProgress] = []
        self._saved_at = service.clock.now()

    def steps(self) -> tuple[RcaProgress, ...]:
        return tuple(self._steps)

    async def investigate(self, provider: RcaProvider, issue: Issue) -> Rca | None:
        """One provider's attempt; its failure is told in the progress before moving on."""
        try:
            return await provider.investigate(issue, self.add)
        except Exception as exc:
            await self.add(RcaProgress(stage="failed", message=f"{provider.name}: {exc!r}"))
            raise

    async def add(self, step: RcaProgress) -> None:
        """Keep a step (text runs are merged); store it now, or soon for text."""
        last = self._steps[-1] if self._steps else None
        if step.stage == "text" and last is not None and last.stage == "text":
            merged = (last.message + step.message)[:MAX_TEXT]  # the full text is in the result
            self._steps[-1] = msgspec.structs.replace(last, message=merged)
        elif len(self._steps) < MAX_STEPS:
            self._steps.append(step)
        waited = (self.service.clock.now() - self._saved_at).total_seconds()
        if step.stage != "text" or waited >= TEXT_SAVE_SECONDS:
            await self.save()

    async def save(self) -> None:
        """Store the progress so far and extend the hold, unless another run took over."""
        if self.lost:
            return
        async with self.lock, self.service.uow:
            now = self.service.clock.now()
            until = now + self.service.hold
            running = Rca(state=RcaState.INVESTIGATING, progress=self.steps())
            issues = self.service.uow.issues
            if await issues.save_rca(self.issue_id, running, until, holding=self.holding):
                await self.service.uow.commit()
                self.holding = until
            else:
                self.lost = True
            self._saved_at = now

    async def beat(self, seconds: float) -> None:
        """Extend the hold every ``seconds`` while a provider works quietly."""
        while True:
            await asyncio.sleep(seconds)
            try:
                await self.save()
            except Exception:
                log.warning("could not extend the RCA hold of %s", self.issue_id, exc_info=True)


def _has_content(rca: Rca) -> bool:
    return bool(rca.summary.strip() or rca.full_report.strip() or rca.investigation_steps)


def _finished(outcome: Outcome[Rca], progress: _Progress) -> Rca:
    """The winning answer, marked completed, with the failures before it in the progress."""
    skipped = tuple(
        RcaProgress(stage="failed", message=f"{f.name}: {f.kind} {f.detail}".strip())
        for f in outcome.failures
        if f.kind != "error"  # errors were told as they happened
    )
    return msgspec.structs.replace(
        outcome.value,
        state=RcaState.COMPLETED,
        provider=outcome.provider,
        progress=progress.steps() + skipped,
    )
