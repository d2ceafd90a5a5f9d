"""Vishwakarma, the SRE agent, as an RCA provider.

It streams ``POST {url}/api/investigate/stream`` as Server-Sent Events: ``status``,
``tool_call_start``, ``tool_call_result``, ``text_delta``, ``analysis_done``, ``done`` and
``error``; ``POST {url}/api/investigate`` answers once with ``{"analysis": ...}``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from argus_plugins.remote_rca import Kind, RemoteRcaProvider, Signal, snippet, text_of, tool_of


class VishwakarmaProvider(RemoteRcaProvider):
    """Root-cause analysis by a Vishwakarma server at ``url``."""

    name = "vishwakarma"
    source = "vishwakarma"
    label = "Vishwakarma"
    stream_path = "/api/investigate/stream"

    def interpret(self, event: str, payload: Mapping[str, Any]) -> Signal | None:
        """Vishwakarma's events in the provider's terms (``status`` is not progress)."""
        match event:
            case "tool_call_start":
                return Signal(Kind.TOOL_STARTED, tool=tool_of(payload))
            case "tool_call_result":
                return Signal(Kind.TOOL_RESULT, tool=tool_of(payload), text=snippet(payload))
            case "text_delta":
                return Signal(Kind.TEXT, text=text_of(payload, "content", "delta", "text"))
            case "analysis_done" | "done":
                answer = text_of(payload, "content", "analysis")
                return Signal(Kind.ANSWER, text=answer, last=event == "done")
            case "error":
                return Signal(Kind.ERROR, text=text_of(payload, "message", "error", "content"))
        return None
