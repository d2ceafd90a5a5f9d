"""Loading plugins and ordering their providers (argus_plugins/manager.py)."""

from __future__ import annotations

import types
from pathlib import Path
from typing import Any

import httpx
import pluggy
import pytest
from litestar.testing import AsyncTestClient

from argus_adapters.sql.settings import DatabaseSettings
from argus_plugins import hookspecs
from argus_plugins.hookspecs import PluginContext, hookimpl
from argus_plugins.manager import (
    chain_of,
    collected,
    first,
    ordered,
    plugin_manager,
    providers,
    registration_order,
)
from argus_web.app import create_app
from argus_web.settings import PluginSettings, Settings


class Named:
    def __init__(self, name: str, timeout: float | None = None) -> None:
        self.name = name
        if timeout is not None:
            self.timeout = timeout


def plugin(**hooks: Any) -> types.SimpleNamespace:
    """An object whose attributes are hook implementations."""
    return types.SimpleNamespace(**{name: hookimpl(function) for name, function in hooks.items()})


@pytest.fixture
async def context() -> Any:
    async with httpx.AsyncClient() as http:
        yield PluginContext(config={"GREETING": "hi"}, http=http)


def manager_with(*plugins: tuple[str, Any]) -> pluggy.PluginManager:
    manager = pluggy.PluginManager(hookspecs.PROJECT)
    manager.add_hookspecs(hookspecs)
    for name, registered in plugins:
        manager.register(registered, name=name)
    return manager


async def test_list_hooks_are_collected_in_registration_order(context: PluginContext) -> None:
    manager = manager_with(
        ("a", plugin(argus_rca_providers=lambda context: [Named("a1"), Named("a2")])),
        ("b", plugin(argus_rca_providers=lambda context: [Named(context.config["GREETING"])])),
        ("c", plugin(argus_rca_providers=lambda: None)),  # takes no arguments, offers nothing
    )
    # pluggy itself calls the last registered first; Argus keeps the documented order.
    assert [p.name for p in collected(manager, "argus_rca_providers", context)] == [
        "a1",
        "a2",
        "hi",
    ]
    assert registration_order(manager) == ["a", "b", "c"]


async def test_a_single_answer_hook_takes_the_first_plugin_with_an_answer(
    context: PluginContext,
) -> None:
    manager = manager_with(
        ("a", plugin(argus_auto_resolve_judge=lambda context: None)),
        ("b", plugin(argus_auto_resolve_judge=lambda context: Named("b"))),
        ("c", plugin(argus_auto_resolve_judge=lambda context: Named("c"))),
    )
    assert first(manager, "argus_auto_resolve_judge", context).name == "b"
    assert first(manager, "argus_message_rewriter", context) is None


def test_a_configured_order_picks_and_orders_providers_by_name() -> None:
    found = [Named("vishwakarma"), Named("llm"), Named("manual")]
    assert [p.name for p in ordered(found, ("manual", "vishwakarma"), "X")] == [
        "manual",
        "vishwakarma",
    ]
    assert ordered(found, None, "X") == found
    with pytest.raises(ValueError, match="ARGUS_RCA_CHAIN lists holmesgpt; available: "):
        ordered(found, ("holmesgpt", "manual"), "ARGUS_RCA_CHAIN")
    with pytest.raises(ValueError, match="a name twice"):
        ordered(found, ("llm", "llm"), "X")


def test_a_chain_uses_each_providers_timeout_and_needs_one() -> None:
    chain = chain_of([Named("remote", timeout=600), Named("plain")], "RCA provider")
    assert [(s.name, s.timeout) for s in chain.steps] == [("remote", 600.0), ("plain", 60.0)]
    with pytest.raises(ValueError, match="No RCA provider is configured"):
        chain_of([], "RCA provider")


async def test_built_ins_load_in_order_and_offline_fallbacks_come_last(
    context: PluginContext,
) -> None:
    manager = plugin_manager()
    assert registration_order(manager)[:2] == ["remote", "llm"]
    assert registration_order(manager)[-2:] == ["keywords", "manual"]
    found = providers(manager, context)
    # Nothing configured: the offline defaults answer.
    assert [c.name for c in found.categorizers] == ["keywords"]
    assert [p.name for p in found.rca] == ["manual"]
    assert found.judge is None
    assert found.rewriter is None


async def test_configured_built_ins_come_before_the_fallbacks(context: PluginContext) -> None:
    configured = PluginContext(
        config={"VISHWAKARMA_URL": "http://127.0.0.1:9", "AI_MODEL": "openai/test"},
        http=context.http,
    )
    found = providers(plugin_manager(), configured)
    assert [p.name for p in found.rca] == ["vishwakarma", "llm", "manual"]
    assert [c.name for c in found.categorizers] == ["llm", "keywords"]
    ordered_chain = providers(plugin_manager(), configured, rca_chain=("llm", "manual"))
    assert [p.name for p in ordered_chain.rca] == ["llm", "manual"]


def test_disabled_plugins_are_not_loaded() -> None:
    manager = plugin_manager(disabled=("llm", "remote"))
    assert registration_order(manager) == ["keywords", "manual"]


def test_a_misspelled_hook_implementation_fails_loudly() -> None:
    manager = manager_with(("typo", plugin(argus_rca_provider=lambda context: [])))
    with pytest.raises(pluggy.PluginValidationError, match="argus_rca_provider"):
        manager.check_pending()


async def test_the_app_refuses_to_start_with_an_unknown_provider_in_the_chain(
    tmp_path: Path,
) -> None:
    settings = Settings(
        database=DatabaseSettings(url=f"sqlite+aiosqlite:///{tmp_path / 'argus.db'}"),
        plugins=PluginSettings(rca_chain=("vishwakarma", "manual")),  # no VISHWAKARMA_URL
    )
    with pytest.raises(BaseExceptionGroup) as caught:  # raised inside the app's lifespan
        async with AsyncTestClient(create_app(settings)):
            pass
    assert caught.group_contains(
        ValueError, match="ARGUS_RCA_CHAIN lists vishwakarma; available: manual"
    )


async def test_the_app_refuses_to_start_with_no_rca_provider_left(tmp_path: Path) -> None:
    settings = Settings(
        database=DatabaseSettings(url=f"sqlite+aiosqlite:///{tmp_path / 'argus.db'}"),
        plugins=PluginSettings(disabled=("manual",)),  # nothing else is configured
    )
    with pytest.raises(BaseExceptionGroup) as caught:
        async with AsyncTestClient(create_app(settings)):
            pass
    assert caught.group_contains(ValueError, match="No RCA provider is configured or enabled")
