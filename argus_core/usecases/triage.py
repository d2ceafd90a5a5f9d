"""Triage: ask the categorizer chain about a new issue, then apply its answer."""

from __future__ import annotations

from uuid import UUID

from argus_core.chain import ProviderChain
from argus_core.domain.errors import NoProviderAnswered
from argus_core.domain.issue import Issue
from argus_core.domain.values import CategorySet
from argus_core.ports import Categorizer, TeamBrief, Triage, TriageRequest, UnitOfWork
from argus_core.usecases.issues import IssueService

UNTRIAGED = "none"
"""Provider name recorded when no categorizer answered."""


class TriageService:
    """Three short steps: read the issue, ask the chain (no transaction held), record."""

    def __init__(
        self,
        uow: UnitOfWork,
        issues: IssueService,
        chain: ProviderChain[Categorizer],
        categories: CategorySet | None = None,
    ) -> None:
        self.uow = uow
        self.issues = issues
        self.chain = chain
        self.categories = categories or CategorySet()

    async def triage(
        self, issue_id: UUID, *, keep_priority: bool = False, only_new: bool = False
    ) -> Issue:
        """Categorize the issue and assign it; with no answer it keeps its defaults.
        ``only_new`` leaves an issue triaged already as it is (a retried job)."""
        async with self.uow:
            issue = await self.uow.issues.get(issue_id)
            teams = await self.uow.teams.list()
        if only_new and issue.categorization is not None:
            return issue
        request = TriageRequest(
            title=issue.title,
            description=issue.description,
            teams=tuple(TeamBrief(name=t.name, description=t.description) for t in teams),
            categories=self.categories,
        )
        try:
            outcome = await self.chain.run(lambda c: c.categorize(request))
        except NoProviderAnswered:
            answer, provider = Triage(priority=issue.priority), UNTRIAGED
        else:
            answer, provider = outcome.value, outcome.provider
        return await self.issues.apply_triage(
            issue_id, answer, provider=provider, keep_priority=keep_priority
        )
