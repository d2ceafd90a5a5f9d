"""HTTP load on the issue list, text search and dashboard stats, beside the SQL floor.

    uv run python bench/api_load.py                          # 100,000 and 1,000,000 issues
    uv run python bench/api_load.py --issues 100000 --seconds 5

For each size: seeds PostgreSQL (schema ``argus_http_<size>``, unless ``--keep``), starts
``argus serve`` in its own process (jobs queued on SAQ for workers, as deployed), signs
in, and runs ``--concurrency`` clients in a bounded loop on 127.0.0.1 for ``--seconds``
per endpoint, printing req/s, p50 and p99. The floor is the same repository queries
replayed through an asyncpg pool with the same concurrency. Client, server and database
share this machine's cores.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import asyncpg
import httpx
from floor import Recorder, percentile, replay, repository_cases, search_texts
from seeding import seed

from argus_adapters.sql.engine import create_engine, server_settings
from argus_adapters.sql.migrate import upgrade_async
from argus_adapters.sql.settings import DatabaseSettings

ADMIN = "admin@example.com"


async def load(
    seconds: float, concurrency: int, request: Callable[[int], Awaitable[object]]
) -> tuple[float, float, float]:
    """req/s, p50 and p99 (ms) of ``concurrency`` loops calling ``request`` for ``seconds``."""
    latencies: list[float] = []
    deadline = time.perf_counter() + seconds

    async def worker(offset: int) -> None:
        n = offset
        while time.perf_counter() < deadline:
            start = time.perf_counter()
            await request(n)
            latencies.append((time.perf_counter() - start) * 1000)
            n += concurrency

    started = time.perf_counter()
    await asyncio.gather(*(worker(i) for i in range(concurrency)))
    elapsed = time.perf_counter() - started
    return len(latencies) / elapsed, statistics.median(latencies), percentile(latencies, 99)


async def prepare(dsn: str, schema: str, issues: int, keep: bool) -> DatabaseSettings:
    settings = DatabaseSettings(url=dsn.replace("postgresql://", "postgresql+asyncpg://"),
                                schema=schema)  # fmt: skip
    raw = await asyncpg.connect(dsn, server_settings=server_settings(schema))
    try:
        exists = await raw.fetchval(
            "SELECT count(*) FROM information_schema.tables "
            "WHERE table_schema = $1 AND table_name = 'issues'",
            schema,
        )
        if keep and exists:
            await upgrade_async(settings)  # a kept seed gets the newer migrations
        else:
            await raw.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
            await upgrade_async(settings)
            started = time.perf_counter()
            await seed(raw, issues)
            print(f"seeded {issues:,} issues in {time.perf_counter() - started:.0f} s")
    finally:
        await raw.close()
    return settings


WRK_SCRIPT = """
paths = {%s}
n = 0
request = function()
  n = n + 1
  return wrk.format("GET", paths[(n %% #paths) + 1], {["Authorization"] = "%s"})
end
"""


def wrk_load(
    base: str, paths: list[str], token: str, seconds: float, concurrency: int
) -> tuple[float, float, float]:
    """req/s, p50 and p99 (ms) measured by wrk (C, so the client costs little CPU)."""
    quoted = ", ".join(f'"{p}"' for p in paths)
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(WRK_SCRIPT % (quoted, f"Bearer {token}"))
    command = ["wrk", "-t2", f"-c{concurrency}", f"-d{seconds:g}s", "--latency", "-s",
               script.name, base]  # fmt: skip
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    Path(script.name).unlink()
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))  # type: ignore[union-attr]
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    if errors:
        raise RuntimeError(f"wrk saw {errors.group(1)} failed requests")

    def ms(percent: str) -> float:
        value, unit = re.search(rf"{percent}%\s+([\d.]+)(us|ms|s)", output).groups()  # type: ignore[union-attr]
        return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]

    return rate, ms("50"), ms("99")


def start_server(dsn: str, schema: str, port: int, workers: int) -> subprocess.Popen[bytes]:
    env = os.environ | {
        "ARGUS_DATABASE_URL": dsn,
        "DB_SCHEMA": schema,
        "ADMIN_EMAILS": ADMIN,
        "ARGUS_ENV": "embedded",
        # As deployed (deploy/): the web processes serve HTTP only and the jobs belong to
        # `argus worker` (none runs here). Without a queue each web process would also
        # run the reminder timer, which works through the seed's overdue reminders
        # (every active issue's) in batches of 500 while the endpoints are measured.
        "ARGUS_QUEUE_URL": dsn,
    }
    argus = Path(sys.executable).with_name("argus")
    return subprocess.Popen(
        [str(argus), "serve", "--port", str(port), "--workers", str(workers)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def rss_mb(pid: int) -> list[float]:
    """Resident memory (MB) of ``pid`` and of its child processes (the web workers)."""
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    sizes = []
    for process in [pid, *map(int, children)]:
        status = Path(f"/proc/{process}/status").read_text()
        kb = re.search(r"VmRSS:\s+(\d+) kB", status).group(1)  # type: ignore[union-attr]
        sizes.append(int(kb) / 1024)
    return sizes


async def wait_ready(client: httpx.AsyncClient) -> None:
    for _ in range(100):
        try:
            if (await client.get("/api/ready")).status_code == 200:
                return
        except httpx.TransportError:
            pass
        await asyncio.sleep(0.2)
    raise RuntimeError("argus serve did not become ready")


async def measure(args: argparse.Namespace, issues: int) -> None:
    schema = f"argus_http_{issues}"
    settings = await prepare(args.dsn, schema, issues, args.keep)
    server = start_server(args.dsn, schema, args.port, args.workers)
    limits = httpx.Limits(max_connections=args.concurrency)
    base = f"http://127.0.0.1:{args.port}"
    try:
        async with httpx.AsyncClient(base_url=base, limits=limits, timeout=30) as client:
            await wait_ready(client)
            signed = await client.post("/api/auth/dev-login", json={"email": ADMIN})
            client.headers["Authorization"] = f"Bearer {signed.json()['token']}"
            teams = [t["id"] for t in (await client.get("/api/teams")).json()]
            searches = search_texts()

            async def get(path: str) -> None:
                response = await client.get(path)
                response.raise_for_status()

            paths = {
                "list with filters": [f"/api/issues?status=open&team_id={t}" for t in teams],
                "text search": [f"/api/issues?search={q.replace(' ', '+')}" for q in searches],
                "dashboard stats": ["/api/dashboard/stats"],
            }
            token = client.headers["Authorization"].removeprefix("Bearer ")
            engine = create_engine(settings)
            recorder = Recorder(engine)
            sql_cases = repository_cases(engine, teams)
            pool = await asyncpg.create_pool(
                args.dsn, min_size=args.concurrency, max_size=args.concurrency,
                server_settings=server_settings(schema),
            )  # fmt: skip
            print(
                f"\n{issues:,} issues, {args.concurrency} concurrent, {args.seconds:g} s each, "
                f"client {args.client}, {args.workers} server processes"
            )
            print(f"{'endpoint':<18} {'req/s':>7} {'p50 ms':>7} {'p99 ms':>7} | "
                  f"{'floor req/s':>11} {'p50':>6} {'p99':>6} | p99 ratio")  # fmt: skip
            for name, urls in paths.items():

                async def request(n: int, urls: list[str] = urls) -> None:
                    await get(urls[n % len(urls)])

                await load(1, args.concurrency, request)  # warm up
                if args.client == "wrk":
                    rate, p50, p99 = await asyncio.to_thread(
                        wrk_load, base, urls, token, args.seconds, args.concurrency
                    )
                else:
                    rate, p50, p99 = await load(args.seconds, args.concurrency, request)
                statements = [await recorder.statements_of(sql_cases[name](n)) for n in range(200)]

                async def floor(n: int, statements: list = statements) -> None:  # type: ignore[type-arg]
                    async with pool.acquire() as connection:
                        await replay(connection, statements[n % len(statements)])

                frate, fp50, fp99 = await load(args.seconds, args.concurrency, floor)
                print(f"{name:<18} {rate:>7.0f} {p50:>7.1f} {p99:>7.1f} | "
                      f"{frate:>11.0f} {fp50:>6.1f} {fp99:>6.1f} | {p99 / fp99:.1f}x")  # fmt: skip
            sizes = ", ".join(f"{size:.0f}" for size in rss_mb(server.pid))
            print(f"server RSS after the runs (MB; supervisor first, then each worker): {sizes}")
            await pool.close()
            await engine.dispose()
    finally:
        server.terminate()
        server.wait(timeout=10)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--issues", default="100000,1000000", help="comma-separated sizes")
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--concurrency", type=int, default=10)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--workers", type=int, default=2, help="argus serve --workers")
    parser.add_argument("--dsn", default="postgresql://postgres@127.0.0.1:5432/test")
    parser.add_argument("--keep", action="store_true", help="reuse already seeded schemas")
    parser.add_argument(
        "--client",
        choices=["wrk", "python"],
        default="wrk" if shutil.which("wrk") else "python",
        help="wrk (apt-get install wrk) costs the shared CPU far less than the Python client",
    )
    args = parser.parse_args()
    for size in (int(s) for s in args.issues.split(",")):
        await measure(args, size)


if __name__ == "__main__":
    asyncio.run(main())
