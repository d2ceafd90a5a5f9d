"""Cleaning and bounding what people type, with errors that say what is wrong."""

from __future__ import annotations

from argus_core.domain.errors import InvalidInput
from argus_core.domain.values import (
    MAX_DESCRIPTION_LENGTH,
    MAX_NAME_LENGTH,
    MAX_REASON_LENGTH,
    MAX_TITLE_LENGTH,
)


def refuse_nul(text: str) -> str:
    """Refuse text with NUL characters, which no database stores alike."""
    if "\x00" in text:
        raise InvalidInput("Text may not contain NUL characters.")
    return text


def clean_title(title: str, *, truncate: bool = False) -> str:
    """Strip a title; refuse a blank one, and truncate or refuse an over-long one."""
    title = " ".join(refuse_nul(title).split())
    if not title:
        raise InvalidInput("The title cannot be empty.")
    if len(title) > MAX_TITLE_LENGTH:
        if not truncate:
            raise InvalidInput(f"The title is longer than {MAX_TITLE_LENGTH} characters.")
        title = title[: MAX_TITLE_LENGTH - 1].rstrip() + "…"
    return title


def clean_description(description: str) -> str:
    """Strip a description and refuse one that is too long to store."""
    description = refuse_nul(description).strip()
    if len(description) > MAX_DESCRIPTION_LENGTH:
        raise InvalidInput(f"The description is longer than {MAX_DESCRIPTION_LENGTH} characters.")
    return description


def clean_reason(reason: str | None, *, question: str) -> str:
    """A resolve or close reason: required, non-blank, bounded."""
    reason = refuse_nul(reason or "").strip()
    if not reason:
        raise InvalidInput(f"A reason is required: {question}")
    if len(reason) > MAX_REASON_LENGTH:
        raise InvalidInput(f"The reason is longer than {MAX_REASON_LENGTH} characters.")
    return reason


def clean_name(name: str, what: str) -> str:
    """A team or member name: whitespace folded, non-blank, bounded."""
    name = " ".join(refuse_nul(name).split())
    if not name:
        raise InvalidInput(f"The {what} name cannot be empty.")
    if len(name) > MAX_NAME_LENGTH:
        raise InvalidInput(f"The {what} name is longer than {MAX_NAME_LENGTH} characters.")
    return name


def clean_email(email: str | None) -> str | None:
    """An email address, lower-cased; None when blank, a clear error when malformed."""
    email = refuse_nul(email or "").strip().lower()
    if not email:
        return None
    local, _, domain = email.partition("@")
    if not local or "." not in domain or " " in email:
        raise InvalidInput(f"{email!r} is not an email address.")
    return email
