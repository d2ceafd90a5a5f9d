"""Errors the use cases raise; the web layer maps each to one HTTP status."""

from __future__ import annotations


class ArgusError(Exception):
    """Base of every domain error; ``message`` is safe to show to the user."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotFound(ArgusError):
    """The thing asked for does not exist (HTTP 404)."""


class PermissionDenied(ArgusError):
    """The policy refuses the action; nothing was changed (HTTP 403)."""


class InvalidInput(ArgusError):
    """The request is malformed or breaks a rule of the domain (HTTP 400/422)."""


class Conflict(ArgusError):
    """The action clashes with the current state, e.g. a transition (HTTP 409)."""


class Unavailable(ArgusError):
    """A service Argus depends on did not answer; try again later (HTTP 503)."""


class NoProviderAnswered(ArgusError):
    """Every provider of a fallback chain failed, timed out or answered nothing."""
