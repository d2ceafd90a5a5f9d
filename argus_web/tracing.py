"""Optional OpenTelemetry tracing of HTTP requests, through Litestar's own plugin.

Nothing here is a dependency: tracing turns on only when the operator asks for it with
OpenTelemetry's standard variables (``OTEL_TRACES_EXPORTER`` or
``OTEL_EXPORTER_OTLP_ENDPOINT``) *and* ``opentelemetry-instrumentation-asgi`` is
importable. Spans go to the global tracer provider, which ``opentelemetry-instrument
argus serve`` (from ``opentelemetry-distro``) sets up from the same variables.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

log = logging.getLogger(__name__)

ASKING = ("OTEL_TRACES_EXPORTER", "OTEL_EXPORTER_OTLP_ENDPOINT")
UNTRACED = ["/metrics", "/api/live", "/api/ready", "/api/health"]
"""Probes and scrapes: many a minute, nothing to learn from their spans."""


def tracing_plugins(env: Mapping[str, str]) -> list[Any]:
    """Litestar's OpenTelemetry plugin when asked for and installed, else nothing."""
    if not any(env.get(name, "").strip() not in ("", "none") for name in ASKING):
        return []
    try:
        from litestar.plugins.opentelemetry import OpenTelemetryConfig, OpenTelemetryPlugin
    except ImportError:
        log.warning(
            "OpenTelemetry is configured but not installed; install "
            "opentelemetry-instrumentation-asgi (and opentelemetry-distro) to trace requests"
        )
        return []
    return [OpenTelemetryPlugin(OpenTelemetryConfig(exclude=UNTRACED))]
