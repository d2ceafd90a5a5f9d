"""Enumerations and small values shared by the whole domain."""

from __future__ import annotations

import enum

import msgspec


class Status(enum.StrEnum):
    """Where an issue is in its life."""

    OPEN = "open"
    IN_PROGRESS = "in_progress"
    RESOLVED = "resolved"
    CLOSED = "closed"

    @property
    def is_active(self) -> bool:
        """True while the issue counts towards its assignees' open workload."""
        return self in (Status.OPEN, Status.IN_PROGRESS)


class Priority(enum.StrEnum):
    """How urgent an issue is, most urgent first."""

    CRITICAL = "critical"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"


class Source(enum.StrEnum):
    """Where a report came from."""

    SLACK = "slack"
    WEB = "web"
    API = "api"
    ALERT = "alert"


class MemberRole(enum.StrEnum):
    """A person's role inside one team."""

    MANAGER = "manager"
    AGENT = "agent"


class RcaState(enum.StrEnum):
    """State of an issue's root-cause analysis (wire values of the original API)."""

    INVESTIGATING = "investigating"
    COMPLETED = "completed"
    FAILED = "failed"


DEFAULT_CATEGORIES: tuple[str, ...] = (
    "backend",
    "infrastructure",
    "frontend",
    "database",
    "payments",
    "other",
)

SYSTEM_NAME = "Argus"
"""How changes made by Argus itself (auto-resolve, reminders) are attributed."""

MAX_TITLE_LENGTH = 200
MAX_DESCRIPTION_LENGTH = 20_000
MAX_REASON_LENGTH = 5_000
MAX_NAME_LENGTH = 200
MAX_REMINDER_MINUTES = 366 * 24 * 60
"""A reminder interval longer than a year is a typo (and a huge one overflows time maths)."""


class CategorySet(msgspec.Struct, frozen=True, kw_only=True):
    """The configurable set of categories; the last resort is ``fallback``."""

    names: tuple[str, ...] = DEFAULT_CATEGORIES
    fallback: str = "other"

    def __post_init__(self) -> None:
        if self.fallback not in self.names:
            raise ValueError(f"fallback category {self.fallback!r} is not in {self.names!r}")

    def __contains__(self, name: object) -> bool:
        return name in self.names
