"""The hooks an Argus plugin implements (pluggy project ``argus``).

A plugin is a module or object with functions marked ``@hookimpl`` whose names are the
hooks below. Built-in plugins are registered first, then those installed under the entry
point group ``argus``. Every hook is described in ``docs/plugins.md``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import httpx
import pluggy

from argus_core.domain.events import DomainEvent
from argus_core.ports import AutoResolveJudge, Categorizer, MessageRewriter, Notifier, RcaProvider

PROJECT = "argus"
hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)


@dataclass(frozen=True)
class PluginContext:
    """What a plugin gets to build its providers from.

    ``config`` holds the settings by their environment variable names (``AI_MODEL``,
    ``VISHWAKARMA_URL``, a plugin's own ``MYPLUGIN_*``...); ``http`` is the process's
    shared HTTP client (plugins set their own timeouts per request).
    """

    config: Mapping[str, str]
    http: httpx.AsyncClient


@hookspec
def argus_categorizers(context: PluginContext) -> Sequence[Categorizer]:
    """Categorizers this plugin offers (triage: priority, category, team, title).

    Return none when the plugin is not configured. Tried in ``ARGUS_CATEGORIZERS`` order,
    else in registration order with the keyword rules last.
    """
    raise NotImplementedError


@hookspec
def argus_rca_providers(context: PluginContext) -> Sequence[RcaProvider]:
    """Root-cause analysis providers this plugin offers.

    Tried in ``ARGUS_RCA_CHAIN`` order, else in registration order with manual steps last.
    """
    raise NotImplementedError


@hookspec
def argus_notifiers(context: PluginContext) -> Sequence[Notifier]:
    """Notifiers that hear every delivered domain event (besides Slack)."""
    raise NotImplementedError


@hookspec(firstresult=True)
def argus_auto_resolve_judge(context: PluginContext) -> AutoResolveJudge | None:
    """The judge that decides auto-resolve after an RCA (the first plugin with one wins)."""
    raise NotImplementedError


@hookspec(firstresult=True)
def argus_message_rewriter(context: PluginContext) -> MessageRewriter | None:
    """The plain-language rewriter for Slack messages (the first plugin with one wins)."""
    raise NotImplementedError


@hookspec
def argus_issue_event(event: DomainEvent) -> None:
    """Observe a domain event as it is delivered (synchronous: keep it quick; for slow
    work return a notifier from ``argus_notifiers`` instead)."""
    raise NotImplementedError
