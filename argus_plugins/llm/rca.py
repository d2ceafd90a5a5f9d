"""The LLM root-cause provider: a model reasons about the report alone (no tools).

It is the ``"ai"`` source of the RCA chain: better than the manual steps, weaker than
an investigator that can read logs and metrics, so it usually comes after those.
"""

from __future__ import annotations

import logging
from typing import Any

import msgspec

from argus_core.domain.issue import Issue, Rca, RcaProgress, RootCause
from argus_core.domain.values import MAX_REASON_LENGTH, RcaState
from argus_core.ports import ProgressSink
from argus_plugins.llm.client import Completion, LlmError, LlmSettings, ask, complete
from argus_plugins.llm.parsing import clip, data_rule, parse_answer, quote_data

log = logging.getLogger(__name__)

MAX_ITEM = 1_000
"""Longest cause, step, fix or system name kept."""

SYSTEM = f"""You are a senior site-reliability engineer doing a root-cause analysis of a
production issue from its report alone. Answer with one JSON object and nothing else:
{{"summary": "<two or three sentences: what most likely happened>",
 "root_causes": [{{"cause": "<a likely cause>", "probability": <a number from 0 to 1>}}],
 "investigation_steps": ["<what to check first>", "..."],
 "suggested_fixes": ["<a fix or mitigation>", "..."],
 "related_systems": ["<a system likely involved>", "..."]}}
List at most five root causes, most likely first. Say what is uncertain.
{data_rule("issue")}"""


class RootCauseAnswer(msgspec.Struct, frozen=True, kw_only=True):
    """One cause as the model must give it."""

    cause: str
    probability: float


class RcaAnswer(msgspec.Struct, frozen=True, kw_only=True):
    """What the model must answer (extra fields are ignored)."""

    summary: str
    root_causes: list[RootCauseAnswer] = msgspec.field(default_factory=list)
    investigation_steps: list[str] = msgspec.field(default_factory=list)
    suggested_fixes: list[str] = msgspec.field(default_factory=list)
    related_systems: list[str] = msgspec.field(default_factory=list)


def issue_data(issue: Issue) -> dict[str, Any]:
    """What a model is told about ``issue`` (quoted as data, never as instructions)."""
    return {
        "number": issue.number,
        "title": issue.title,
        "description": issue.description,
        "priority": issue.priority.value,
        "category": issue.category,
        "source": issue.source.value,
    }


class LlmRcaProvider:
    """Root-cause analysis by a language model; None when it fails or answers nonsense.

    ``timeout`` (what the chain allows) is twice the per-call timeout, so the call
    times out first and the provider can report ``failed`` itself.
    """

    name = "llm"

    def __init__(self, settings: LlmSettings, *, complete: Completion = complete) -> None:
        self.settings = settings
        self.timeout = settings.timeout * 2
        self._complete = complete

    def messages(self, issue: Issue) -> list[dict[str, str]]:
        """The prompt for ``issue``: instructions, then the issue as data."""
        return [
            {"role": "system", "content": SYSTEM},
            {"role": "user", "content": f"Issue:\n{quote_data('issue', issue_data(issue))}"},
        ]

    async def investigate(self, issue: Issue, progress: ProgressSink) -> Rca | None:
        """The model's analysis of ``issue``, reported as ``started`` then ``done``
        (or ``failed``, returning None)."""
        await progress(RcaProgress(stage="started", message="Asking the AI model"))
        try:
            text = await ask(self.settings, self.messages(issue), complete=self._complete)
        except LlmError as exc:
            log.warning("LLM root-cause analysis failed: %s", exc)
            await progress(RcaProgress(stage="failed", message="The AI model did not answer"))
            return None
        rca = to_rca(parse_answer(text, RcaAnswer))
        if rca is None:
            log.warning("LLM root-cause answer was not the JSON asked for")
            await progress(RcaProgress(stage="failed", message="The AI answer was unusable"))
            return None
        await progress(RcaProgress(stage="done", message="The AI analysis is ready"))
        return rca


def to_rca(answer: RcaAnswer | None) -> Rca | None:
    """``answer`` as a completed :class:`Rca`, or None when it has no summary.

    Probabilities are clamped into 0..1 (a number is required; ``"high"`` is refused
    by validation); blank entries are dropped.
    """
    if answer is None or not answer.summary.strip():
        return None
    causes = tuple(
        RootCause(cause=clip(c.cause, MAX_ITEM), probability=min(max(c.probability, 0.0), 1.0))
        for c in answer.root_causes
        if c.cause.strip()
    )
    return Rca(
        state=RcaState.COMPLETED,
        provider="llm",
        source="ai",
        summary=clip(answer.summary, MAX_REASON_LENGTH),
        root_causes=causes,
        investigation_steps=_items(answer.investigation_steps),
        suggested_fixes=_items(answer.suggested_fixes),
        related_systems=_items(answer.related_systems),
    )


def _items(values: list[str]) -> tuple[str, ...]:
    return tuple(clip(v, MAX_ITEM) for v in values if v.strip())
