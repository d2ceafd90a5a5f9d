"""The built-in plugin offering the remote RCA agents: Vishwakarma, then HolmesGPT.

Each is offered when its URL is set (``VISHWAKARMA_URL``, ``HOLMESGPT_URL``); its
``*_TIMEOUT`` bounds one investigation in seconds (600 when unset).
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import httpx

from argus_core.ports import RcaProvider
from argus_plugins.holmesgpt import HolmesGptProvider
from argus_plugins.hookspecs import PluginContext, hookimpl
from argus_plugins.vishwakarma import VishwakarmaProvider

DEFAULT_TIMEOUT = 600.0


@hookimpl
def argus_rca_providers(context: PluginContext) -> list[RcaProvider]:
    """Vishwakarma and HolmesGPT, those of the two that are configured, in that order.

    Raises ValueError for a URL that is not http(s) or a timeout that is not a positive
    number, so a typo stops the app at start rather than every investigation.
    """
    config = context.config
    providers: list[RcaProvider] = []
    if url := _url(config, "VISHWAKARMA_URL"):
        timeout = _timeout(config, "VISHWAKARMA_TIMEOUT")
        providers.append(VishwakarmaProvider(url, context.http, timeout=timeout))
    if url := _url(config, "HOLMESGPT_URL"):
        timeout = _timeout(config, "HOLMESGPT_TIMEOUT")
        providers.append(HolmesGptProvider(url, context.http, timeout=timeout))
    return providers


def _url(config: Mapping[str, str], key: str) -> str:
    raw = config.get(key, "").strip()
    if not raw:
        return ""
    try:
        url = httpx.URL(raw)
    except httpx.InvalidURL:
        url = None
    if url is None or url.scheme not in ("http", "https") or not url.host:
        raise ValueError(f"{key} must be an http(s) URL, got {raw!r}")
    return raw


def _timeout(config: Mapping[str, str], key: str) -> float:
    raw = config.get(key, "").strip()
    if not raw:
        return DEFAULT_TIMEOUT
    try:
        seconds = float(raw)
    except ValueError:
        raise ValueError(f"{key} must be a number of seconds, got {raw!r}") from None
    if not (math.isfinite(seconds) and seconds > 0):
        raise ValueError(f"{key} must be a positive number of seconds, got {raw!r}")
    return seconds
