"""HolmesGPT as an RCA provider.

It streams ``POST {url}/api/stream/investigate`` as Server-Sent Events:
``start_tool_calling``, ``tool_calling_result``, ``ai_message``, ``ai_answer_end`` and
``error``; ``POST {url}/api/investigate`` answers once with ``{"analysis": ...}``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from argus_core.domain.issue import Issue
from argus_plugins.remote_rca import Kind, RemoteRcaProvider, Signal, snippet, text_of, tool_of


class HolmesGptProvider(RemoteRcaProvider):
    """Root-cause analysis by a HolmesGPT server at ``url``."""

    name = "holmesgpt"
    source = "holmesgpt"
    label = "HolmesGPT"
    stream_path = "/api/stream/investigate"

    def request_body(self, issue: Issue) -> dict[str, Any]:
        """The common body plus the fields HolmesGPT's investigate request requires."""
        body = super().request_body(issue)
        return body | {
            "source": "argus",
            "subject": {"issue_id": body["issue_id"], "number": issue.number},
            "context": {"priority": body["priority"], "category": issue.category},
            "include_tool_calls": True,
            "include_tool_call_results": True,
        }

    def interpret(self, event: str, payload: Mapping[str, Any]) -> Signal | None:
        """HolmesGPT's events in the provider's terms."""
        match event:
            case "start_tool_calling":
                return Signal(Kind.TOOL_STARTED, tool=tool_of(payload))
            case "tool_calling_result":
                output = payload.get("result", payload)
                return Signal(Kind.TOOL_RESULT, tool=tool_of(payload), text=snippet(output))
            case "ai_message":
                return Signal(Kind.TEXT, text=text_of(payload, "content"))
            case "ai_answer_end":
                answer = text_of(payload, "analysis", "content")
                return Signal(Kind.ANSWER, text=answer, last=True)
            case "error":
                message = text_of(payload, "msg", "message", "description", "error", "content")
                return Signal(Kind.ERROR, text=message)
        return None
