"""The LLM categorizer: a model reads the report and picks priority, category and team.

The model may only choose among the names it is given: an unknown team becomes no
team (never a guess such as "the first team") and an unknown category becomes the
configured fallback. An answer without a valid priority is refused as a whole (None),
so the next categorizer (the keyword rules) answers instead: priority drives who is
paged and how often they are reminded, and a model that cannot name one of four
levels has not understood the report well enough to be trusted with the rest.
"""

from __future__ import annotations

import logging

import msgspec

from argus_core.domain.values import MAX_REASON_LENGTH, MAX_TITLE_LENGTH, Priority
from argus_core.ports import Triage, TriageRequest
from argus_plugins.llm.client import Completion, LlmError, LlmSettings, ask, complete
from argus_plugins.llm.parsing import clip, data_rule, parse_answer, quote_data

log = logging.getLogger(__name__)

SYSTEM = """You triage production issues for an engineering organisation.
Read the report and answer with one JSON object and nothing else:
{{"title": "<a short, specific title, at most 80 characters>",
 "priority": "critical" | "high" | "medium" | "low",
 "category": "<one of the category names given>",
 "team": "<one of the team names given, or null when none fits>",
 "reasoning": "<one or two sentences on why>"}}
critical: an outage, data loss or a security breach; high: a feature broken for many
users; medium: degraded or broken for some; low: cosmetic or minor.
{rule}"""


class TriageAnswer(msgspec.Struct, frozen=True, kw_only=True):
    """What the model must answer, field by field (extra fields are ignored)."""

    priority: str
    category: str
    team: str | None = None
    title: str = ""
    reasoning: str = ""


class LlmCategorizer:
    """Triage by a language model; None when the model fails or answers nonsense.

    ``complete`` is the call to the model (:func:`~argus_plugins.llm.client.complete`;
    tests pass a stand-in). ``timeout`` (what the chain allows) leaves the call a
    second's margin to time out by itself.
    """

    name = "llm"

    def __init__(self, settings: LlmSettings, *, complete: Completion = complete) -> None:
        self.settings = settings
        self.timeout = settings.timeout + 1.0
        self._complete = complete

    def messages(self, request: TriageRequest) -> list[dict[str, str]]:
        """The prompt for ``request``: instructions, then the report and choices as data."""
        choices = {
            "teams": [{"name": t.name, "description": t.description} for t in request.teams],
            "categories": list(request.categories.names),
        }
        report = {"title": request.title, "description": request.description}
        return [
            {"role": "system", "content": SYSTEM.format(rule=data_rule("report"))},
            {
                "role": "user",
                "content": f"Choices:\n{quote_data('choices', choices)}\n\n"
                f"Report:\n{quote_data('report', report)}",
            },
        ]

    async def categorize(self, request: TriageRequest) -> Triage | None:
        """The model's triage of ``request``, or None to let the next categorizer try."""
        try:
            text = await ask(self.settings, self.messages(request), complete=self._complete)
        except LlmError as exc:
            log.warning("LLM triage failed: %s", exc)
            return None
        answer = parse_answer(text, TriageAnswer)
        if answer is None:
            log.warning("LLM triage answer was not the JSON asked for")
            return None
        return to_triage(answer, request)


def to_triage(answer: TriageAnswer, request: TriageRequest) -> Triage | None:
    """``answer`` mapped onto the request's choices, or None if its priority is invalid."""
    try:
        priority = Priority(answer.priority.strip().lower())
    except ValueError:
        log.warning("LLM triage gave an unknown priority %r", answer.priority[:40])
        return None
    categories = {name.lower(): name for name in request.categories.names}
    teams = {team.name.strip().lower(): team.name for team in request.teams}
    return Triage(
        title=clip(answer.title, MAX_TITLE_LENGTH) or None,
        priority=priority,
        category=categories.get(answer.category.strip().lower(), request.categories.fallback),
        team_name=teams.get((answer.team or "").strip().lower()),
        reasoning=clip(answer.reasoning, MAX_REASON_LENGTH),
    )
