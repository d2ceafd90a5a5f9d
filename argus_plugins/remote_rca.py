"""What the remote RCA agents (Vishwakarma, HolmesGPT) have in common.

Both are agents behind HTTP: a streaming endpoint sends Server-Sent Events while the agent
calls tools and writes its analysis, and a plain endpoint answers once with
``{"analysis": ...}``. A provider says only where it lives and how its events read
(:meth:`RemoteRcaProvider.interpret`); :class:`RemoteRcaProvider` streams, reports progress
in the core's stages, falls back to the plain endpoint when the stream breaks, and builds
the :class:`~argus_core.domain.issue.Rca`.
"""

from __future__ import annotations

import asyncio
import enum
import json
import logging
import re
import time
from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx

from argus_core.domain.issue import Issue, Rca, RcaProgress
from argus_core.domain.values import RcaState
from argus_core.ports import ProgressSink
from argus_plugins.sse import iter_sse

log = logging.getLogger(__name__)

MAX_REPORT_CHARS = 50_000
MAX_SUMMARY_CHARS = 500
MAX_EVIDENCE = 20
MAX_EVIDENCE_CHARS = 500
MAX_PROGRESS_CHARS = 200
CONNECT_TIMEOUT = 10.0
# Text deltas are often a few characters each: pass them on in readable pieces.
TEXT_FLUSH_CHARS = 200
TEXT_FLUSH_SECONDS = 0.25


# --------------------------------------------------------------------------- helpers


def clip(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` characters, an ellipsis marking the cut."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def summarise(text: str) -> str:
    """The first paragraph of prose (headings skipped), at most ~500 characters."""
    paragraphs = [p.strip() for p in re.split(r"\n[ \t]*\n", text) if p.strip()]
    prose = [p for p in paragraphs if not all(ln.lstrip().startswith("#") for ln in p.split("\n"))]
    first = (prose or paragraphs or [""])[0]
    if len(first) <= MAX_SUMMARY_CHARS:
        return first
    cut = first[: MAX_SUMMARY_CHARS - 1]
    space = cut.rfind(" ")
    return (cut[:space] if space > MAX_SUMMARY_CHARS // 2 else cut).rstrip() + "…"


def decode(data: str) -> dict[str, Any]:
    """An event's data as a JSON object; anything else is text, as ``{"content": ...}``."""
    try:
        value = json.loads(data)
    except ValueError:
        return {"content": data}
    if isinstance(value, dict):
        return value
    return {"content": value if isinstance(value, str) else data}


def text_of(payload: Mapping[str, Any], *keys: str) -> str:
    """The first of ``keys`` holding a non-empty string, as is (deltas keep their spaces)."""
    for key in keys:
        value = payload.get(key)
        if isinstance(value, str) and value:
            return value
    return ""


def tool_of(payload: Mapping[str, Any]) -> str:
    """The name of the tool an event is about (``{"tool": {"name": ...}}`` also works)."""
    for key in ("tool_name", "name", "tool", "function"):
        value = payload.get(key)
        if isinstance(value, Mapping):
            value = value.get("name")
        if isinstance(value, str) and value.strip():
            return value.strip()
    return "unknown tool"


def snippet(value: Any, limit: int = MAX_EVIDENCE_CHARS) -> str:
    """A tool's output on one short line: its data, output or error when it has one."""
    if isinstance(value, Mapping):
        for key in ("data", "output", "result", "content", "error", "message"):
            if value.get(key):
                return snippet(value[key], limit)
    if not isinstance(value, str):
        value = json.dumps(value, default=str, ensure_ascii=False)
    return clip(" ".join(value.split()), limit)


def issue_request(issue: Issue) -> dict[str, Any]:
    """The issue as both agents are asked about it, with a question built from it."""
    question = (
        f"Find the root cause of production issue #{issue.number} "
        f"({issue.priority.value} priority, category {issue.category}): {issue.title}."
    )
    if issue.description.strip():
        question += f"\n\nWhat the reporter said:\n{issue.description.strip()}"
    return {
        "issue_id": str(issue.id),
        "number": issue.number,
        "title": issue.title,
        "description": issue.description,
        "priority": issue.priority.value,
        "category": issue.category,
        "question": question,
    }


# --------------------------------------------------------------------------- what events mean


class Kind(enum.Enum):
    """What an agent's event means, whatever the agent calls it."""

    TOOL_STARTED = "tool_started"
    TOOL_RESULT = "tool_result"
    TEXT = "text"
    ANSWER = "answer"
    ERROR = "error"


@dataclass(frozen=True)
class Signal:
    """One event read: its kind, its text (delta, answer, tool output or error) and tool.

    ``last`` marks the event after which the agent sends nothing more.
    """

    kind: Kind
    text: str = ""
    tool: str | None = None
    last: bool = False


class StreamFailed(Exception):
    """The stream ended without an analysis; the plain endpoint gets a try."""


class Unavailable(Exception):
    """Neither endpoint gave an analysis."""


@dataclass
class Findings:
    """What an investigation turned up so far."""

    tools: list[str] = field(default_factory=list)
    evidence: list[str] = field(default_factory=list)
    deltas: list[str] = field(default_factory=list)
    delta_chars: int = 0
    answer: str = ""
    finished: bool = False

    def called(self, tool: str) -> None:
        """Note a tool call (each tool once, in order of first call)."""
        if tool not in self.tools:
            self.tools.append(tool)

    def observed(self, tool: str, output: str) -> None:
        """Note a tool's output as evidence, while there is room."""
        self.called(tool)
        if output and len(self.evidence) < MAX_EVIDENCE:
            self.evidence.append(clip(f"{tool}: {output}", MAX_EVIDENCE_CHARS))

    def wrote(self, delta: str) -> None:
        """Add a piece of the analysis (past the report's size it cannot show anyway)."""
        if self.delta_chars <= MAX_REPORT_CHARS:
            self.deltas.append(delta)
            self.delta_chars += len(delta)

    def finish(self, answer: str) -> None:
        """The agent is done; a non-blank ``answer`` replaces the text written so far."""
        self.finished = True
        if answer.strip():
            self.answer = answer

    @property
    def text(self) -> str:
        """The analysis: the final answer if there was one, else the text written."""
        return (self.answer or "".join(self.deltas)).strip()


class Progress:
    """Passes progress to the core's sink, joining text deltas; never raises.

    Progress only informs the dashboard: a sink that fails must not lose the analysis.
    """

    def __init__(self, sink: ProgressSink) -> None:
        self._sink = sink
        self._text: list[str] = []
        self._chars = 0
        self._flushed_at = time.monotonic()

    async def send(self, stage: str, message: str, tool: str | None = None) -> None:
        """Report one stage (pending text first, so the order is kept)."""
        await self.flush()
        await self._emit(RcaProgress(stage=stage, message=message, tool=tool))

    async def text(self, delta: str) -> None:
        """Report a text delta, joined with its neighbours into readable pieces."""
        self._text.append(delta)
        self._chars += len(delta)
        if (
            self._chars >= TEXT_FLUSH_CHARS
            or "\n" in delta
            or time.monotonic() - self._flushed_at >= TEXT_FLUSH_SECONDS
        ):
            await self.flush()

    async def flush(self) -> None:
        """Report the text waiting to be reported, if any."""
        if self._text:
            message = "".join(self._text)
            self._text, self._chars = [], 0
            await self._emit(RcaProgress(stage="text", message=message))
        self._flushed_at = time.monotonic()

    async def _emit(self, progress: RcaProgress) -> None:
        try:
            await self._sink(progress)
        except Exception:
            log.warning("an RCA progress sink failed", exc_info=True)


# --------------------------------------------------------------------------- the provider


class RemoteRcaProvider(ABC):
    """An RCA agent reached over HTTP (see the module docstring).

    Subclasses set ``name``, ``source``, ``label`` (for people), ``stream_path`` and
    implement :meth:`interpret`. ``timeout`` bounds the whole investigation, fallback
    included; on expiry :meth:`investigate` raises :class:`TimeoutError`.
    """

    name: str
    source: str
    label: str
    stream_path: str
    answer_path = "/api/investigate"

    def __init__(self, url: str, http: httpx.AsyncClient, timeout: float = 600.0) -> None:
        if not timeout > 0:
            raise ValueError(f"{type(self).__name__} timeout must be positive, got {timeout!r}")
        self.url = url.rstrip("/")
        self.http = http
        self.timeout = timeout

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.url!r}, timeout={self.timeout!r})"

    @abstractmethod
    def interpret(self, event: str, payload: Mapping[str, Any]) -> Signal | None:
        """What the event named ``event`` means; None for events of no interest."""

    def request_body(self, issue: Issue) -> dict[str, Any]:
        """The JSON both endpoints are sent about ``issue``."""
        return issue_request(issue)

    async def investigate(self, issue: Issue, progress: ProgressSink) -> Rca | None:
        """The agent's analysis of ``issue``, or None when it has none to give."""
        report = Progress(progress)
        await report.send("started", f"{self.label} is investigating issue #{issue.number}.")
        body = self.request_body(issue)
        try:
            async with asyncio.timeout(self.timeout):
                findings = await self._investigate(body, report)
        except TimeoutError:
            await report.send("failed", f"{self.label} took longer than {self.timeout:g}s.")
            raise
        except Unavailable as exc:
            log.warning("%s gave no analysis: %s", self.name, exc)
            await report.send("failed", f"{self.label} is unavailable ({exc}).")
            return None
        if not findings.text:
            await report.send("failed", f"{self.label} returned an empty analysis.")
            return None
        await report.send("done", f"{self.label} finished its analysis.")
        return self._rca(findings)

    async def _investigate(self, body: dict[str, Any], report: Progress) -> Findings:
        reason = ""
        try:
            return await self._stream(body, report)
        except (StreamFailed, httpx.HTTPError) as exc:
            reason = str(exc) or type(exc).__name__
            log.info("%s stream failed (%s); asking %s", self.name, reason, self.answer_path)
        await report.flush()
        try:
            return await self._ask(body)
        except (httpx.HTTPError, ValueError) as exc:  # a body that is not JSON: ValueError
            raise Unavailable(f"stream: {reason}; {self.answer_path}: {exc}") from exc

    def _http_timeout(self) -> httpx.Timeout:
        return httpx.Timeout(self.timeout, connect=min(CONNECT_TIMEOUT, self.timeout))

    async def _stream(self, body: dict[str, Any], report: Progress) -> Findings:
        findings = Findings()
        try:
            async with self.http.stream(
                "POST",
                self.url + self.stream_path,
                json=body,
                headers={"Accept": "text/event-stream"},
                timeout=self._http_timeout(),
            ) as response:
                if not response.is_success:
                    raise StreamFailed(f"HTTP {response.status_code}")
                async for event in iter_sse(response):
                    signal = self.interpret(event.event, decode(event.data))
                    if signal is not None and await self._follow(signal, findings, report):
                        break
        except httpx.HTTPError:
            if not findings.finished:
                raise
            # The answer arrived before the connection broke: it stands.
        if not findings.finished:
            raise StreamFailed("the stream ended before the analysis")
        await report.flush()
        return findings

    async def _follow(self, signal: Signal, findings: Findings, report: Progress) -> bool:
        """Take in one signal; True when the agent will send nothing more."""
        tool = signal.tool or "unknown tool"
        match signal.kind:
            case Kind.TOOL_STARTED:
                findings.called(tool)
                await report.send("tool_started", f"Running {tool}.", tool)
            case Kind.TOOL_RESULT:
                findings.observed(tool, signal.text)
                message = clip(f"{tool}: {signal.text or 'no output'}", MAX_PROGRESS_CHARS)
                await report.send("tool_result", message, tool)
            case Kind.TEXT if signal.text:
                findings.wrote(signal.text)
                await report.text(signal.text)
            case Kind.ANSWER:
                findings.finish(signal.text)
            case Kind.ERROR:
                raise StreamFailed(signal.text or "the agent reported an error")
        return signal.last

    async def _ask(self, body: dict[str, Any]) -> Findings:
        """The plain endpoint's answer: ``{"analysis": ..., "tool_calls": [...]?}``."""
        response = await self.http.post(
            self.url + self.answer_path, json=body, timeout=self._http_timeout()
        )
        response.raise_for_status()
        payload = response.json()
        if not isinstance(payload, Mapping):
            payload = {"analysis": payload if isinstance(payload, str) else ""}
        findings = Findings()
        calls = payload.get("tool_calls")
        for call in calls if isinstance(calls, list) else ():
            if isinstance(call, Mapping):
                findings.observed(tool_of(call), snippet(call.get("result") or ""))
        findings.finish(text_of(payload, "analysis", "content"))
        return findings

    def _rca(self, findings: Findings) -> Rca:
        text = findings.text
        return Rca(
            state=RcaState.COMPLETED,
            provider=self.name,
            source=self.source,
            summary=summarise(text),
            full_report=clip(text, MAX_REPORT_CHARS),
            tools_called=tuple(findings.tools),
            evidence=tuple(findings.evidence),
        )
