"""``/api/dashboard``: totals, per-team figures, recent activity; and the health checks."""

from __future__ import annotations

from typing import Annotated

import msgspec
import sqlalchemy as sa
from dishka.integrations.litestar import FromDishka, inject
from litestar import Response, Router, get
from litestar.openapi import ResponseSpec
from litestar.params import QueryParameter
from sqlalchemy.ext.asyncio import AsyncEngine

from argus_core.domain.people import Actor
from argus_core.usecases.dashboard import MAX_RECENT, DashboardService
from argus_web.api import schemas as s
from argus_web.api.presenters import history_out
from argus_web.auth.current import signed_in
from argus_web.errors import SIGNED_IN


@get("/stats", responses=SIGNED_IN)
@inject
async def stats(
    actor: FromDishka[Actor],
    dashboard: FromDishka[DashboardService],
    tz: Annotated[str, QueryParameter(min_length=1, max_length=64)] = "UTC",
) -> s.StatsOut:
    """Counts across all issues; "resolved today" counts from the last midnight in ``tz``
    (an IANA time zone such as ``Europe/Berlin``; 422 for an unknown one)."""
    return s.StatsOut(**msgspec.structs.asdict(await dashboard.stats(actor, tz)))


@get("/team-stats", responses=SIGNED_IN)
@inject
async def team_stats(
    actor: FromDishka[Actor], dashboard: FromDishka[DashboardService]
) -> list[s.TeamStatsOut]:
    rows = await dashboard.team_stats(actor)
    return [s.TeamStatsOut(**msgspec.structs.asdict(row)) for row in rows]


@get("/recent-activity", responses=SIGNED_IN)
@inject
async def recent_activity(
    actor: FromDishka[Actor],
    dashboard: FromDishka[DashboardService],
    limit: Annotated[int, QueryParameter(ge=1, le=MAX_RECENT)] = 5,
) -> list[s.HistoryOut]:
    return history_out(await dashboard.recent_activity(actor, limit))


dashboard_router = Router(
    path="/api/dashboard",
    route_handlers=[stats, team_stats, recent_activity],
    tags=["dashboard"],
    security=[{"bearer": []}],
    guards=[signed_in],
)


async def _database_answers(engine: AsyncEngine) -> bool:
    try:
        async with engine.connect() as connection:
            await connection.execute(sa.text("SELECT 1"))
    except Exception:
        return False
    return True


# Health and readiness answer 503 with the same body while the database does not answer.
UNAVAILABLE = {
    503: ResponseSpec(
        s.HealthOut, description="The database does not answer", generate_examples=False
    )
}


@get(["/health", "/ready"], responses=UNAVAILABLE)
@inject
async def health(engine: FromDishka[AsyncEngine]) -> Response[s.HealthOut]:
    """Health and readiness: ``{"status": "ok"}`` when the database answers, 503 otherwise."""
    ok = await _database_answers(engine)
    return Response(
        s.HealthOut(status="ok" if ok else "unavailable"), status_code=200 if ok else 503
    )


@get("/live")
async def live() -> s.HealthOut:
    """Liveness: the process runs (no database involved)."""
    return s.HealthOut(status="ok")


health_router = Router(path="/api", route_handlers=[health, live], tags=["health"])
