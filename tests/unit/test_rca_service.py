"""Root-cause analysis runs: provider order, stored progress, the hold, auto-resolve."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from datetime import datetime

import pytest

from argus_adapters.memory import InMemoryStore, InMemoryUnitOfWork, ManualClock
from argus_adapters.memory.store import InMemoryIssueRepository
from argus_core.chain import ProviderChain, Step
from argus_core.domain.errors import NotFound
from argus_core.domain.events import RcaFinished, StatusChanged
from argus_core.domain.issue import Issue, Rca, RcaProgress, RootCause
from argus_core.domain.values import SYSTEM_NAME, RcaState, Status
from argus_core.ports import ProgressSink, RcaProvider, UnitOfWork, Verdict
from argus_core.usecases.issues import IssueService
from argus_core.usecases.rca import HOLD, MAX_STEPS, MAX_TEXT, RcaBusy, RcaService
from tests.world import ADMIN, World

Script = Callable[[Issue, ProgressSink], Awaitable[Rca | None]]

ANSWER = Rca(
    state=RcaState.INVESTIGATING,  # whatever a provider says, a stored answer is completed
    source="vishwakarma",
    summary="The connection pool ran out after the 10:00 deploy.",
    root_causes=(RootCause(cause="pool too small", probability=0.7),),
    suggested_fixes=("raise the pool size",),
)
MANUAL = Rca(
    state=RcaState.COMPLETED,
    source="fallback",
    summary="Check the recent deploys and the error logs.",
    investigation_steps=("open the dashboard", "read the logs"),
)


def step(stage: str, message: str = "", tool: str | None = None) -> RcaProgress:
    return RcaProgress(stage=stage, message=message, tool=tool)


class Provider:
    """A fake RCA provider: runs ``script`` (or reports ``steps`` and returns ``answer``)."""

    def __init__(
        self,
        name: str,
        answer: Rca | None = None,
        *,
        steps: tuple[RcaProgress, ...] = (),
        script: Script | None = None,
        timeout: float = 5.0,
    ) -> None:
        self.name = name
        self.timeout = timeout
        self.answer = answer
        self.steps = steps
        self.script = script
        self.calls: list[Issue] = []

    async def investigate(self, issue: Issue, progress: ProgressSink) -> Rca | None:
        self.calls.append(issue)
        for each in self.steps:
            await progress(each)
        if self.script is not None:
            return await self.script(issue, progress)
        return self.answer


def failing(name: str, error: Exception | None = None) -> Provider:
    async def fail(issue: Issue, progress: ProgressSink) -> Rca | None:
        raise error or RuntimeError(f"{name} is down")

    return Provider(name, script=fail)


def hanging(name: str, timeout: float = 0.05) -> Provider:
    async def hang(issue: Issue, progress: ProgressSink) -> Rca | None:
        await asyncio.Event().wait()
        return MANUAL  # never: the chain's time limit cancels the wait

    return Provider(name, script=hang, timeout=timeout)


class Judge:
    """Gives ``verdict`` (or raises ``error``), after running ``before`` if given."""

    name = "judge"

    def __init__(
        self,
        verdict: Verdict | None = None,
        *,
        error: Exception | None = None,
        before: Callable[[], Awaitable[None]] | None = None,
    ) -> None:
        self.verdict = verdict
        self.error = error
        self.before = before
        self.calls: list[tuple[Issue, Rca]] = []

    async def judge(self, issue: Issue, rca: Rca) -> Verdict | None:
        self.calls.append((issue, rca))
        if self.before is not None:
            await self.before()
        if self.error is not None:
            raise self.error
        return self.verdict


class Lab:
    """An in-memory world with one reported issue and RCA services over it."""

    def __init__(self, world: World, issue: Issue) -> None:
        self.world = world
        self.issue = issue

    @property
    def clock(self) -> ManualClock:
        return self.world.clock

    def service(
        self,
        *providers: RcaProvider,
        judge: Judge | None = None,
        threshold: float = 0.8,
        heartbeat_seconds: float = 30.0,
        uow: UnitOfWork | None = None,
    ) -> RcaService:
        """An RCA service as one job gets it: its own unit of work, shared with the issues."""
        uow = uow or self.world.uow()
        chain = ProviderChain([Step(name=p.name, provider=p, timeout=p.timeout) for p in providers])
        return RcaService(
            uow,
            IssueService(uow, self.clock),
            chain,
            self.clock,
            judge=judge,
            threshold=threshold,
            heartbeat_seconds=heartbeat_seconds,
        )

    async def run(
        self,
        *providers: RcaProvider,
        judge: Judge | None = None,
        threshold: float = 0.8,
        heartbeat_seconds: float = 30.0,
        uow: UnitOfWork | None = None,
    ) -> Rca:
        """Analyse the lab's issue as one job would."""
        service = self.service(
            *providers,
            judge=judge,
            threshold=threshold,
            heartbeat_seconds=heartbeat_seconds,
            uow=uow,
        )
        return await service.run(self.issue.id)

    @property
    def stored(self) -> Rca | None:
        return self.world.store.issues[self.issue.id].rca

    @property
    def current(self) -> Issue:
        return self.world.store.issues[self.issue.id]

    @property
    def held_until(self) -> datetime | None:
        return self.world.store.rca_holds.get(self.issue.id)

    def finished(self) -> list[RcaFinished]:
        return [
            e
            for e in self.world.store.events
            if isinstance(e, RcaFinished) and e.issue_id == self.issue.id
        ]

    async def claim(self) -> None:
        """Hold the analysis as a run that then dies would."""
        now = self.clock.now()
        async with self.world.uow() as uow:
            assert await uow.issues.claim_rca(self.issue.id, now, now + HOLD)
            await uow.commit()


async def reach(point: asyncio.Event, run: asyncio.Task[Rca]) -> None:
    """Wait (a bounded while) until the running analysis reaches ``point``; if the run
    ends first, its error (or the fact that it ended) shows at once."""
    waiter = asyncio.ensure_future(point.wait())
    try:
        async with asyncio.timeout(5):
            await asyncio.wait({waiter, run}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        waiter.cancel()
    if not point.is_set():
        raise AssertionError(f"the run ended before the point was reached: {run.result()}")


@pytest.fixture
async def lab() -> Lab:
    world = World()
    team = await world.team()
    await world.member(team, "Alice")
    return Lab(world, await world.report(team, "Checkout is down"))


# --------------------------------------------------------------------------- answers


async def test_the_first_provider_that_answers_wins_and_is_stored(lab: Lab) -> None:
    first, second = Provider("remote", ANSWER), Provider("manual", MANUAL)
    rca = await lab.run(first, second)

    assert rca.state is RcaState.COMPLETED
    assert rca.provider == "remote"
    assert rca.source == "vishwakarma"  # the provider's own source is kept
    assert rca.summary == ANSWER.summary
    assert rca.root_causes == ANSWER.root_causes
    assert rca.suggested_fixes == ANSWER.suggested_fixes
    assert lab.stored == rca
    assert [i.id for i in first.calls] == [lab.issue.id]
    assert first.calls[0].title == "Checkout is down"
    assert second.calls == []
    assert lab.held_until is None  # the hold is given up


@pytest.mark.parametrize(
    "answer",
    [
        Rca(state=RcaState.COMPLETED, full_report="## Report\nThe pool is full."),
        Rca(state=RcaState.COMPLETED, investigation_steps=("check the pool",)),
        Rca(state=RcaState.COMPLETED, summary="Pool full."),
    ],
    ids=["report", "steps", "summary"],
)
async def test_any_content_is_an_answer(lab: Lab, answer: Rca) -> None:
    later = Provider("manual", MANUAL)
    rca = await lab.run(Provider("ai", answer), later)
    assert rca.provider == "ai"
    assert later.calls == []


async def test_failing_empty_and_slow_providers_are_skipped_and_told_in_the_progress(
    lab: Lab,
) -> None:
    providers = (
        failing("broken", RuntimeError("boom")),
        Provider("empty", None),
        Provider("blank", Rca(state=RcaState.COMPLETED, summary="  \n", full_report=" ")),
        hanging("slow", timeout=0.05),
        Provider("manual", MANUAL),
    )
    rca = await lab.run(*providers)

    assert rca.state is RcaState.COMPLETED
    assert (rca.provider, rca.source) == ("manual", "fallback")
    assert rca.summary == MANUAL.summary
    assert rca.progress == (
        step("failed", "broken: RuntimeError('boom')"),
        step("failed", "empty: empty"),
        step("failed", "blank: empty"),
        step("failed", "slow: timeout 0.05s"),
    )
    assert lab.stored == rca
    assert all(len(p.calls) == 1 for p in providers)


async def test_a_provider_raising_its_own_timeout_error_is_told_once(lab: Lab) -> None:
    rca = await lab.run(
        failing("remote", TimeoutError("upstream took too long")), Provider("manual", MANUAL)
    )
    assert rca.provider == "manual"
    assert rca.progress == (step("failed", "remote: TimeoutError('upstream took too long')"),)


async def test_when_every_provider_fails_the_analysis_is_stored_as_failed(lab: Lab) -> None:
    judge = Judge(Verdict(should_resolve=True, reason="noise", confidence=1.0))
    rca = await lab.run(
        failing("remote", ConnectionError("refused")),
        Provider("ai", None),
        hanging("slow"),
        judge=judge,
    )

    assert rca.state is RcaState.FAILED
    assert rca.provider is None
    assert "remote: error ConnectionError('refused')" in rca.summary
    assert "ai: empty" in rca.summary
    assert "slow: timeout" in rca.summary
    assert rca.progress == (step("failed", "remote: ConnectionError('refused')"),)
    assert lab.stored == rca
    assert lab.held_until is None
    assert judge.calls == []
    assert lab.current.status is Status.OPEN


# --------------------------------------------------------------------------- progress


async def test_progress_is_stored_while_the_provider_works(lab: Lab) -> None:
    seen: list[Rca | None] = []

    async def investigate(issue: Issue, progress: ProgressSink) -> Rca | None:
        seen.append(lab.stored)
        await progress(step("started", "looking at checkout"))
        seen.append(lab.stored)
        await progress(step("tool_started", "querying logs", tool="loki"))
        seen.append(lab.stored)
        assert lab.held_until is not None
        assert lab.held_until > lab.clock.now()
        return ANSWER

    rca = await lab.run(Provider("remote", script=investigate))

    started, tool = (
        step("started", "looking at checkout"),
        step("tool_started", "querying logs", "loki"),
    )
    assert seen == [
        Rca(state=RcaState.INVESTIGATING),
        Rca(state=RcaState.INVESTIGATING, progress=(started,)),
        Rca(state=RcaState.INVESTIGATING, progress=(started, tool)),
    ]
    assert rca.progress == (started, tool)
    assert lab.stored == rca


async def test_a_new_run_starts_from_an_empty_progress(lab: Lab) -> None:
    await lab.run(Provider("remote", ANSWER, steps=(step("started", "first run"),)))
    assert lab.stored is not None
    assert lab.stored.progress == (step("started", "first run"),)
    seen: list[Rca | None] = []

    async def investigate(issue: Issue, progress: ProgressSink) -> Rca | None:
        seen.append(lab.stored)
        return MANUAL

    rca = await lab.run(Provider("manual", script=investigate))
    assert seen == [Rca(state=RcaState.INVESTIGATING)]
    assert rca.provider == "manual"
    assert lab.stored == rca
    assert len(lab.finished()) == 2


async def test_text_steps_are_merged_and_stored_at_most_every_second(lab: Lab) -> None:
    seen: list[tuple[RcaProgress, ...]] = []

    def stored_progress() -> tuple[RcaProgress, ...]:
        assert lab.stored is not None
        return lab.stored.progress

    async def investigate(issue: Issue, progress: ProgressSink) -> Rca | None:
        await progress(step("started", "go"))
        await progress(step("text", "The pool "))
        await progress(step("text", "is "))
        seen.append(stored_progress())  # streamed text waits for the next save
        lab.clock.advance(seconds=1)
        await progress(step("text", "full."))
        seen.append(stored_progress())
        await progress(step("tool_started", "checking", tool="pg"))
        await progress(step("text", "Confirmed"))
        return ANSWER

    rca = await lab.run(Provider("remote", script=investigate))

    assert seen == [
        (step("started", "go"),),
        (step("started", "go"), step("text", "The pool is full.")),
    ]
    assert rca.progress == (
        step("started", "go"),
        step("text", "The pool is full."),
        step("tool_started", "checking", "pg"),
        step("text", "Confirmed"),
    )
    assert lab.stored == rca


async def test_the_progress_is_capped_in_steps_and_in_text(lab: Lab) -> None:
    async def investigate(issue: Issue, progress: ProgressSink) -> Rca | None:
        for n in range(MAX_STEPS + 20):
            await progress(step("tool_result", f"result {n}", tool="t"))
        return ANSWER

    rca = await lab.run(Provider("chatty", script=investigate))
    assert len(rca.progress) == MAX_STEPS
    assert rca.progress[-1] == step("tool_result", f"result {MAX_STEPS - 1}", "t")

    chunks = [f"[chunk {n}]" + "." * 490 for n in range(10)]

    async def ramble(issue: Issue, progress: ProgressSink) -> Rca | None:
        for chunk in chunks:
            await progress(step("text", chunk))
        return ANSWER

    rca = await lab.run(Provider("rambling", script=ramble))
    (text,) = rca.progress
    assert text.message == "".join(chunks)[:MAX_TEXT]  # the beginning; the rest is in the answer


# --------------------------------------------------------------------------- the hold


async def test_a_second_run_is_refused_while_the_first_holds_the_issue(lab: Lab) -> None:
    working, release = asyncio.Event(), asyncio.Event()

    async def investigate(issue: Issue, progress: ProgressSink) -> Rca | None:
        await progress(step("started", "first"))
        working.set()
        await release.wait()
        return ANSWER

    first = asyncio.create_task(lab.run(Provider("remote", script=investigate)))
    await reach(working, first)
    other = Provider("manual", MANUAL)
    with pytest.raises(RcaBusy):
        await lab.run(other)
    assert other.calls == []
    assert lab.stored == Rca(state=RcaState.INVESTIGATING, progress=(step("started", "first"),))
    assert lab.held_until is not None

    release.set()
    rca = await first
    assert rca.provider == "remote"
    assert len(lab.finished()) == 1
    again = await lab.run(other)  # free again once the first is done
    assert again.provider == "manual"


async def test_the_hold_of_a_dead_run_is_taken_over_once_it_expires(lab: Lab) -> None:
    await lab.claim()
    waiting = Provider("manual", MANUAL)
    with pytest.raises(RcaBusy):
        await lab.run(waiting)
    lab.clock.advance(minutes=1)
    with pytest.raises(RcaBusy):
        await lab.run(waiting)
    assert waiting.calls == []

    lab.clock.advance(minutes=1, seconds=1)
    rca = await lab.run(waiting)
    assert rca.provider == "manual"
    assert lab.held_until is None


async def test_a_run_cancelled_midway_leaves_a_hold_that_expires(lab: Lab) -> None:
    working = asyncio.Event()

    async def investigate(issue: Issue, progress: ProgressSink) -> Rca | None:
        await progress(step("started", "dying"))
        working.set()
        await asyncio.Event().wait()
        return ANSWER  # never: the run is cancelled while waiting

    doomed = asyncio.create_task(lab.run(Provider("remote", script=investigate, timeout=60)))
    await reach(working, doomed)
    doomed.cancel()
    with pytest.raises(asyncio.CancelledError):
        await doomed
    assert lab.stored == Rca(state=RcaState.INVESTIGATING, progress=(step("started", "dying"),))
    assert lab.finished() == []
    with pytest.raises(RcaBusy):
        await lab.run(Provider("manual", MANUAL))

    lab.clock.advance(seconds=HOLD.total_seconds() + 1)
    rca = await lab.run(Provider("manual", MANUAL))
    assert rca.state is RcaState.COMPLETED
    assert lab.stored == rca


class WatchedIssues(InMemoryIssueRepository):
    """Issues whose analysis can be watched being stored, and cannot be while ``broken``."""

    def __init__(self, store: InMemoryStore) -> None:
        super().__init__(store)
        self.broken = False
        self.failed = 0
        self.saved = 0
        self.changed = asyncio.Condition()

    async def save_rca(
        self,
        issue_id: uuid.UUID,
        rca: Rca,
        held_until: datetime | None,
        *,
        holding: datetime | None = None,
    ) -> bool:
        try:
            if self.broken:
                self.failed += 1
                raise ConnectionError("database went away")
            written = await super().save_rca(issue_id, rca, held_until, holding=holding)
            self.saved += 1
            return written
        finally:
            async with self.changed:
                self.changed.notify_all()

    async def until(self, condition: Callable[[], bool]) -> None:
        """Wait (a bounded while) for what the heartbeat does in the background."""
        async with asyncio.timeout(5), self.changed:
            await self.changed.wait_for(condition)


def watched(lab: Lab) -> tuple[InMemoryUnitOfWork, WatchedIssues]:
    uow = InMemoryUnitOfWork(lab.world.store)
    uow.issues = issues = WatchedIssues(lab.world.store)
    return uow, issues


async def test_the_heartbeat_extends_the_hold_while_a_provider_works_quietly(lab: Lab) -> None:
    extended, release = asyncio.Event(), asyncio.Event()
    uow, issues = watched(lab)

    async def investigate(issue: Issue, progress: ProgressSink) -> Rca | None:
        lab.clock.advance(seconds=90)
        await issues.until(lambda: lab.held_until == lab.clock.now() + HOLD)
        extended.set()
        await release.wait()
        return ANSWER

    first = asyncio.create_task(
        lab.run(Provider("quiet", script=investigate, timeout=60), heartbeat_seconds=0.01, uow=uow)
    )
    await reach(extended, first)
    lab.clock.advance(seconds=90)  # past the first hold: only the heartbeat keeps it
    with pytest.raises(RcaBusy):
        await lab.run(Provider("manual", MANUAL))
    release.set()
    assert (await first).provider == "quiet"
    assert lab.held_until is None


async def test_a_failed_heartbeat_does_not_stop_the_run(lab: Lab) -> None:
    uow, issues = watched(lab)

    async def investigate(issue: Issue, progress: ProgressSink) -> Rca | None:
        issues.broken = True
        await issues.until(lambda: issues.failed >= 2)
        issues.broken = False
        saved = issues.saved
        await issues.until(lambda: issues.saved > saved)
        return ANSWER

    rca = await lab.run(
        Provider("remote", script=investigate, timeout=60), heartbeat_seconds=0.01, uow=uow
    )
    assert rca.state is RcaState.COMPLETED
    assert lab.stored == rca
    assert lab.held_until is None


async def test_an_unknown_issue_is_not_found(lab: Lab) -> None:
    provider = Provider("remote", ANSWER)
    ghost = uuid.uuid4()
    with pytest.raises(NotFound):
        await lab.service(provider).run(ghost)
    assert provider.calls == []
    assert ghost not in lab.world.store.rca_holds
    assert not any(isinstance(e, RcaFinished) for e in lab.world.store.events)


# --------------------------------------------------------------------------- outbox


async def test_a_finished_analysis_is_recorded_in_the_outbox(lab: Lab) -> None:
    lab.clock.advance(minutes=3)
    rca = await lab.run(Provider("remote", ANSWER))
    (event,) = lab.finished()
    assert event.state is RcaState.COMPLETED
    assert (event.provider, event.source) == ("remote", "vishwakarma")
    assert event.summary == rca.summary
    assert event.occurred_at == lab.clock.now()
    async with lab.world.uow() as uow:
        assert event in await uow.outbox.pending()


async def test_a_failed_analysis_is_recorded_in_the_outbox_too(lab: Lab) -> None:
    rca = await lab.run(failing("remote"))
    (event,) = lab.finished()
    assert event.state is RcaState.FAILED
    assert (event.provider, event.source) == (None, None)
    assert event.summary == rca.summary
    assert "remote: error" in event.summary


# --------------------------------------------------------------------------- auto-resolve


def confident(confidence: float = 0.9, *, resolve: bool = True) -> Verdict:
    return Verdict(should_resolve=resolve, reason="a synthetic test alert", confidence=confidence)


async def test_a_confident_judge_resolves_the_issue_saying_why(lab: Lab) -> None:
    judge = Judge(confident())
    rca = await lab.run(Provider("remote", ANSWER), judge=judge)

    [(judged_issue, judged_rca)] = judge.calls
    assert judged_issue.id == lab.issue.id
    assert judged_rca == rca
    issue = lab.current
    assert issue.status is Status.RESOLVED
    assert issue.resolution_reason == "Not actionable: a synthetic test alert"
    assert issue.resolved_by == SYSTEM_NAME
    assert issue.rca == rca  # resolving keeps the analysis
    (changed,) = [e for e in lab.world.store.events if isinstance(e, StatusChanged)]
    assert (changed.old, changed.new, changed.automatic) == (Status.OPEN, Status.RESOLVED, True)


@pytest.mark.parametrize(
    ("threshold", "confidence", "resolved"),
    [(0.8, 0.8, True), (0.8, 0.79, False), (0.5, 0.6, True), (0.95, 0.9, False)],
)
async def test_the_judge_must_reach_the_threshold(
    lab: Lab, threshold: float, confidence: float, resolved: bool
) -> None:
    await lab.run(
        Provider("remote", ANSWER), judge=Judge(confident(confidence)), threshold=threshold
    )
    assert (lab.current.status is Status.RESOLVED) is resolved


async def test_a_judge_that_finds_it_actionable_resolves_nothing(lab: Lab) -> None:
    judge = Judge(confident(1.0, resolve=False))
    await lab.run(Provider("remote", ANSWER), judge=judge)
    assert len(judge.calls) == 1
    assert lab.current.status is Status.OPEN


async def test_manual_steps_are_never_judged(lab: Lab) -> None:
    judge = Judge(confident(1.0))
    rca = await lab.run(failing("remote"), Provider("manual", MANUAL), judge=judge)
    assert rca.source == "fallback"
    assert judge.calls == []
    assert lab.current.status is Status.OPEN


@pytest.mark.parametrize(
    "judge",
    [Judge(None), Judge(error=RuntimeError("the model said nonsense"))],
    ids=["no verdict", "error"],
)
async def test_no_verdict_or_a_failing_judge_resolves_nothing(lab: Lab, judge: Judge) -> None:
    rca = await lab.run(Provider("remote", ANSWER), judge=judge)
    assert len(judge.calls) == 1
    assert rca.state is RcaState.COMPLETED
    assert lab.stored == rca
    assert lab.current.status is Status.OPEN
    assert not any(isinstance(e, StatusChanged) for e in lab.world.store.events)


@pytest.mark.parametrize(
    ("status", "reason_field"),
    [(Status.RESOLVED, "resolution_reason"), (Status.CLOSED, "close_reason")],
)
async def test_an_issue_resolved_or_closed_meanwhile_is_left_as_it_is(
    lab: Lab, status: Status, reason_field: str
) -> None:
    async def someone_ends_it() -> None:
        await lab.world.issues.change_status(ADMIN, lab.issue.id, status, "restarted the pods")

    judge = Judge(confident(1.0), before=someone_ends_it)
    rca = await lab.run(Provider("remote", ANSWER), judge=judge)
    assert rca.state is RcaState.COMPLETED
    issue = lab.current
    assert issue.status is status
    assert getattr(issue, reason_field) == "restarted the pods"
    assert issue.resolved_by != SYSTEM_NAME
    (changed,) = [e for e in lab.world.store.events if isinstance(e, StatusChanged)]
    assert (changed.performed_by, changed.automatic) == (ADMIN.name, False)


async def test_an_issue_in_progress_is_resolved_too(lab: Lab) -> None:
    await lab.world.issues.change_status(ADMIN, lab.issue.id, Status.IN_PROGRESS)
    await lab.run(Provider("remote", ANSWER), judge=Judge(confident()))
    assert lab.current.status is Status.RESOLVED
    assert lab.current.resolution_reason == "Not actionable: a synthetic test alert"


async def test_a_run_whose_hold_was_taken_over_drops_its_result(lab: Lab) -> None:
    """A slow run (heartbeats lost, say) whose hold ran out while another run took over
    must neither overwrite the newer result nor announce a second one."""
    waiting, release = asyncio.Event(), asyncio.Event()

    async def slow(issue: Issue, progress: ProgressSink) -> Rca | None:
        waiting.set()
        await release.wait()
        return ANSWER

    first = asyncio.create_task(lab.run(Provider("slow", script=slow, timeout=60)))
    await reach(waiting, first)
    lab.clock.advance(seconds=HOLD.total_seconds() + 1)  # its hold has run out
    second = await lab.run(Provider("manual", MANUAL))
    assert second.provider == "manual"
    release.set()
    dropped = await first
    assert dropped.provider == "slow"
    assert lab.stored is not None
    assert lab.stored.provider == "manual"  # the newer result stands
    assert [e.provider for e in lab.finished()] == ["manual"]
    assert lab.held_until is None
