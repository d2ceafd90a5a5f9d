"""Throughput with one web process and with two, side by side: the issue list and
Slack intake (signed mentions acknowledged); and 1,000 mentions end to end through two
web processes and two workers.

    uv run python bench/scale_out.py
    uv run python bench/scale_out.py --issues 100000 --seconds 10 --concurrency 20
    uv run python bench/scale_out.py --mentions 1000      # only the end-to-end run

Seeds PostgreSQL (schema ``argus_scale``, unless ``--keep``), then for 1 and 2 web
processes (``argus serve --workers N``, the jobs on a PostgreSQL SAQ queue that no
worker drains, so the web processes do nothing but answer) runs ``--concurrency``
clients for ``--seconds``: GET ``/api/issues`` with a filter, and POST
``/slack/events`` with a new signed mention each time. Prints req/s, p50 and p99.
Client, servers and database share this machine's cores: on 2 cores the second web
process competes with the client and PostgreSQL, so read the ratio with that in mind.

With ``--mentions N``: a fresh schema with one team of five agents, two ``argus serve``
and two ``argus worker`` processes (SAQ on PostgreSQL) and the fake Slack; N signed
mentions over 40 channels, each delivered to one web process and again (Slack's retry)
to the other; prints the time until every issue has its thread card, and checks exactly
N issues, N cards and the agents' workloads within 1 (as tests/production/test_scale_out
does at 200).
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

import httpx
from api_load import ADMIN, load, prepare, wait_ready

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # the fake Slack and the signed requests live with the tests

from argus_adapters.sql.migrate import upgrade_async  # noqa: E402
from argus_adapters.sql.settings import DatabaseSettings  # noqa: E402
from tests.databases import drop_schema  # noqa: E402
from tests.fake_slack import REPORTER_ID, FakeSlack  # noqa: E402
from tests.jobs.support import argus_env, processes  # noqa: E402
from tests.production.test_scale_out import cards, deliver, read, seed_team  # noqa: E402
from tests.served import free_port  # noqa: E402
from tests.signed_slack import SIGNING_SECRET, encoded, mention, signed_headers  # noqa: E402


def start(
    dsn: str, schema: str, port: int, workers: int, slack: FakeSlack
) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ARGUS_", "SLACK_"))} | {
        "ARGUS_DATABASE_URL": dsn.replace("postgresql://", "postgresql+asyncpg://"),
        "DB_SCHEMA": schema,
        "ADMIN_EMAILS": ADMIN,
        "ARGUS_ENV": "embedded",
        "ARGUS_QUEUE_URL": dsn,
        "SLACK_BOT_TOKEN": slack.token,
        "SLACK_API_URL": slack.base_url,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
    }
    argus = Path(sys.executable).with_name("argus")
    return subprocess.Popen(
        [str(argus), "serve", "--port", str(port), "--workers", str(workers)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


async def measure(args: argparse.Namespace, workers: int, slack: FakeSlack) -> list[str]:
    server = start(args.dsn, args.schema, args.port, workers, slack)
    limits = httpx.Limits(max_connections=args.concurrency)
    rows = []
    try:
        base = f"http://127.0.0.1:{args.port}"
        async with httpx.AsyncClient(base_url=base, limits=limits, timeout=30) as client:
            await wait_ready(client)
            signed = await client.post("/api/auth/dev-login", json={"email": ADMIN})
            token = {"Authorization": f"Bearer {signed.json()['token']}"}
            teams = [t["id"] for t in (await client.get("/api/teams", headers=token)).json()]

            async def issue_list(n: int) -> None:
                path = f"/api/issues?status=open&team_id={teams[n % len(teams)]}"
                (await client.get(path, headers=token)).raise_for_status()

            run = uuid.uuid4().hex[:6]

            async def intake(n: int) -> None:
                body = encoded(
                    mention(f"Ev{run}{workers}x{n}", f"payments down {n}",
                            channel=f"C{n % 50:04d}", ts=f"1700000000.{n:06d}")
                )  # fmt: skip
                headers = {"Content-Type": "application/json", **signed_headers(body)}
                (
                    await client.post("/slack/events", content=body, headers=headers)
                ).raise_for_status()

            for name, request in (("issue list", issue_list), ("Slack intake", intake)):
                await load(1, args.concurrency, request)  # warm up
                rate, p50, p99 = await load(args.seconds, args.concurrency, request)
                figures = f"{rate:>7.0f} req/s  p50 {p50:>6.1f} ms  p99 {p99:>6.1f} ms"
                rows.append(f"{name:<13} {workers} web  {figures}")
    finally:
        server.terminate()
        server.wait(timeout=20)
    return rows


async def end_to_end(args: argparse.Namespace) -> None:
    schema = f"{args.schema}_mentions"
    db = DatabaseSettings(url=args.dsn.replace("postgresql://", "postgresql+asyncpg://"),
                          schema=schema)  # fmt: skip
    await drop_schema(schema)
    await upgrade_async(db)
    await seed_team(db)
    folder = Path(tempfile.mkdtemp(prefix="argus-scale-"))
    try:
        with FakeSlack() as slack, processes(folder) as procs:
            slack.add_user(REPORTER_ID, "Rita Reporter", email="rita@example.com")
            env = argus_env(db, slack, ARGUS_QUEUE_URL=args.dsn,
                            SLACK_SIGNING_SECRET=SIGNING_SECRET,
                            ARGUS_SLACK_POSTS_PER_SECOND="50")  # fmt: skip
            ports = [free_port(), free_port()]
            for port in ports:
                procs.serve(env, port)
            for _ in range(2):
                procs.worker(env, concurrency=10)
            envelopes = [
                mention(f"EvBench{n:05d}", f"payments API timing out for merchant {n}",
                        channel=f"C{n % 40:04d}", ts=f"1700000000.{n:06d}")
                for n in range(args.mentions)
            ]  # fmt: skip
            gate = asyncio.Semaphore(args.concurrency)
            began = time.monotonic()

            async def twice(n: int, envelope: dict[str, Any]) -> list[int]:
                async with gate:
                    return [
                        await deliver(client, ports[n % 2], envelope, retry=0),
                        await deliver(client, ports[(n + 1) % 2], envelope, retry=1),
                    ]

            async with httpx.AsyncClient(timeout=30) as client:
                codes = await asyncio.gather(*(twice(n, e) for n, e in enumerate(envelopes)))
            acknowledged = time.monotonic() - began
            deadline = began + 900
            while len(cards(slack)) < args.mentions and time.monotonic() < deadline:
                await asyncio.to_thread(time.sleep, 0.5)
            carded = time.monotonic() - began
            await asyncio.sleep(3)
            issues, loads = await read(db)
            keys = Counter(p.idempotency_key for p in cards(slack))
    finally:
        shutil.rmtree(folder, ignore_errors=True)
        await drop_schema(schema)
    good = Counter(c for pair in codes for c in pair)
    print(f"\n{args.mentions:,} mentions, each delivered twice, to 2 web + 2 workers:")
    print(f"  deliveries answered: {dict(good)} in {acknowledged:.1f} s "
          f"({2 * args.mentions / acknowledged:.0f}/s)")  # fmt: skip
    print(f"  every issue carded after {carded:.1f} s ({args.mentions / carded:.1f} issues/s)")
    print(f"  issues {len(issues)}, cards {len(keys)}, cards posted twice "
          f"{sum(1 for n in keys.values() if n > 1)}, workloads {sorted(loads)}")  # fmt: skip


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--issues", type=int, default=100_000)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--concurrency", type=int, default=10)
    parser.add_argument("--port", type=int, default=8766)
    parser.add_argument("--schema", default="argus_scale")
    parser.add_argument("--dsn", default="postgresql://postgres@127.0.0.1:5432/test")
    parser.add_argument("--keep", action="store_true", help="reuse an already seeded schema")
    parser.add_argument("--mentions", type=int, default=0, help="only the end-to-end run")
    args = parser.parse_args()
    logging.getLogger("httpx").setLevel(logging.WARNING)  # not a line per request
    if args.mentions:
        await end_to_end(args)
        return
    await prepare(args.dsn, args.schema, args.issues, args.keep)
    with FakeSlack() as slack:
        slack.add_user(REPORTER_ID, "Rita Reporter", email="rita@example.com")
        rows = [row for workers in (1, 2) for row in await measure(args, workers, slack)]
    print(
        f"\n{args.issues:,} issues, {args.concurrency} concurrent clients, {args.seconds:g} s each"
    )
    for row in sorted(rows):
        print(row)


if __name__ == "__main__":
    asyncio.run(main())
