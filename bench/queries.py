"""Seed PostgreSQL with many issues and time Argus's hot queries against the raw SQL floor.

    uv run python bench/queries.py                 # 1,000,000 issues
    uv run python bench/queries.py --issues 100000 --runs 300

Seeds a schema of its own (``argus_bench`` by default, dropped first) with COPY, then
times, for each query, the repository call (SQLAlchemy + mapping) and the very same SQL
statements replayed through asyncpg alone, printing median, p99 and their ratio.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import time
from collections.abc import Awaitable, Callable

import asyncpg
from floor import Recorder, percentile, replay, repository_cases
from seeding import seed

from argus_adapters.sql.engine import create_engine, server_settings
from argus_adapters.sql.migrate import upgrade_async
from argus_adapters.sql.settings import DatabaseSettings


async def timed(runs: int, call: Callable[[int], Awaitable[object]]) -> list[float]:
    for n in range(min(20, runs)):  # warm caches and prepared statements
        await call(n)
    samples = []
    for n in range(runs):
        start = time.perf_counter()
        await call(n)
        samples.append((time.perf_counter() - start) * 1000)
    return samples


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--issues", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--dsn", default="postgresql://postgres@127.0.0.1:5432/test")
    parser.add_argument("--schema", default="argus_bench")
    parser.add_argument("--keep", action="store_true", help="reuse an already seeded schema")
    args = parser.parse_args()
    rng = random.Random(2026)
    settings = DatabaseSettings(url=args.dsn.replace("postgresql://", "postgresql+asyncpg://"),
                                schema=args.schema)  # fmt: skip
    raw = await asyncpg.connect(args.dsn, server_settings=server_settings(args.schema))
    if not args.keep:
        await raw.execute(f'DROP SCHEMA IF EXISTS "{args.schema}" CASCADE')
        await upgrade_async(settings)
        started = time.perf_counter()
        await seed(raw, args.issues, rng)
        print(f"seeded {args.issues:,} issues in {time.perf_counter() - started:.0f} s")
    teams = [r["id"] for r in await raw.fetch("SELECT id FROM teams ORDER BY name_key")]
    total = await raw.fetchval("SELECT count(*) FROM issues")

    engine = create_engine(settings)
    recorder = Recorder(engine)
    cases = repository_cases(engine, teams)
    print(f"\n{total:,} issues on PostgreSQL, {args.runs} runs each, times in ms")
    print(f"{'query':<20} {'median':>8} {'p99':>8} | {'SQL floor median':>16} {'p99':>8} | ratio")
    for name, call in cases.items():
        samples = await timed(args.runs, call)
        floor_samples = []
        for n in range(args.runs):
            statements = await recorder.statements_of(call(n))
            start = time.perf_counter()
            await replay(raw, statements)
            floor_samples.append((time.perf_counter() - start) * 1000)
        med, p99 = statistics.median(samples), percentile(samples, 99)
        fmed, fp99 = statistics.median(floor_samples), percentile(floor_samples, 99)
        print(
            f"{name:<20} {med:>8.2f} {p99:>8.2f} | {fmed:>16.2f} {fp99:>8.2f} | {med / fmed:.2f}x"
        )
    await engine.dispose()
    await raw.close()


if __name__ == "__main__":
    asyncio.run(main())
