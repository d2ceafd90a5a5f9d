"""Argus's settings: one typed object, read from the environment once.

The original variable names are honoured; every value has a safe embedded default, and
nothing here opens a connection.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from functools import cache
from pathlib import Path

import msgspec

from argus_adapters.sql.settings import DatabaseSettings

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

    def __post_init__(self) -> None:
        if self.env not in ("embedded", "production"):
            raise ValueError(f"ARGUS_ENV must be 'embedded' or 'production', not {self.env!r}.")
        if self.is_production and self.jwt_secret == DEV_JWT_SECRET:
            raise ValueError("JWT_SECRET must be set to a secret of your own in production.")
        if len(self.jwt_secret) < 32:  # HS256 wants a key of at least 256 bits
            raise ValueError("JWT_SECRET must be at least 32 characters long.")
        if self.token_ttl_minutes < 1:
            raise ValueError("ARGUS_TOKEN_TTL_MINUTES must be at least 1.")

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
        admins = tuple(
            e.strip().lower() for e in env.get("ADMIN_EMAILS", "").split(",") if e.strip()
        )
        return cls(
            env=env.get("ARGUS_ENV", "embedded").strip().lower(),
            database=DatabaseSettings.from_env(env),
            public_url=env.get("ARGUS_PUBLIC_URL", "http://127.0.0.1:8000").rstrip("/"),
            jwt_secret=env.get("JWT_SECRET") or DEV_JWT_SECRET,
            token_ttl_minutes=int(env.get("ARGUS_TOKEN_TTL_MINUTES", "60")),
            google=google,
            allowed_email_domain=env.get("ALLOWED_EMAIL_DOMAIN") or None,
            admin_emails=admins,
            static_dir=Path(env["ARGUS_STATIC_DIR"]) if env.get("ARGUS_STATIC_DIR") else STATIC_DIR,
        )


@cache
def settings_from_env() -> Settings:
    """The process's settings, read once."""
    return Settings.from_env()
