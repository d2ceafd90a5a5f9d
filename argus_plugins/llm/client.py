"""The LLM plugin's settings and its one call to the model, through litellm.

litellm is imported on the first call, never at module import: it is an optional
dependency (``argus[llm]``) and takes seconds to import, which a process without
``AI_MODEL`` should never pay.
"""

from __future__ import annotations

import asyncio
import importlib.util
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

DEFAULT_MAX_TOKENS = 2000
DEFAULT_TIMEOUT = 60.0
TRUE_WORDS = frozenset({"true", "1", "yes", "on"})
FALSE_WORDS = frozenset({"false", "0", "no", "off", ""})

Message = Mapping[str, str]
"""One chat message: ``{"role": "system" | "user", "content": ...}``."""


class LlmError(Exception):
    """The model gave no answer (bad key, unknown model, server error...)."""


class LlmTimeout(LlmError):
    """The model did not answer in time."""


class LlmRateLimited(LlmError):
    """The model's provider refused the call for now (HTTP 429)."""


@dataclass(frozen=True, kw_only=True)
class LlmSettings:
    """How to reach the model, read from the plugin config (environment variable names).

    ``fast_model`` serves the short jobs (the rewriter, the auto-resolve judge);
    ``timeout`` bounds one call, in seconds.
    """

    model: str
    fast_model: str
    api_key: str | None = None
    api_base: str | None = None
    max_tokens: int = DEFAULT_MAX_TOKENS
    timeout: float = DEFAULT_TIMEOUT
    plain_language: bool = False

    @classmethod
    def from_config(cls, config: Mapping[str, str]) -> LlmSettings | None:
        """The settings, or None when ``AI_MODEL`` is not set (the plugin is off).

        Raises ValueError for a malformed number or flag, naming the setting.
        """
        model = config.get("AI_MODEL", "").strip()
        if not model:
            return None
        return cls(
            model=model,
            fast_model=config.get("AI_FAST_MODEL", "").strip() or model,
            api_key=config.get("AI_API_KEY", "").strip() or None,
            api_base=config.get("AI_API_BASE", "").strip() or None,
            max_tokens=int(_positive(config, "AI_MAX_TOKENS", DEFAULT_MAX_TOKENS, whole=True)),
            timeout=_positive(config, "AI_TIMEOUT", DEFAULT_TIMEOUT, whole=False),
            plain_language=_flag(config, "ARGUS_PLAIN_LANGUAGE"),
        )


def _positive(config: Mapping[str, str], name: str, default: float, *, whole: bool) -> float:
    raw = config.get(name, "").strip()
    if not raw:
        return default
    kind = "a positive whole number" if whole else "a positive number of seconds"
    try:
        value = int(raw) if whole else float(raw)
    except ValueError:
        raise ValueError(f"{name} must be {kind}, not {raw!r}") from None
    if not value > 0 or value == float("inf"):
        raise ValueError(f"{name} must be {kind}, not {raw!r}")
    return value


def _flag(config: Mapping[str, str], name: str) -> bool:
    raw = config.get(name, "").strip().lower()
    if raw in TRUE_WORDS:
        return True
    if raw in FALSE_WORDS:
        return False
    raise ValueError(f"{name} must be true or false, not {config[name]!r}")


def require_litellm() -> None:
    """Fail at start-up, clearly, when ``AI_MODEL`` is set without litellm installed.

    ``find_spec`` locates the package without importing it.
    """
    if importlib.util.find_spec("litellm") is None:
        raise RuntimeError("AI_MODEL is set but litellm is not installed: install argus[llm]")


class Completion(Protocol):
    """The shape of :func:`complete`, so providers can be given a stand-in."""

    async def __call__(
        self,
        *,
        model: str,
        messages: Sequence[Message],
        api_key: str | None = None,
        api_base: str | None = None,
        max_tokens: int = DEFAULT_MAX_TOKENS,
        timeout: float = DEFAULT_TIMEOUT,  # noqa: ASYNC109 (see complete)
        mock_response: Any = None,
    ) -> str: ...


async def complete(
    *,
    model: str,
    messages: Sequence[Message],
    api_key: str | None = None,
    api_base: str | None = None,
    max_tokens: int = DEFAULT_MAX_TOKENS,
    # litellm needs the value itself (its HTTP client's timeout); the call is also
    # bounded by asyncio.timeout below.
    timeout: float = DEFAULT_TIMEOUT,  # noqa: ASYNC109
    mock_response: Any = None,
) -> str:
    """The model's answer to ``messages`` as text ("" when it answered no text).

    One attempt, no retries: the caller's fallback chain moves on instead. ``timeout``
    bounds the whole call. ``mock_response`` (tests) is litellm's offline answer: a
    text, or an exception to raise. Raises :class:`LlmTimeout`,
    :class:`LlmRateLimited` or :class:`LlmError`.
    """
    litellm = _litellm()
    options: dict[str, Any] = {"max_tokens": max_tokens, "timeout": timeout, "max_retries": 0}
    if api_key is not None:
        options["api_key"] = api_key
    if api_base is not None:
        options["api_base"] = api_base
    if mock_response is not None:
        options["mock_response"] = mock_response
    try:
        async with asyncio.timeout(timeout):
            response = await litellm.acompletion(
                model=model, messages=[dict(m) for m in messages], **options
            )
    except (TimeoutError, litellm.Timeout) as exc:
        raise LlmTimeout(f"{model} did not answer within {timeout:g} s") from exc
    except litellm.RateLimitError as exc:
        raise LlmRateLimited(f"{model} is rate-limited: {exc}") from exc
    except Exception as exc:
        # litellm wraps provider failures in many types; to the caller they are all
        # "no answer from this model".
        raise LlmError(f"{model} failed: {type(exc).__name__}: {exc}") from exc
    return _text_of(response)


async def ask(
    settings: LlmSettings,
    messages: Sequence[Message],
    *,
    complete: Completion = complete,
    fast: bool = False,
    timeout: float | None = None,  # noqa: ASYNC109 (passed on to complete)
) -> str:
    """``messages`` sent through ``complete`` with ``settings`` (the fast model when
    ``fast``; ``timeout`` instead of the configured one when given)."""
    return await complete(
        model=settings.fast_model if fast else settings.model,
        messages=messages,
        api_key=settings.api_key,
        api_base=settings.api_base,
        max_tokens=settings.max_tokens,
        timeout=settings.timeout if timeout is None else timeout,
    )


def _text_of(response: Any) -> str:
    try:
        content = response.choices[0].message.content
    except (AttributeError, IndexError, TypeError):
        return ""
    return content if isinstance(content, str) else ""


def _litellm() -> Any:
    # Never fetch the model cost map from the internet on import.
    os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
    import litellm

    litellm.suppress_debug_info = True  # no "Give Feedback" banners in the logs
    return litellm
