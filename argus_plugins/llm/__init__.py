"""The built-in LLM plugin: triage, root-cause analysis, auto-resolve and plain language
through any model litellm can reach.

Off unless ``AI_MODEL`` is set. Settings (plugin config, by environment variable name):
``AI_MODEL``, ``AI_FAST_MODEL`` (default ``AI_MODEL``; the judge and the rewriter),
``AI_API_KEY``, ``AI_API_BASE``, ``AI_MAX_TOKENS`` (default 2000), ``AI_TIMEOUT``
(seconds per call, default 60) and ``ARGUS_PLAIN_LANGUAGE`` (default false).

Nothing here imports litellm: building the providers is free, and the import happens on
the first call to the model.
"""

from __future__ import annotations

from collections.abc import Sequence

from argus_core.ports import AutoResolveJudge, Categorizer, MessageRewriter, RcaProvider
from argus_plugins.hookspecs import PluginContext, hookimpl
from argus_plugins.llm.categorizer import LlmCategorizer
from argus_plugins.llm.client import LlmSettings, require_litellm
from argus_plugins.llm.judge import LlmJudge
from argus_plugins.llm.rca import LlmRcaProvider
from argus_plugins.llm.rewrite import DEFAULT_TIMEOUT as REWRITE_TIMEOUT
from argus_plugins.llm.rewrite import LlmRewriter

__all__ = [
    "LlmCategorizer",
    "LlmJudge",
    "LlmRcaProvider",
    "LlmRewriter",
    "LlmSettings",
    "argus_auto_resolve_judge",
    "argus_categorizers",
    "argus_message_rewriter",
    "argus_rca_providers",
    "settings_from",
]


def settings_from(context: PluginContext) -> LlmSettings | None:
    """The plugin's settings, or None when ``AI_MODEL`` is not set.

    Raises ValueError for a malformed setting and RuntimeError when ``AI_MODEL`` is
    set but litellm is not installed, so a misconfiguration shows at start-up.
    """
    settings = LlmSettings.from_config(context.config)
    if settings is not None:
        require_litellm()
    return settings


@hookimpl
def argus_categorizers(context: PluginContext) -> Sequence[Categorizer]:
    """The LLM categorizer, when ``AI_MODEL`` is set."""
    settings = settings_from(context)
    return [] if settings is None else [LlmCategorizer(settings)]


@hookimpl
def argus_rca_providers(context: PluginContext) -> Sequence[RcaProvider]:
    """The LLM root-cause provider (source ``"ai"``), when ``AI_MODEL`` is set."""
    settings = settings_from(context)
    return [] if settings is None else [LlmRcaProvider(settings)]


@hookimpl
def argus_auto_resolve_judge(context: PluginContext) -> AutoResolveJudge | None:
    """The LLM judge (fast model), when ``AI_MODEL`` is set."""
    settings = settings_from(context)
    return None if settings is None else LlmJudge(settings)


@hookimpl
def argus_message_rewriter(context: PluginContext) -> MessageRewriter | None:
    """The plain-language rewriter (fast model), when ``AI_MODEL`` is set and
    ``ARGUS_PLAIN_LANGUAGE`` is true. Its timeout is 10 s, or ``AI_TIMEOUT`` if shorter."""
    settings = settings_from(context)
    if settings is None or not settings.plain_language:
        return None
    return LlmRewriter(settings, timeout=min(settings.timeout, REWRITE_TIMEOUT))
