"""Throughput with one web process and with two, side by side: the issue list and
Slack intake (signed mentions acknowledged).

    uv run python bench/scale_out.py
    uv run python bench/scale_out.py --issues 100000 --seconds 10 --concurrency 20

Seeds PostgreSQL (schema ``argus_scale``, unless ``--keep``), then for 1 and 2 web
processes (``argus serve --workers N``, the jobs on a PostgreSQL SAQ queue that no
worker drains, so the web processes do nothing but answer) runs ``--concurrency``
clients for ``--seconds``: GET ``/api/issues`` with a filter, and POST
``/slack/events`` with a new signed mention each time. Prints req/s, p50 and p99.
Client, servers and database share this machine's cores: on 2 cores the second web
process competes with the client and PostgreSQL, so read the ratio with that in mind.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import subprocess
import sys
import uuid
from pathlib import Path

import httpx
from api_load import ADMIN, load, prepare, wait_ready

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # the fake Slack and the signed requests live with the tests

from tests.fake_slack import REPORTER_ID, FakeSlack  # noqa: E402
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


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--issues", type=int, default=100_000)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--concurrency", type=int, default=10)
    parser.add_argument("--port", type=int, default=8766)
    parser.add_argument("--schema", default="argus_scale")
    parser.add_argument("--dsn", default="postgresql://postgres@127.0.0.1:5432/test")
    parser.add_argument("--keep", action="store_true", help="reuse an already seeded schema")
    args = parser.parse_args()
    logging.getLogger("httpx").setLevel(logging.WARNING)  # not a line per request
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
