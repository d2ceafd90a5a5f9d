"""The keyword categorizer: Argus's triage without an LLM (the embedded default).

Priority from alarm words, category from words that name it, team from the words its
name and description share with the report. It always answers; the chain puts it last.
"""

from __future__ import annotations

from argus_core.domain.values import Priority
from argus_core.ports import Triage, TriageRequest
from argus_core.queries import search_terms

PRIORITY_WORDS: tuple[tuple[Priority, frozenset[str]], ...] = (
    (Priority.CRITICAL, frozenset({"down", "outage", "breach", "leak", "sev1", "p0", "dataloss"})),
    (Priority.HIGH, frozenset({"error", "errors", "failing", "failed", "broken", "500", "timeout",
                               "urgent", "crash", "crashes", "sev2", "p1"})),
    (Priority.LOW, frozenset({"typo", "cosmetic", "minor", "wording", "someday"})),
)  # fmt: skip
CATEGORY_WORDS: dict[str, frozenset[str]] = {
    "database": frozenset({"database", "db", "postgres", "mysql", "query", "deadlock", "replica"}),
    "payments": frozenset({"payment", "payments", "checkout", "invoice", "refund", "card"}),
    "frontend": frozenset({"ui", "page", "button", "css", "browser", "frontend", "layout"}),
    "infrastructure": frozenset({"kubernetes", "k8s", "pod", "node", "dns", "disk", "network",
                                 "deploy", "cluster", "cpu", "memory"}),
    "backend": frozenset({"api", "endpoint", "service", "backend", "500", "exception"}),
}  # fmt: skip
IGNORED = frozenset({"the", "and", "for", "with", "team", "owns", "from", "that", "this"})


class KeywordCategorizer:
    """Triage by word lists: predictable, free, and always an answer."""

    name = "keywords"

    async def categorize(self, request: TriageRequest) -> Triage | None:
        words = set(search_terms(f"{request.title} {request.description}"))
        priority = next(
            (level for level, alarms in PRIORITY_WORDS if words & alarms), Priority.MEDIUM
        )
        category = max(
            (c for c in CATEGORY_WORDS if c in request.categories),
            key=lambda c: len(words & CATEGORY_WORDS[c]),
            default=None,
        )
        if category is None or not words & CATEGORY_WORDS[category]:
            category = request.categories.fallback
        best, best_score = None, 0
        for team in request.teams:
            # Every word of the name counts ("QA", "UI"); the description's short words do not.
            described = {w for w in search_terms(team.description) if len(w) > 2}
            vocabulary = (set(search_terms(team.name)) | described) - IGNORED
            score = len(words & vocabulary)
            if score > best_score:
                best, best_score = team.name, score
        return Triage(
            priority=priority,
            category=category,
            team_name=best,
            reasoning=f"keyword match ({best_score} team words)" if best else "no team words",
        )
