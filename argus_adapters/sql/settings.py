"""Database settings, read from the environment (the original variable names kept)."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping

import msgspec

DEFAULT_URL = "sqlite+aiosqlite:///argus.db"
DEFAULT_SCHEMA = "argus"
_SCHEMA_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


class DatabaseSettings(msgspec.Struct, frozen=True, kw_only=True):
    """Where the data lives: ``url`` (async driver) and, on PostgreSQL, the schema."""

    url: str = DEFAULT_URL
    schema: str = DEFAULT_SCHEMA
    pool_size: int = 3
    max_overflow: int = 5

    def __post_init__(self) -> None:
        if not _SCHEMA_NAME.match(self.schema):
            raise ValueError(
                f"DB_SCHEMA {self.schema!r} must be a lower-case identifier (a-z, 0-9, _)."
            )
        if not (self.is_postgres or self.is_sqlite):
            raise ValueError(
                "ARGUS_DATABASE_URL must start with postgresql+asyncpg:// or "
                f"sqlite+aiosqlite:/// (got {self.url.split(':', 1)[0]}:...)."
            )

    @property
    def is_postgres(self) -> bool:
        """True for PostgreSQL through asyncpg."""
        return self.url.startswith("postgresql+asyncpg://")

    @property
    def is_sqlite(self) -> bool:
        """True for SQLite through aiosqlite."""
        return self.url.startswith("sqlite+aiosqlite://")

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> DatabaseSettings:
        """Read ``ARGUS_DATABASE_URL`` (or ``DATABASE_URL``; ``ARGUS_`` wins) and ``DB_SCHEMA``.

        A plain ``postgresql://`` or ``postgres://`` URL is given the asyncpg driver.
        """
        env = os.environ if env is None else env
        url = env.get("ARGUS_DATABASE_URL") or env.get("DATABASE_URL") or DEFAULT_URL
        for plain in ("postgresql://", "postgres://"):
            if url.startswith(plain):
                url = "postgresql+asyncpg://" + url.removeprefix(plain)
        if url.startswith("sqlite:///"):
            url = "sqlite+aiosqlite:///" + url.removeprefix("sqlite:///")
        return cls(url=url, schema=env.get("DB_SCHEMA") or DEFAULT_SCHEMA)
