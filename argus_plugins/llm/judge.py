"""The LLM auto-resolve judge: reads a finished analysis and says if no action is needed.

The core decides what to do with the verdict (a confidence threshold, never for the
manual-steps fallback); this module only asks and validates. Anything but exactly the
JSON asked for is no verdict, so a confused model never closes an issue.
"""

from __future__ import annotations

import logging
from typing import Annotated, Any

import msgspec

from argus_core.domain.issue import Issue, Rca
from argus_core.domain.values import MAX_REASON_LENGTH
from argus_core.ports import Verdict
from argus_plugins.llm.client import Completion, LlmError, LlmSettings, ask, complete
from argus_plugins.llm.parsing import clip, data_rule, parse_answer, quote_data
from argus_plugins.llm.rca import issue_data

log = logging.getLogger(__name__)

SYSTEM = f"""You review production issues after their root-cause analysis and decide
whether an issue needs no action from engineers: expected behaviour, a user mistake, a
test report, a duplicate, or a transient problem that has clearly recovered.
When in doubt, it needs action. Answer with one JSON object and nothing else:
{{"should_resolve": true | false,
 "reason": "<one or two sentences a reporter will read>",
 "confidence": <a number from 0 to 1>}}
{data_rule("issue")}"""


class VerdictAnswer(msgspec.Struct, frozen=True, kw_only=True):
    """What the model must answer; every field is required and strictly typed."""

    should_resolve: bool
    reason: str
    confidence: Annotated[float, msgspec.Meta(ge=0.0, le=1.0)]


def rca_data(rca: Rca) -> dict[str, Any]:
    """What the judge is told of the analysis."""
    return {
        "source": rca.source,
        "summary": rca.summary,
        "root_causes": [{"cause": c.cause, "probability": c.probability} for c in rca.root_causes],
        "suggested_fixes": list(rca.suggested_fixes),
    }


class LlmJudge:
    """Auto-resolve verdicts from the fast model; None on any failure or invalid answer."""

    name = "llm"

    def __init__(self, settings: LlmSettings, *, complete: Completion = complete) -> None:
        self.settings = settings
        self._complete = complete

    def messages(self, issue: Issue, rca: Rca) -> list[dict[str, str]]:
        """The prompt: instructions, then the issue and its analysis as data."""
        data = {"issue": issue_data(issue), "analysis": rca_data(rca)}
        return [
            {"role": "system", "content": SYSTEM},
            {"role": "user", "content": quote_data("issue", data)},
        ]

    async def judge(self, issue: Issue, rca: Rca) -> Verdict | None:
        """The model's verdict on ``issue`` after ``rca``, or None."""
        try:
            text = await ask(
                self.settings, self.messages(issue, rca), complete=self._complete, fast=True
            )
        except LlmError as exc:
            log.warning("LLM auto-resolve judge failed: %s", exc)
            return None
        answer = parse_answer(text, VerdictAnswer)
        if answer is None or not answer.reason.strip():
            log.warning("LLM auto-resolve answer was not the JSON asked for")
            return None
        return Verdict(
            should_resolve=answer.should_resolve,
            reason=clip(answer.reason, MAX_REASON_LENGTH),
            confidence=answer.confidence,
        )
