"""PostgreSQL restarted under load (a cluster of the test's own): while it is down the
API answers 503 at once (no hang), it recovers within 5 s of the database coming back,
and every write it acknowledged is there afterwards."""

from __future__ import annotations

import asyncio
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import httpx
import sqlalchemy as sa

from argus_adapters.sql.engine import create_engine
from argus_adapters.sql.migrate import upgrade
from argus_adapters.sql.settings import DatabaseSettings
from tests.production.own_servers import own_postgres
from tests.production.running import argus, argus_env, sign_in
from tests.served import free_port

DOWN_SECONDS = 3.0
AFTER_SECONDS = 6.0
ANSWER_WITHIN = 5.0  # the client's time-out: slower than this counts as a hang


@dataclass
class Answer:
    sent: float
    took: float
    status: int | None  # None: no answer (a time-out or a refused connection)
    issue_id: str | None = None


def load(base: str, headers: dict[str, str], stop: threading.Event) -> list[Answer]:
    """Report issues one after another until ``stop``; every answer, timed."""
    answers: list[Answer] = []
    with httpx.Client(base_url=base, headers=headers, timeout=ANSWER_WITHIN) as client:
        while not stop.is_set():
            sent = time.monotonic()
            body = {"title": f"Load {uuid.uuid4().hex[:8]}", "priority": "low"}
            try:
                response = client.post("/api/issues", json=body)
            except httpx.HTTPError:
                answers.append(Answer(sent, time.monotonic() - sent, None))
                continue
            issue_id = response.json().get("id") if response.status_code == 201 else None
            answers.append(Answer(sent, time.monotonic() - sent, response.status_code, issue_id))
            if response.status_code != 201:
                time.sleep(0.05)
    return answers


def test_the_api_answers_503_while_the_database_restarts(tmp_path: Path) -> None:
    with own_postgres() as pg:
        db = DatabaseSettings(url=pg.url, schema="argus")
        upgrade(db)
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        with argus(tmp_path) as running:
            running.serve(argus_env(db), port)
            headers = sign_in(base)
            stop = threading.Event()
            answers: list[Answer] = []
            loop = threading.Thread(target=lambda: answers.extend(load(base, headers, stop)))
            loop.start()
            try:
                time.sleep(1.5)
                down_at = time.monotonic()
                pg.stop()
                time.sleep(DOWN_SECONDS)
                pg.start()
                up_at = time.monotonic()
                time.sleep(AFTER_SECONDS)
            finally:
                stop.set()
                loop.join(timeout=30)
            ready = httpx.get(f"{base}/api/ready").status_code
        stored = asyncio.run(stored_issue_ids(db))

    statuses = Counter(a.status for a in answers)
    assert set(statuses) <= {201, 503}, statuses  # no 500, no time-out, no dropped answer
    assert max(a.took for a in answers) < ANSWER_WITHIN
    while_down = [a for a in answers if down_at + 0.5 < a.sent < up_at - 0.2]
    assert while_down
    assert {a.status for a in while_down} == {503}
    recovered = [a.sent for a in answers if a.sent > up_at and a.status == 201]
    assert recovered
    assert recovered[0] - up_at < 5.0
    assert ready == 200
    acknowledged = {a.issue_id for a in answers if a.status == 201}
    assert len(acknowledged) > 10
    assert statuses[201] == len(acknowledged)
    assert acknowledged <= stored, f"acknowledged but lost: {acknowledged - stored}"


async def stored_issue_ids(db: DatabaseSettings) -> set[str | None]:
    engine = create_engine(db)
    try:
        async with engine.connect() as conn:
            return {str(i) for i in await conn.scalars(sa.text("SELECT id FROM issues"))}
    finally:
        await engine.dispose()
