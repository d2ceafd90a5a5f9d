"""``/api/admin/jobs``: jobs that used up their retries, and retrying them (admins only)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

import msgspec
from dishka.integrations.litestar import FromDishka, inject
from litestar import Router, get, post
from litestar.params import FromPath, QueryParameter

from argus_core.domain.people import Actor
from argus_core.ports import FailedJob
from argus_core.usecases.background import FailedJobService
from argus_web.auth.current import signed_in
from argus_web.errors import SIGNED_IN


class FailedJobOut(msgspec.Struct, kw_only=True):
    """A dead letter: the job, its last error, and whether it was queued again."""

    id: UUID
    name: str
    key: str
    payload: dict[str, Any]
    error: str
    attempts: int
    failed_at: datetime
    retried_at: datetime | None


def _out(job: FailedJob) -> FailedJobOut:
    return msgspec.convert(job, FailedJobOut, from_attributes=True)


@get("/", responses=SIGNED_IN)
@inject
async def failed_jobs(
    actor: FromDishka[Actor],
    jobs: FromDishka[FailedJobService],
    limit: Annotated[int, QueryParameter(ge=1, le=500)] = 100,
) -> list[FailedJobOut]:
    """Failed jobs, newest first."""
    return [_out(job) for job in await jobs.list(actor, limit)]


@post("/{job_id:uuid}/retry", status_code=202, responses=SIGNED_IN)
@inject
async def retry_job(
    job_id: FromPath[UUID], actor: FromDishka[Actor], jobs: FromDishka[FailedJobService]
) -> FailedJobOut:
    """Queue a failed job again (202: it runs in the background)."""
    return _out(await jobs.retry(actor, job_id))


admin_router = Router(
    path="/api/admin/jobs",
    route_handlers=[failed_jobs, retry_job],
    tags=["admin"],
    security=[{"bearer": []}],
    guards=[signed_in],
)
