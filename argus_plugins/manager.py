"""Loading plugins and putting their providers in order.

Built-in plugins come from explicit tuples, installed ones from the entry point group
``argus``: first the built-ins that need configuring (remote RCA services, the LLM),
then installed plugins, then the offline fallbacks that always answer (keyword rules,
manual steps). With no order configured, providers are tried in that order.
"""

from __future__ import annotations

import functools
import importlib
import logging
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from importlib.metadata import entry_points
from typing import Any, Protocol, TypeVar

import pluggy

from argus_core.chain import ProviderChain, Step
from argus_core.ports import AutoResolveJudge, Categorizer, MessageRewriter, Notifier, RcaProvider
from argus_plugins import hookspecs
from argus_plugins.hookspecs import PROJECT, PluginContext

log = logging.getLogger(__name__)

LEADING_BUILTINS = (("remote", "argus_plugins.remote"), ("llm", "argus_plugins.llm"))
TRAILING_BUILTINS = (("keywords", "argus_plugins.keywords"), ("manual", "argus_plugins.manual"))
ENTRY_POINT_GROUP = PROJECT
DEFAULT_TIMEOUT = 60.0
"""Seconds a provider without a ``timeout`` of its own gets per call."""


class Named(Protocol):
    name: str


N = TypeVar("N", bound=Named)


def plugin_manager(
    allowed: Collection[str] | None = None, disabled: Collection[str] = ()
) -> pluggy.PluginManager:
    """Built-ins and installed plugins, registered in order and checked.

    ``allowed`` limits the installed plugins loaded (None: all); ``disabled`` names
    plugins, built-in or installed, not to load. A hook implementation that matches no
    hook (a misspelled name) is an error.
    """
    allowed = None if allowed is None else {n.lower() for n in allowed}
    disabled = {n.lower() for n in disabled}
    manager = pluggy.PluginManager(PROJECT)
    manager.add_hookspecs(hookspecs)
    for name, module in LEADING_BUILTINS:
        if name not in disabled:
            manager.register(importlib.import_module(module), name=name)
    for point in entry_points(group=ENTRY_POINT_GROUP):
        name = point.name.lower()
        if (allowed is None or name in allowed) and name not in disabled:
            manager.register(point.load(), name=point.name)
    for name, module in TRAILING_BUILTINS:
        if name not in disabled:
            manager.register(importlib.import_module(module), name=name)
    manager.check_pending()
    return manager


def registration_order(manager: pluggy.PluginManager) -> list[str]:
    """Plugin names in the order they were registered."""
    return [name for name, _ in manager.list_name_plugin()]


def collected(manager: pluggy.PluginManager, hook: str, context: PluginContext) -> list[Any]:
    """Every object the plugins return from a list hook, in registration order."""
    found: list[Any] = []
    for call in _calls(manager, hook, context):
        found.extend(call() or ())
    return found


def first(manager: pluggy.PluginManager, hook: str, context: PluginContext) -> Any:
    """The first answer to a single-answer hook, in registration order (None: none)."""
    for call in _calls(manager, hook, context):
        answer = call()
        if answer is not None:
            return answer
    return None


def _calls(
    manager: pluggy.PluginManager, hook: str, context: PluginContext
) -> list[Callable[[], Any]]:
    """The plugins' implementations of ``hook`` in registration order, ready to call.

    (pluggy itself calls the last registered first; provider order must be the
    documented one.)"""
    order = {name: n for n, name in enumerate(registration_order(manager))}
    impls = sorted(getattr(manager.hook, hook).get_hookimpls(), key=lambda i: order[i.plugin_name])
    return [
        functools.partial(i.function, **({"context": context} if "context" in i.argnames else {}))
        for i in impls
    ]


@dataclass(frozen=True)
class Providers:
    """What the loaded plugins offer, in the order they are tried."""

    categorizers: list[Categorizer]
    rca: list[RcaProvider]
    notifiers: list[Notifier]
    judge: AutoResolveJudge | None
    rewriter: MessageRewriter | None


def providers(
    manager: pluggy.PluginManager,
    context: PluginContext,
    *,
    rca_chain: Sequence[str] | None = None,
    categorizers: Sequence[str] | None = None,
) -> Providers:
    """Ask every plugin for its providers; order them as configured."""
    return Providers(
        categorizers=ordered(
            collected(manager, "argus_categorizers", context), categorizers, "ARGUS_CATEGORIZERS"
        ),
        rca=ordered(
            collected(manager, "argus_rca_providers", context), rca_chain, "ARGUS_RCA_CHAIN"
        ),
        notifiers=collected(manager, "argus_notifiers", context),
        judge=first(manager, "argus_auto_resolve_judge", context),
        rewriter=first(manager, "argus_message_rewriter", context),
    )


def chain_of(found: Sequence[N], what: str) -> ProviderChain[N]:
    """A fallback chain over ``found``, each step bounded by the provider's ``timeout``."""
    if not found:
        raise ValueError(f"No {what} is configured or enabled; Argus needs at least one.")
    return ProviderChain(
        [Step(name=p.name, provider=p, timeout=float(getattr(p, "timeout", DEFAULT_TIMEOUT)))
         for p in found]
    )  # fmt: skip


def ordered(providers: Sequence[N], names: Sequence[str] | None, what: str) -> list[N]:
    """``providers`` in the order of ``names`` (all of them, as given, when None).

    An unknown or repeated name is an error that lists what is available.
    """
    if names is None:
        return list(providers)
    names = [n.lower() for n in names]
    by_name = {p.name.lower(): p for p in providers}
    unknown = [n for n in names if n not in by_name]
    if unknown or len(set(names)) != len(names):
        available = ", ".join(by_name) or "none"
        raise ValueError(
            f"{what} lists {', '.join(unknown) or 'a name twice'}; available: {available}."
        )
    return [by_name[n] for n in names]
