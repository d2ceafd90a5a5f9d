"""OpenTelemetry tracing stays off unless asked for, and asked for without its packages
it warns instead of failing the start."""

from __future__ import annotations

import importlib.util
import logging
import sys
import types
from typing import Any

import pytest

from argus_web.tracing import UNTRACED, tracing_plugins

ASKED = {"OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:4318"}


def test_off_unless_asked_for() -> None:
    assert tracing_plugins({}) == []
    assert tracing_plugins({"OTEL_TRACES_EXPORTER": "none"}) == []


@pytest.mark.skipif(
    importlib.util.find_spec("opentelemetry") is not None, reason="OpenTelemetry is installed"
)
def test_asked_for_without_its_packages_warns(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="argus_web.tracing"):
        assert tracing_plugins(ASKED) == []
    assert "not installed" in caplog.text


def test_asked_for_and_installed_gives_litestars_plugin(monkeypatch: pytest.MonkeyPatch) -> None:
    """With a stand-in for Litestar's plugin module (the real one needs the packages)."""

    class Config:
        def __init__(self, **kw: Any) -> None:
            self.kw = kw

    class Plugin:
        def __init__(self, config: Config) -> None:
            self.config = config

    module = types.ModuleType("litestar.plugins.opentelemetry")
    module.OpenTelemetryConfig = Config  # type: ignore[attr-defined]
    module.OpenTelemetryPlugin = Plugin  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "litestar.plugins.opentelemetry", module)
    (plugin,) = tracing_plugins(ASKED)
    assert isinstance(plugin, Plugin)
    assert plugin.config.kw == {"exclude": UNTRACED}
