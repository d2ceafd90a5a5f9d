"""The real clock."""

from __future__ import annotations

from datetime import UTC, datetime


class SystemClock:
    """Reads the system time, in UTC."""

    def now(self) -> datetime:
        """Now, in UTC."""
        return datetime.now(UTC)
