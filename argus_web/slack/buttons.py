"""The card's buttons: Acknowledge, Resolve and Reassign, each under the API's role policy.

The clicking Slack user becomes an :class:`~argus_core.domain.people.Actor` (their
member rows by Slack id and by email; a viewer without any), and the same use cases as
the API decide. A refusal, a conflict or a stale card is answered ephemerally, to that
user only, in the card's thread; nothing changes. Resolve and Reassign first check the
policy, then open their modal at once (a ``trigger_id`` lives three seconds), so nobody
fills in a form only to be refused. What a change makes Argus say in the thread still
comes from the outbox's notify jobs, like any other change.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Mapping
from typing import Any

import aiohttp
import msgspec
from slack_sdk.errors import SlackApiError

from argus_adapters.slack.blocks import ACKNOWLEDGE, REASSIGN, RESOLVE
from argus_adapters.slack.views import Pick, Where, reassign_view, resolve_view
from argus_core.domain.errors import (
    Conflict,
    InvalidInput,
    NotFound,
    PermissionDenied,
    Unavailable,
)
from argus_core.domain.issue import Issue
from argus_core.domain.people import Actor
from argus_core.domain.values import Status
from argus_core.policy import Action
from argus_core.usecases.issues import IssueService
from argus_core.usecases.teams import TeamService
from argus_web.slack.inbox import ActionHandler, Answer, Payload, SlackInbox

log = logging.getLogger(__name__)

REFUSED = (PermissionDenied, Conflict, InvalidInput, NotFound)
"""What a use case says when it will not do what was asked; answered, never a 500."""


class Click(msgspec.Struct, frozen=True, kw_only=True):
    """One click on a card's button: who, on which issue, where, and its trigger."""

    user_id: str
    issue_id: uuid.UUID
    channel_id: str | None = None
    thread_ts: str | None = None
    trigger_id: str | None = None

    @property
    def where(self) -> Where:
        return Where(issue_id=self.issue_id, channel_id=self.channel_id, thread_ts=self.thread_ts)


def click_of(payload: Payload, action: Payload) -> Click | None:
    """The click a ``block_actions`` payload describes, or None if it names no issue."""
    user = _mapping(payload.get("user"))
    try:
        issue_id = uuid.UUID(str(action.get("value")))
    except ValueError:
        return None
    if not isinstance(user.get("id"), str):
        return None
    channel = _mapping(payload.get("channel"))
    container = _mapping(payload.get("container"))
    message = _mapping(payload.get("message"))
    # The card is a reply: its thread is the issue's (where an answer belongs).
    thread = message.get("thread_ts") or container.get("thread_ts") or message.get("ts")
    channel_id = channel.get("id") or container.get("channel_id")
    trigger = payload.get("trigger_id")
    return Click(
        user_id=user["id"],
        issue_id=issue_id,
        channel_id=str(channel_id) if channel_id else None,
        thread_ts=str(thread) if thread else None,
        trigger_id=str(trigger) if trigger else None,
    )


async def _clicked(
    inbox: SlackInbox,
    payload: Payload,
    action: Payload,
    wanted: Action,
    applies: Callable[[Issue], bool],
) -> tuple[Click, Actor, Issue] | None:
    """The click, who made it and its issue, when the policy lets them do ``wanted`` and
    the issue is still in a state it ``applies`` to; otherwise they are told why."""
    click = click_of(payload, action)
    if click is None:
        return None
    actor = await inbox.actor(click.user_id)
    try:
        issue = await issues_of(inbox).check(actor, click.issue_id, wanted)
    except REFUSED as refused:
        await tell(inbox, click, str(refused))
        return None
    if not applies(issue):
        await tell(inbox, click, f"{_ref(issue)} is {_status(issue)} already.")
        return None
    return click, actor, issue


def _is_open(issue: Issue) -> bool:
    return issue.status is Status.OPEN


def _is_active(issue: Issue) -> bool:
    return issue.status.is_active


async def acknowledge(inbox: SlackInbox, payload: Payload, action: Payload) -> Answer:
    """Acknowledge: the issue becomes in progress (assignees, its managers, admins)."""
    found = await _clicked(inbox, payload, action, Action.CHANGE_STATUS, _is_open)
    if found is None:
        return None
    click, actor, _ = found
    try:
        await issues_of(inbox).change_status(actor, click.issue_id, Status.IN_PROGRESS)
    except REFUSED as refused:
        await tell(inbox, click, str(refused))
    return None


async def resolve(inbox: SlackInbox, payload: Payload, action: Payload) -> Answer:
    """Resolve: open "How was this fixed?" for those who may resolve."""
    found = await _clicked(inbox, payload, action, Action.RESOLVE, _is_active)
    if found is not None:
        click, _, issue = found
        await open_view(inbox, click, resolve_view(issue, click.where))
    return None


async def reassign(inbox: SlackInbox, payload: Payload, action: Payload) -> Answer:
    """Reassign: open the member picker for the issue's team managers and admins."""
    found = await _clicked(inbox, payload, action, Action.REASSIGN, _is_active)
    if found is None:
        return None
    click, actor, issue = found
    try:
        assignable = await _teams(inbox).assignable(actor)
    except REFUSED as refused:
        await tell(inbox, click, str(refused))
        return None
    if not assignable:
        await tell(inbox, click, "Nobody can be assigned yet: add people to a team first.")
        return None
    picks = [Pick(member_id=a.id, name=a.name, team_name=a.team_name) for a in assignable]
    team_name = next((a.team_name for a in assignable if a.team_id == issue.team_id), None)
    await open_view(inbox, click, reassign_view(issue, picks, click.where, team_name=team_name))
    return None


BUTTONS: Mapping[str, ActionHandler] = {
    ACKNOWLEDGE: acknowledge,
    RESOLVE: resolve,
    REASSIGN: reassign,
}
"""The card's buttons by ``action_id``."""


async def tell(inbox: SlackInbox, click: Click, text: str) -> None:
    """Answer the clicking user alone, in the card's thread; a Slack failure is logged
    (the answer is a courtesy: nothing changed either way)."""
    if inbox.client is None or click.channel_id is None:
        return
    try:
        await inbox.client.chat_postEphemeral(
            channel=click.channel_id, user=click.user_id, text=text, thread_ts=click.thread_ts
        )
    except (SlackApiError, TimeoutError, aiohttp.ClientError):
        log.warning("could not answer %s in Slack", click.user_id, exc_info=True)


async def open_view(inbox: SlackInbox, click: Click, view: dict[str, Any]) -> None:
    """Open a modal for the click (within its trigger's three seconds)."""
    if inbox.client is None or click.trigger_id is None:
        return
    try:
        await inbox.client.views_open(trigger_id=click.trigger_id, view=view)
    except (SlackApiError, TimeoutError, aiohttp.ClientError):
        log.warning("Slack did not open a modal for %s", click.user_id, exc_info=True)
        await tell(inbox, click, "Slack could not open the form in time; click the button again.")


def issues_of(inbox: SlackInbox) -> IssueService:
    """The issue use cases the inbox was given."""
    if inbox.issues is None:
        raise Unavailable("Slack buttons need the issue service.")
    return inbox.issues


def _teams(inbox: SlackInbox) -> TeamService:
    if inbox.teams is None:
        raise Unavailable("Slack buttons need the team service.")
    return inbox.teams


def _ref(issue: Issue) -> str:
    return f"#{issue.number} {issue.title}"


def _status(issue: Issue) -> str:
    return issue.status.value.replace("_", " ")


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}
