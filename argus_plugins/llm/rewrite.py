"""The plain-language rewriter: Argus's Slack messages retold for non-engineers.

A rewrite is a nicety, so it never stands in the way of the message: on any failure,
an empty answer, or an answer that changes who or what the message points at, the
original text goes out unchanged.
"""

from __future__ import annotations

import logging
import re

from argus_plugins.llm.client import Completion, LlmSettings, ask, complete
from argus_plugins.llm.parsing import data_rule, quote_data

log = logging.getLogger(__name__)

DEFAULT_TIMEOUT = 10.0
SLACK_TOKEN = re.compile(r"<[^<>\s][^<>]*>")
"""Mentions, channel links, ``<!here>`` and URLs, which must survive a rewrite as is."""

SYSTEM = f"""You rewrite status messages about production issues in plain language for
people who are not engineers. Keep every fact, number and issue reference; explain or
drop jargon; keep it about as short as the original. Copy every Slack token written in
angle brackets (such as <@U123>, <#C123>, <!here> or <https://example.com|a link>)
exactly, and add none. Answer with the rewritten message only, as Slack text.
{data_rule("message")}"""


class LlmRewriter:
    """Rewrites with the fast model; returns the text unchanged on any doubt.

    ``timeout`` (seconds) is short: a message waits for its rewrite.
    """

    name = "llm"

    def __init__(
        self,
        settings: LlmSettings,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        complete: Completion = complete,
    ) -> None:
        self.settings = settings
        self.timeout = timeout
        self._complete = complete

    def messages(self, text: str) -> list[dict[str, str]]:
        """The prompt: instructions, then the message as data."""
        return [
            {"role": "system", "content": SYSTEM},
            {"role": "user", "content": quote_data("message", text)},
        ]

    async def rewrite(self, text: str) -> str:
        """``text`` in plain language, or ``text`` itself; never raises."""
        if not text.strip():
            return text
        try:
            answer = await ask(
                self.settings,
                self.messages(text),
                complete=self._complete,
                fast=True,
                timeout=self.timeout,
            )
        except Exception as exc:
            # Whatever went wrong, the original message is still worth sending.
            log.warning("Plain-language rewrite failed: %s", exc)
            return text
        answer = answer.strip()
        if not answer or not keeps_meaning(text, answer):
            return text
        return answer


def keeps_meaning(original: str, rewritten: str) -> bool:
    """True when ``rewritten`` has exactly the Slack tokens of ``original`` (no lost or
    new mention, link or ``<!channel>``) and is not wildly longer."""
    same_tokens = set(SLACK_TOKEN.findall(original)) == set(SLACK_TOKEN.findall(rewritten))
    return same_tokens and len(rewritten) <= 3 * len(original) + 1_000
