"""The RCA endpoints: a re-run is for the issue's team managers and admins; the stream
relays progress as the worker stores it, then the result."""

from __future__ import annotations

import asyncio
import threading
import uuid
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from argus_adapters.sql.engine import create_engine
from argus_adapters.sql.uow import SqlUnitOfWork
from argus_core.domain.issue import Rca, RcaProgress
from argus_core.domain.values import RcaState
from tests.web.conftest import Api
from tests.web.roles_world import ISSUE, ROLES, TEAM_MANAGERS, World, assert_refused

RERUN_REFUSED = "Only the issue's team managers and admins can re-run its analysis."


async def requested(api: Api) -> int:
    """How many re-runs are waiting in the outbox."""
    engine = create_engine(api.settings.database)
    try:
        async with engine.connect() as connection:
            query = sa.text("SELECT count(*) FROM outbox WHERE type = 'rca_requested'")
            return int((await connection.execute(query)).scalar_one())
    finally:
        await engine.dispose()


@pytest.mark.parametrize("role", ROLES)
async def test_a_rerun_is_for_the_issues_team_managers_and_admins(world: World, role: str) -> None:
    response = await world.call("POST", ISSUE + "/rca", ROLES[role])
    if role in TEAM_MANAGERS:
        assert response.status_code == 202, response.text
        assert response.json() == {"status": "queued"}
        assert await requested(world.api) == 1
    else:
        assert_refused(response, RERUN_REFUSED)
        assert await requested(world.api) == 0


async def test_a_rerun_of_an_unknown_issue_is_404(api: Api) -> None:
    response = await api.call("POST", f"/api/issues/{uuid.uuid4()}/rca")
    assert response.status_code == 404


def events(text: str) -> list[tuple[str, str]]:
    """(event, data) pairs of an SSE body."""
    found = []
    for block in text.replace("\r\n", "\n").split("\n\n"):
        fields = dict(line.split(": ", 1) for line in block.splitlines() if ": " in line)
        if "event" in fields:
            found.append((fields["event"], fields.get("data", "")))
    return found


async def test_the_stream_relays_stored_progress_live_then_the_result(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("argus_web.api.rca_stream.POLL_SECONDS", 0.05)
    team = await api.team("Payments")
    issue = await api.ok(
        "POST", "/api/issues", json={"title": "Refunds fail", "team_id": team["id"]}
    )
    issue_id = uuid.UUID(issue["id"])
    steps = [RcaProgress(stage="started", message="vishwakarma investigating")]

    async def store(engine: AsyncEngine, state: RcaState, **extra: Any) -> None:
        async with SqlUnitOfWork(engine) as uow:
            rca = Rca(state=state, progress=tuple(steps), **extra)
            await uow.issues.save_rca(issue_id, rca, None)
            await uow.commit()

    async def worker() -> None:
        """What a running analysis stores, a step at a time (in a thread of its own: the
        test client blocks this thread's event loop while it serves the stream)."""
        engine = create_engine(api.settings.database)
        try:
            await asyncio.sleep(0.5)
            steps.append(RcaProgress(stage="tool_started", message="kubectl", tool="kubectl"))
            steps.append(RcaProgress(stage="text", message="The pod "))
            await store(engine, RcaState.INVESTIGATING)
            await asyncio.sleep(0.5)
            steps[-1] = RcaProgress(stage="text", message="The pod ran out of memory.")
            await store(engine, RcaState.INVESTIGATING)
            await asyncio.sleep(0.5)
            steps.append(RcaProgress(stage="done", message="finished"))
            await store(
                engine, RcaState.COMPLETED, provider="vishwakarma", source="vishwakarma",
                summary="OOM",
            )  # fmt: skip
        finally:
            await engine.dispose()

    engine = create_engine(api.settings.database)
    try:
        await store(engine, RcaState.INVESTIGATING)
    finally:
        await engine.dispose()
    running = threading.Thread(target=asyncio.run, args=(worker(),))
    running.start()
    response = await api.call("GET", f"/api/issues/{issue_id}/rca/stream")
    running.join(timeout=30)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/event-stream")
    seen = events(response.text)
    stages = [(e, d) for e, d in seen if e == "progress"]
    assert [d.split('"stage":"')[1].split('"')[0] for _, d in stages] == [
        "started", "tool_started", "text", "text", "done",
    ]  # fmt: skip
    assert '"message":"ran out of memory."' in stages[3][1]  # only the new text
    assert seen[-1][0] == "result"
    assert '"source":"vishwakarma"' in seen[-1][1]
    assert '"summary":"OOM"' in seen[-1][1]


async def test_a_failed_analysis_streams_an_error(api: Api) -> None:
    team = await api.team("Payments")
    issue = await api.ok(
        "POST", "/api/issues", json={"title": "Refunds fail", "team_id": team["id"]}
    )
    engine = create_engine(api.settings.database)
    try:
        async with SqlUnitOfWork(engine) as uow:
            failed = Rca(state=RcaState.FAILED, summary="No provider answered")
            await uow.issues.save_rca(uuid.UUID(issue["id"]), failed, None)
            await uow.commit()
    finally:
        await engine.dispose()
    seen = events((await api.call("GET", f"/api/issues/{issue['id']}/rca/stream")).text)
    assert seen == [("error", '{"message":"No provider answered"}')]
