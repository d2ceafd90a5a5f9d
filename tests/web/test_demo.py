"""The README's first command: ``argus demo`` on a fresh embedded database."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
import sqlalchemy as sa

from argus_adapters.sql.engine import create_engine
from argus_adapters.sql.migrate import upgrade_async
from argus_adapters.sql.settings import DatabaseSettings
from argus_web.demo import seed_demo
from tests.served import free_port


async def test_demo_data_is_seeded_once_and_queues_nothing(tmp_path: Path) -> None:
    db = DatabaseSettings(url=f"sqlite+aiosqlite:///{tmp_path / 'argus.db'}")
    await upgrade_async(db)
    engine = create_engine(db)
    try:
        assert await seed_demo(engine)
        assert not await seed_demo(engine)  # not an empty database
        async with engine.connect() as conn:
            issues = await conn.scalar(sa.text("SELECT count(*) FROM issues"))
            events = await conn.scalar(sa.text("SELECT count(*) FROM outbox"))
        assert issues == 300
        assert events == 0  # demo data queues no jobs
    finally:
        await engine.dispose()


def test_argus_demo_serves_the_demo_on_a_fresh_database(tmp_path: Path) -> None:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ARGUS_", "DB_"))}
    env["ARGUS_DATABASE_URL"] = f"sqlite+aiosqlite:///{tmp_path / 'argus.db'}"
    argus = str(Path(sys.executable).with_name("argus"))
    with (tmp_path / "demo.log").open("wb") as log:
        demo = subprocess.Popen(
            [argus, "demo", "--port", str(port)], env=env, stdout=log, stderr=subprocess.STDOUT
        )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            assert demo.poll() is None, (tmp_path / "demo.log").read_text()
            try:
                if httpx.get(f"{base}/api/ready", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "argus demo did not start"
            time.sleep(0.2)
        login = httpx.post(f"{base}/api/auth/dev-login", json={"email": "admin@example.com"})
        headers = {"Authorization": f"Bearer {login.json()['token']}"}
        page = httpx.get(f"{base}/api/issues", headers=headers).json()
        assert page["total"] >= 300
        report = httpx.post(f"{base}/api/issues", headers=headers, json={"title": "Disk full"})
        assert report.status_code == 201
        issue_id = report.json()["id"]
        deadline = time.monotonic() + 20  # the in-process runner triages it
        while (
            httpx.get(f"{base}/api/issues/{issue_id}", headers=headers).json()["ai_categorization"]
            is None
        ):
            assert time.monotonic() < deadline, "the report was never triaged"
            time.sleep(0.2)
    finally:
        demo.terminate()
        demo.wait(timeout=20)
