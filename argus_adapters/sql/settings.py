"""Database settings, read from the environment (the original variable names kept)."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping

import msgspec

DEFAULT_URL = "sqlite+aiosqlite:///argus.db"
DEFAULT_SCHEMA = "argus"
DEFAULT_POOL_SIZE = 10
DEFAULT_MAX_OVERFLOW = 10
_SCHEMA_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


class DatabaseSettings(msgspec.Struct, frozen=True, kw_only=True):
    """Where the data lives: ``url`` (async driver) and, on PostgreSQL, the schema."""

    url: str = DEFAULT_URL
    schema: str = DEFAULT_SCHEMA
    # A web request holds one connection from start to end, so the pool is sized for
    # the requests one process serves at once. Overflow connections are closed as soon
    # as they are given back; a pool smaller than the usual concurrency opens a new
    # PostgreSQL session every few requests (measured: p99 x4 at 10 concurrent).
    pool_size: int = DEFAULT_POOL_SIZE
    max_overflow: int = DEFAULT_MAX_OVERFLOW

    def __post_init__(self) -> None:
        if not _SCHEMA_NAME.match(self.schema):
            raise ValueError(
                f"DB_SCHEMA {self.schema!r} must be a lower-case identifier (a-z, 0-9, _)."
            )
        if self.pool_size < 1 or self.max_overflow < 0:
            raise ValueError(
                "ARGUS_DB_POOL_SIZE must be at least 1 and ARGUS_DB_MAX_OVERFLOW at least 0."
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
        return cls(
            url=url,
            schema=env.get("DB_SCHEMA") or DEFAULT_SCHEMA,
            pool_size=_whole(env, "ARGUS_DB_POOL_SIZE", DEFAULT_POOL_SIZE),
            max_overflow=_whole(env, "ARGUS_DB_MAX_OVERFLOW", DEFAULT_MAX_OVERFLOW),
        )


def _whole(env: Mapping[str, str], name: str, default: int) -> int:
    value = env.get(name, "").strip()
    if not value:
        return default
    try:
        return int(value)
    except ValueError:
        raise ValueError(f"{name} must be a whole number (got {value!r}).") from None
