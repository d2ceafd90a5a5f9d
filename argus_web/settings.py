"""Argus's settings: one typed object, read from the environment once.

The original variable names are honoured; every value has a safe embedded default, and
nothing here opens a connection.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from functools import cache
from pathlib import Path
from typing import TypeVar

import msgspec

from argus_adapters.sql.settings import DatabaseSettings

T = TypeVar("T")
QUEUE_SCHEMES = ("redis://", "rediss://", "postgresql://", "postgres://")
DEV_JWT_SECRET = "argus-embedded-dev-secret-change-me"
STATIC_DIR = Path(__file__).with_name("static")


class GoogleSettings(msgspec.Struct, frozen=True, kw_only=True):
    """Google sign-in; Argus answers 503 on its routes when this is missing."""

    client_id: str
    client_secret: str
    redirect_uri: str
    auth_url: str = "https://accounts.google.com/o/oauth2/v2/auth"
    token_url: str = "https://oauth2.googleapis.com/token"
    userinfo_url: str = "https://openidconnect.googleapis.com/v1/userinfo"


class SlackSettings(msgspec.Struct, frozen=True, kw_only=True):
    """Slack's Web API; without a bot token Argus sends nothing to Slack.

    A signing secret turns on the HTTP endpoints (``/slack/events``, ``/slack/interactions``,
    ``/slack/commands``); an app token turns on Socket Mode (no public URL needed).
    """

    bot_token: str
    api_url: str = "https://slack.com/api/"
    signing_secret: str | None = None
    app_token: str | None = None
    posts_per_second: float = 1.0
    """``ARGUS_SLACK_POSTS_PER_SECOND``: ``chat.postMessage`` pacing, per channel."""

    def __post_init__(self) -> None:
        if not 0 < self.posts_per_second <= 100:
            raise ValueError("ARGUS_SLACK_POSTS_PER_SECOND must be above 0 and at most 100.")
        if self.app_token is not None and not self.app_token.startswith("xapp-"):
            raise ValueError("SLACK_APP_TOKEN must be an app-level token (xapp-...).")

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> SlackSettings | None:
        """Slack's settings, or None without ``SLACK_BOT_TOKEN``."""
        if not env.get("SLACK_BOT_TOKEN", "").strip():
            return None
        pace = _number(env, "ARGUS_SLACK_POSTS_PER_SECOND")
        return cls(
            bot_token=env["SLACK_BOT_TOKEN"].strip(),
            api_url=env.get("SLACK_API_URL") or "https://slack.com/api/",
            signing_secret=env.get("SLACK_SIGNING_SECRET", "").strip() or None,
            app_token=env.get("SLACK_APP_TOKEN", "").strip() or None,
            posts_per_second=1.0 if pace is None else pace,
        )


class PluginSettings(msgspec.Struct, frozen=True, kw_only=True):
    """Which plugins load and how their providers are ordered; the plugins read their own
    variables (``VISHWAKARMA_URL``, ``AI_MODEL``, ...) from ``config``."""

    allowed: tuple[str, ...] | None = None
    """``ARGUS_PLUGINS``: the installed plugins to load (None: all of them)."""
    disabled: tuple[str, ...] = ()
    """``ARGUS_DISABLE_PLUGINS``: plugins, built-in or installed, not to load."""
    rca_chain: tuple[str, ...] | None = None
    """``ARGUS_RCA_CHAIN``: RCA provider names in the order tried (None: all, in order)."""
    categorizers: tuple[str, ...] | None = None
    """``ARGUS_CATEGORIZERS``: categorizer names in the order tried."""
    auto_resolve_threshold: float = 0.8
    """``ARGUS_AUTO_RESOLVE_THRESHOLD``: the judge's least confidence to resolve."""
    config: dict[str, str] = msgspec.field(default_factory=dict)
    """The environment (blank variables left out), for the plugins' own settings."""

    def __post_init__(self) -> None:
        if not 0 <= self.auto_resolve_threshold <= 1:
            raise ValueError("ARGUS_AUTO_RESOLVE_THRESHOLD must be between 0 and 1.")

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> PluginSettings:
        threshold = _number(env, "ARGUS_AUTO_RESOLVE_THRESHOLD")
        return cls(
            allowed=_names(env, "ARGUS_PLUGINS"),
            disabled=_names(env, "ARGUS_DISABLE_PLUGINS") or (),
            rca_chain=_names(env, "ARGUS_RCA_CHAIN"),
            categorizers=_names(env, "ARGUS_CATEGORIZERS"),
            auto_resolve_threshold=0.8 if threshold is None else threshold,
            config={name: value for name, value in env.items() if value.strip()},
        )


def _names(env: Mapping[str, str], name: str) -> tuple[str, ...] | None:
    """A comma-separated list (names, emails) in lower case; None when unset or blank."""
    names = tuple(n.strip().lower() for n in env.get(name, "").split(",") if n.strip())
    return names or None


class Settings(msgspec.Struct, frozen=True, kw_only=True):
    """Everything configurable, with the embedded defaults."""

    env: str = "embedded"
    database: DatabaseSettings = DatabaseSettings()
    public_url: str = "http://127.0.0.1:8000"
    jwt_secret: str = DEV_JWT_SECRET
    token_ttl_minutes: int = 60
    google: GoogleSettings | None = None
    allowed_email_domain: str | None = None
    admin_emails: tuple[str, ...] = ()
    static_dir: Path = STATIC_DIR
    slack: SlackSettings | None = None
    queue_url: str | None = None
    """SAQ's queue (``redis://`` or ``postgresql://``); None: the in-process runner."""
    job_concurrency: int = 4
    job_retries: int | None = None
    """Attempts per job (each kind has its own default)."""
    job_retry_delay_seconds: float | None = None
    """Wait before the first retry, doubled for each later one."""
    reminder_interval_seconds: int = 60
    shutdown_grace_seconds: float = 5.0
    """``ARGUS_SHUTDOWN_GRACE_SECONDS``: how long a stopping ``argus serve`` lets its
    running jobs finish before handing them back."""
    log_format: str = "plain"
    """``ARGUS_LOG_FORMAT``: ``plain`` lines for people or ``json``, one object a line."""
    metrics_host: str = "127.0.0.1"
    metrics_port: int | None = None
    """``ARGUS_METRICS_HOST``/``_PORT``: where ``argus worker`` serves ``/metrics``
    (None: it serves none; ``argus serve`` answers ``/metrics`` on its own port)."""
    plugins: PluginSettings = msgspec.field(default_factory=lambda: PluginSettings())

    def __post_init__(self) -> None:
        if self.env not in ("embedded", "production"):
            raise ValueError(f"ARGUS_ENV must be 'embedded' or 'production', not {self.env!r}.")
        if self.is_production and self.jwt_secret == DEV_JWT_SECRET:
            raise ValueError("JWT_SECRET must be set to a secret of your own in production.")
        if len(self.jwt_secret) < 32:  # HS256 wants a key of at least 256 bits
            raise ValueError("JWT_SECRET must be at least 32 characters long.")
        if self.token_ttl_minutes < 1:
            raise ValueError("ARGUS_TOKEN_TTL_MINUTES must be at least 1.")
        if self.queue_url and not self.queue_url.lower().startswith(QUEUE_SCHEMES):
            raise ValueError("ARGUS_QUEUE_URL must start with redis:// or postgresql://.")
        if not 1 <= self.job_concurrency <= 100:
            raise ValueError("ARGUS_JOB_CONCURRENCY must be between 1 and 100.")
        if self.job_retries is not None and not 1 <= self.job_retries <= 50:
            raise ValueError("ARGUS_JOB_RETRIES must be between 1 and 50.")
        if (
            self.job_retry_delay_seconds is not None
            and not 0 <= self.job_retry_delay_seconds <= 3600
        ):
            raise ValueError("ARGUS_JOB_RETRY_DELAY_SECONDS must be between 0 and 3600.")
        if not 0 <= self.shutdown_grace_seconds <= 300:
            raise ValueError("ARGUS_SHUTDOWN_GRACE_SECONDS must be between 0 and 300.")
        if not 1 <= self.reminder_interval_seconds <= 3600:
            raise ValueError("ARGUS_REMINDER_INTERVAL_SECONDS must be between 1 and 3600.")
        if self.log_format not in ("plain", "json"):
            raise ValueError(f"ARGUS_LOG_FORMAT must be plain or json, not {self.log_format!r}.")
        if self.metrics_port is not None and not 1 <= self.metrics_port <= 65535:
            raise ValueError("ARGUS_METRICS_PORT must be between 1 and 65535.")

    @property
    def is_production(self) -> bool:
        """``ARGUS_ENV=production``: never inferred."""
        return self.env == "production"

    @property
    def local_sign_in(self) -> bool:
        """The demo's local sign-in: only embedded and only without Google sign-in."""
        return not self.is_production and self.google is None

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        """Read the environment (``os.environ`` unless given)."""
        env = os.environ if env is None else env
        google = None
        if env.get("GOOGLE_CLIENT_ID") and env.get("GOOGLE_CLIENT_SECRET"):
            public = env.get("ARGUS_PUBLIC_URL", "http://127.0.0.1:8000").rstrip("/")
            overrides = {
                key: env[name]
                for key, name in (
                    ("auth_url", "GOOGLE_AUTH_URL"),
                    ("token_url", "GOOGLE_TOKEN_URL"),
                    ("userinfo_url", "GOOGLE_USERINFO_URL"),
                )
                if env.get(name)
            }
            google = GoogleSettings(
                client_id=env["GOOGLE_CLIENT_ID"],
                client_secret=env["GOOGLE_CLIENT_SECRET"],
                redirect_uri=env.get("GOOGLE_REDIRECT_URI") or f"{public}/auth/callback",
                **overrides,
            )
        return cls(
            env=env.get("ARGUS_ENV", "embedded").strip().lower(),
            database=DatabaseSettings.from_env(env),
            public_url=env.get("ARGUS_PUBLIC_URL", "http://127.0.0.1:8000").rstrip("/"),
            jwt_secret=env.get("JWT_SECRET") or DEV_JWT_SECRET,
            token_ttl_minutes=_integer(env, "ARGUS_TOKEN_TTL_MINUTES", 60),
            google=google,
            allowed_email_domain=env.get("ALLOWED_EMAIL_DOMAIN") or None,
            admin_emails=_names(env, "ADMIN_EMAILS") or (),
            static_dir=Path(env["ARGUS_STATIC_DIR"]) if env.get("ARGUS_STATIC_DIR") else STATIC_DIR,
            slack=SlackSettings.from_env(env),
            queue_url=_queue_url(env.get("ARGUS_QUEUE_URL", "")),
            job_concurrency=_integer(env, "ARGUS_JOB_CONCURRENCY", 4),
            job_retries=_parsed(env, "ARGUS_JOB_RETRIES", int, "a whole number"),
            job_retry_delay_seconds=_number(env, "ARGUS_JOB_RETRY_DELAY_SECONDS"),
            reminder_interval_seconds=_integer(env, "ARGUS_REMINDER_INTERVAL_SECONDS", 60),
            shutdown_grace_seconds=_number_or(env, "ARGUS_SHUTDOWN_GRACE_SECONDS", 5.0),
            log_format=env.get("ARGUS_LOG_FORMAT", "").strip().lower() or "plain",
            metrics_host=env.get("ARGUS_METRICS_HOST", "").strip() or "127.0.0.1",
            metrics_port=_parsed(env, "ARGUS_METRICS_PORT", int, "a whole number"),
            plugins=PluginSettings.from_env(env),
        )


def _integer(env: Mapping[str, str], name: str, default: int) -> int:
    value = _parsed(env, name, int, "a whole number")
    return default if value is None else value


def _number_or(env: Mapping[str, str], name: str, default: float) -> float:
    value = _number(env, name)
    return default if value is None else value


def _number(env: Mapping[str, str], name: str) -> float | None:
    return _parsed(env, name, float, "a number")


def _parsed(env: Mapping[str, str], name: str, convert: Callable[[str], T], kind: str) -> T | None:
    """``name``'s value converted, None when unset or blank; a clear error otherwise."""
    raw = env.get(name, "").strip()
    if not raw:
        return None
    try:
        return convert(raw)
    except ValueError:
        raise ValueError(f"{name} must be {kind}, not {raw!r}.") from None


def _queue_url(raw: str) -> str | None:
    """SAQ's PostgreSQL queue speaks psycopg: a ``postgresql+driver://`` scheme loses its
    driver; the rest of the URL is kept as given."""
    url = raw.strip()
    scheme, sep, rest = url.partition("://")
    if sep and scheme.lower().startswith(("postgresql+", "postgres+")):
        url = f"postgresql://{rest}"
    return url or None


@cache
def settings_from_env() -> Settings:
    """The process's settings, read once."""
    return Settings.from_env()
