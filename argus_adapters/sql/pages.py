"""The issue list's statements: built once per shape of query, with the values bound.

A statement built per request cost more CPU than PostgreSQL spent running it (SQLAlchemy
derives a cache key from the whole statement every time). A statement built once per
shape (which filters are present, how many search words) keeps its key; only the
parameters change.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Any, NamedTuple

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from argus_adapters.sql import models as m
from argus_core.queries import IssueQuery, IssueSort

_I = m.IssueRow
_C = m.IssueCountRow
SIMPLE: sa.ColumnElement[Any] = sa.literal_column("'simple'::regconfig")

SUMMARIES = sa.select(
    _I.id, _I.number, _I.title, _I.status, _I.priority, _I.category, _I.team_id,
    m.TeamRow.name.label("team_name"), _I.reporter_name, _I.created_at, _I.updated_at,
).select_from(sa.outerjoin(_I, m.TeamRow, m.TeamRow.id == _I.team_id))  # fmt: skip
NEWEST_FIRST = (_I.created_at.desc(), _I.number.desc())
# The same order through an expression no index provides. PostgreSQL plans a counted page
# (``count(*) OVER ()``) as if the LIMIT let it stop early; given the newest-first index
# it walked the whole table backwards testing every row (a one-word search over a million
# issues took over a minute). Without it, the matches come through the filter's own index
# (the search index: milliseconds), which counting needs anyway.
COUNTED_NEWEST_FIRST = (
    (_I.created_at + sa.literal_column("interval '0'")).desc(),
    _I.number.desc(),
)
# Oldest first: the same indexes read forwards.
OLDEST_FIRST = (_I.created_at.asc(), _I.number.asc())
COUNTED_OLDEST_FIRST = (
    (_I.created_at + sa.literal_column("interval '0'")).asc(),
    _I.number.asc(),
)
MATCHES = sa.func.count().over().label("matches")


def _assignee_names(postgres: bool) -> Any:
    """Each row's assignees as one JSON array of ``[position, id, name, slack_user_id]``
    (NULL or empty for none): the page's names come with its rows, not in a second
    statement.
    Positions ride along because SQLite cannot order inside an aggregate."""
    a, p = m.AssigneeRow, m.MemberRow
    build, collect = (
        (sa.func.json_build_array, sa.func.json_agg)
        if postgres
        else (sa.func.json_array, sa.func.json_group_array)
    )
    # As text: decoded by msgspec, not by the driver's JSON codec.
    names = sa.cast(collect(build(a.position, p.id, p.name, p.slack_user_id)), sa.Text)
    return (
        sa.select(names)
        .select_from(sa.join(a, p, p.id == a.member_id))
        .where(a.issue_id == _I.id)
        .scalar_subquery()
        .label("assignee_names")
    )


ASSIGNEE_NAMES = {postgres: _assignee_names(postgres) for postgres in (True, False)}


# PostgreSQL only (migration 0005): every word issues contain, to expand search prefixes.
# One statement for all the terms: the first ``most`` words each term starts, by term.
WORDS_STARTING = sa.text("""
    SELECT asked.n, found.word
    FROM unnest(:lows, :highs) WITH ORDINALITY AS asked (low, high, n)
    CROSS JOIN LATERAL (
        SELECT word FROM search_words
        WHERE word >= asked.low AND word < asked.high
        ORDER BY word LIMIT :most
    ) AS found
    ORDER BY asked.n, found.word
""").bindparams(
    sa.bindparam("lows", type_=postgresql.ARRAY(sa.Text)),
    sa.bindparam("highs", type_=postgresql.ARRAY(sa.Text)),
    sa.bindparam("most", type_=sa.Integer),
)
MAX_EXPANSION = 50
"""A prefix standing for more words than this stays a prefix (``word:*``)."""
LAST_CHARACTER = "\U0010ffff"


def expansion(term: str, words: Sequence[str]) -> str | None:
    """``term`` in a text query: the exact words it starts (fast to intersect in the
    index), or the prefix itself when they are too many; None when no word starts so.
    Terms and the words used are letters and digits only, so joining them is safe."""
    if not words:
        return None
    if len(words) > MAX_EXPANSION or not all(w.isalnum() for w in words):
        return f"{term}:*"
    return "(" + " | ".join(words) + ")"


class PageShape(NamedTuple):
    """Which filters a query has: one statement per shape."""

    status: bool
    priority: bool
    team: bool
    reporter: bool
    assignees: bool
    terms: int
    postgres: bool
    active: bool = False
    resolved_since: bool = False
    oldest: bool = False

    @property
    def counted(self) -> bool:
        """Whether the counters answer the total (status, active, priority and team only)."""
        return not (self.reporter or self.assignees or self.terms or self.resolved_since)


def page_of(query: IssueQuery, postgres: bool) -> tuple[PageShape, dict[str, Any]]:
    """The shape of ``query`` and the values to bind."""
    params: dict[str, Any] = {"offset": query.offset, "limit": query.per_page}
    if query.status is not None:
        params["status"] = query.status.value
    if query.priority is not None:
        params["priority"] = query.priority.value
    if query.team_id is not None:
        params["team_id"] = query.team_id
    if query.reported_by_email is not None:
        params["reporter"] = query.reported_by_email.lower()
    if query.assignee_ids is not None:
        params["assignees"] = sorted(query.assignee_ids)
    if query.resolved_since is not None:
        params["resolved_since"] = query.resolved_since
    # Terms are letters and digits only: a LIKE pattern built from them holds no wildcard
    # but its own. PostgreSQL's text query (``tsquery``) is bound by the caller, from the
    # words the terms start (see :func:`expansion`).
    terms = query.search_terms
    if not postgres:
        params.update({f"term{n}": f"% {t}%" for n, t in enumerate(terms)})
    shape = PageShape(
        status="status" in params,
        priority="priority" in params,
        team="team_id" in params,
        reporter="reporter" in params,
        assignees="assignees" in params,
        terms=len(terms),
        postgres=postgres,
        active=query.active,
        resolved_since="resolved_since" in params,
        oldest=query.sort is IssueSort.OLDEST,
    )
    return shape, params


@lru_cache(maxsize=256)
def page_statement(shape: PageShape) -> sa.Select[Any]:
    """One page of summaries, with the total in every row (``matches``)."""
    plain, counted_order = (
        (OLDEST_FIRST, COUNTED_OLDEST_FIRST)
        if shape.oldest
        else (NEWEST_FIRST, COUNTED_NEWEST_FIRST)
    )
    if shape.counted:
        matches: Any = _counted_total(shape).scalar_subquery().label("matches")
        order = plain
    else:
        matches, order = MATCHES, counted_order if shape.postgres else plain
    return (
        SUMMARIES.add_columns(ASSIGNEE_NAMES[shape.postgres], matches)
        .where(*_filters(shape))
        .order_by(*order)
        .offset(sa.bindparam("offset", type_=sa.Integer))
        .limit(sa.bindparam("limit", type_=sa.Integer))
    )


@lru_cache(maxsize=256)
def total_statement(shape: PageShape) -> sa.Select[Any]:
    """The total alone, for a page past the end."""
    if shape.counted:
        return _counted_total(shape)
    return sa.select(sa.func.count()).select_from(_I).where(*_filters(shape))


def _counted_total(shape: PageShape) -> sa.Select[Any]:
    return sa.select(sa.func.coalesce(sa.func.sum(_C.issue_count), 0)).where(
        *_buckets(shape, _C.status, _C.priority, _C.team_key)
    )


def _buckets(shape: PageShape, status: Any, priority: Any, team: Any) -> list[Any]:
    """Equality filters on the three columns the issues and their counters share."""
    wanted = ((shape.status, status, "status"), (shape.priority, priority, "priority"),
              (shape.team, team, "team_id"))  # fmt: skip
    found = [column == sa.bindparam(name) for present, column, name in wanted if present]
    if shape.active:
        found.append(status.in_(m.ACTIVE))
    return found


def _filters(shape: PageShape) -> list[Any]:
    conditions = _buckets(shape, _I.status, _I.priority, _I.team_id)
    if shape.reporter:
        conditions.append(_I.reporter_email == sa.bindparam("reporter"))
    if shape.resolved_since:
        # Served by the partial index ix_issues_resolved_at (resolved_at IS NOT NULL).
        conditions.append(_I.resolved_at >= sa.bindparam("resolved_since"))
    if shape.assignees:
        assigned = sa.select(m.AssigneeRow.issue_id).where(
            m.AssigneeRow.member_id.in_(sa.bindparam("assignees", expanding=True))
        )
        conditions.append(_I.id.in_(assigned))
    if shape.terms and shape.postgres:
        tsquery = sa.func.to_tsquery(SIMPLE, sa.bindparam("tsquery", type_=sa.String))
        conditions.append(sa.func.to_tsvector(SIMPLE, _I.search_text).bool_op("@@")(tsquery))
    else:
        conditions.extend(
            _I.search_text.like(sa.bindparam(f"term{n}", type_=sa.String))
            for n in range(shape.terms)
        )
    return conditions
