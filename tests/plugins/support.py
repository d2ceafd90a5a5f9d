"""Helpers for the built-in plugins' tests."""

from __future__ import annotations

import json
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import pluggy

from argus_plugins import hookspecs
from argus_plugins.hookspecs import PluginContext


def json_file(folder: Path, name: str, content: Any) -> Path:
    """``content`` (JSON-encoded unless it is text already) in ``folder/name``."""
    path = folder / name
    path.write_text(content if isinstance(content, str) else json.dumps(content))
    return path


def offered(
    plugin: ModuleType, hook: str, config: dict[str, str], http: httpx.AsyncClient
) -> list[Any]:
    """What one plugin's list hook returns, called through pluggy as Argus does."""
    manager = pluggy.PluginManager(hookspecs.PROJECT)
    manager.add_hookspecs(hookspecs)
    manager.register(plugin)
    manager.check_pending()
    results = getattr(manager.hook, hook)(context=PluginContext(config=config, http=http))
    return [each for found in results for each in found]
