"""``/api/issues``: list, report, read, change, resolve, close, reopen, history, RCA stream."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

import msgspec
from dishka.integrations.litestar import FromDishka, inject
from litestar import Router, get, patch, post
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter
from litestar.response import ServerSentEvent

from argus_adapters.sql.uow import SqlUnitOfWork
from argus_core.domain.issue import Rca, Reporter
from argus_core.domain.people import Actor
from argus_core.domain.values import Priority, Source, Status
from argus_core.ports import UnitOfWork
from argus_core.queries import MAX_PAGE, MAX_PER_PAGE, IssueQuery, IssueSort
from argus_core.usecases.issues import IssuePatch, IssueService, NewIssue
from argus_web.api import schemas as s
from argus_web.api.presenters import history_out, list_item, present
from argus_web.api.rca_stream import rca_events
from argus_web.auth.current import signed_in
from argus_web.errors import SIGNED_IN


@get("/", responses=SIGNED_IN)
@inject
async def list_issues(
    actor: FromDishka[Actor],
    issues: FromDishka[IssueService],
    status: FromQuery[Status | None] = None,
    active: FromQuery[bool] = False,
    resolved_since: FromQuery[datetime | None] = None,
    priority: FromQuery[Priority | None] = None,
    team_id: FromQuery[UUID | None] = None,
    assigned_to: FromQuery[UUID | None] = None,
    reported_by_email: FromQuery[str | None] = None,
    mine: FromQuery[bool] = False,
    search: Annotated[str | None, QueryParameter(max_length=200)] = None,
    page: Annotated[int, QueryParameter(ge=1, le=MAX_PAGE)] = 1,
    per_page: Annotated[int, QueryParameter(ge=1, le=MAX_PER_PAGE)] = 20,
    sort: FromQuery[IssueSort] = IssueSort.NEWEST,
) -> s.IssuePage:
    """Issues newest first (``sort=oldest``: oldest first); ``mine`` and ``assigned_to``
    match any assignee; ``active`` keeps open and in-progress issues; ``resolved_since``
    (an ISO 8601 instant with its offset) keeps issues resolved at or after it."""
    assignees: frozenset[UUID] | None = None
    if assigned_to is not None:
        assignees = frozenset({assigned_to})
    if mine:
        own = actor.member_ids
        assignees = own if assignees is None else assignees & own
    query = IssueQuery(
        status=status,
        active=active,
        resolved_since=resolved_since,
        priority=priority,
        team_id=team_id,
        assignee_ids=assignees,
        reported_by_email=reported_by_email or None,  # empty: no filter
        search=search,
        sort=sort,
        page=page,
        per_page=per_page,
    )
    found = await issues.list(actor, query)
    return s.IssuePage(
        items=[list_item(i) for i in found.items],
        total=found.total,
        page=found.page,
        per_page=found.per_page,
    )


@post("/", responses=SIGNED_IN)
@inject
async def report_issue(
    data: JSONBody[s.IssueIn],
    actor: FromDishka[Actor],
    issues: FromDishka[IssueService],
    uow: FromDishka[UnitOfWork],
) -> s.IssueOut:
    """Report an issue from the dashboard or a script; without a team it is triaged."""
    issue = await issues.report(
        actor,
        NewIssue(
            title=data.title,
            description=data.description,
            priority=data.priority,
            category=data.category,
            team_id=data.team_id,
            reporter=Reporter(name=actor.name, email=actor.email),
            source=Source.WEB,
        ),
    )
    return await present(uow, issue)


@get("/{issue_id:uuid}", responses=SIGNED_IN)
@inject
async def get_issue(
    issue_id: FromPath[UUID],
    actor: FromDishka[Actor],
    issues: FromDishka[IssueService],
    uow: FromDishka[UnitOfWork],
) -> s.IssueOut:
    issue = await issues.get(actor, issue_id)
    return await present(uow, issue)


@patch("/{issue_id:uuid}", responses=SIGNED_IN)
@inject
async def update_issue(
    issue_id: FromPath[UUID],
    data: JSONBody[s.IssuePatchIn],
    actor: FromDishka[Actor],
    issues: FromDishka[IssueService],
    uow: FromDishka[UnitOfWork],
) -> s.IssueOut:
    """Change any fields at once; every permission is checked before anything moves."""
    fields = msgspec.structs.asdict(data)
    if isinstance(data.assignees, list):
        fields["assignees"] = tuple(data.assignees)
    issue = await issues.update(actor, issue_id, IssuePatch(**fields))
    return await present(uow, issue)


@post("/{issue_id:uuid}/resolve", status_code=200, responses=SIGNED_IN)
@inject
async def resolve_issue(
    issue_id: FromPath[UUID],
    data: JSONBody[s.ResolveIn],
    actor: FromDishka[Actor],
    issues: FromDishka[IssueService],
    uow: FromDishka[UnitOfWork],
) -> s.IssueOut:
    """Resolve, answering "How was this fixed?"."""
    issue = await issues.resolve(actor, issue_id, data.reason)
    return await present(uow, issue)


@post("/{issue_id:uuid}/close", status_code=200, responses=SIGNED_IN)
@inject
async def close_issue(
    issue_id: FromPath[UUID],
    data: JSONBody[s.CloseIn],
    actor: FromDishka[Actor],
    issues: FromDishka[IssueService],
    uow: FromDishka[UnitOfWork],
) -> s.IssueOut:
    """Close, answering "Why are you closing this?"."""
    issue = await issues.close(actor, issue_id, data.reason)
    return await present(uow, issue)


@post("/{issue_id:uuid}/reopen", status_code=200, responses=SIGNED_IN)
@inject
async def reopen_issue(
    issue_id: FromPath[UUID],
    actor: FromDishka[Actor],
    issues: FromDishka[IssueService],
    uow: FromDishka[UnitOfWork],
) -> s.IssueOut:
    """Back to open; the resolution is cleared."""
    issue = await issues.reopen(actor, issue_id)
    return await present(uow, issue)


@get("/{issue_id:uuid}/history", responses=SIGNED_IN)
@inject
async def issue_history(
    issue_id: FromPath[UUID], actor: FromDishka[Actor], issues: FromDishka[IssueService]
) -> list[s.HistoryOut]:
    """The audit trail, newest first."""
    return history_out(await issues.history(actor, issue_id))


@post("/{issue_id:uuid}/rca", status_code=202, responses=SIGNED_IN)
@inject
async def rerun_rca(
    issue_id: FromPath[UUID], actor: FromDishka[Actor], issues: FromDishka[IssueService]
) -> s.Accepted:
    """Run the root-cause analysis again (managers of the issue's team and admins)."""
    await issues.request_rca(actor, issue_id)
    return s.Accepted(status="queued")


@get("/{issue_id:uuid}/rca/stream", media_type="text/event-stream", responses=SIGNED_IN)
@inject
async def rca_stream(
    issue_id: FromPath[UUID],
    actor: FromDishka[Actor],
    issues: FromDishka[IssueService],
    uow: FromDishka[SqlUnitOfWork],
) -> ServerSentEvent:
    """The issue's root-cause analysis as server-sent events: ``progress`` steps as they
    come, then ``result`` (the finished ``ai_rca``) or ``error``. Before an analysis
    starts it sends one ``waiting`` step and asks the browser to reconnect in a second.
    Accepts ``?token=`` since EventSource cannot send headers."""
    issue = await issues.get(actor, issue_id)

    async def current() -> Rca | None:
        # A short unit per look, and the request's connection given back in between:
        # a long stream must not hold a pooled connection.
        rca = (await issues.get(actor, issue_id)).rca
        await uow.close()
        return rca

    await uow.close()
    return ServerSentEvent(rca_events(issue.rca, current), retry_duration=1000)


issues_router = Router(
    path="/api/issues",
    route_handlers=[
        list_issues,
        report_issue,
        get_issue,
        update_issue,
        resolve_issue,
        close_issue,
        reopen_issue,
        issue_history,
        rerun_rca,
        rca_stream,
    ],
    tags=["issues"],
    security=[{"bearer": []}],
    guards=[signed_in],
)
