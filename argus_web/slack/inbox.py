"""What Argus does with what Slack sends, whichever way it came (HTTP or Socket Mode).

Each method answers within Slack's three seconds: a report is only recorded and its job
queued (see :class:`~argus_core.usecases.intake.IntakeService`); a button click or a
modal is decided at once (a database write, no call to an LLM). Each returns the body of
the acknowledgement (None for an empty one).

Interactive payloads are routed by kind to the handler tables of a :class:`SlackRoutes`
(assembled in :mod:`argus_web.slack.handlers`), so features add handlers without
touching the routing:

- ``block_actions``: by ``action_id`` (:data:`ActionHandler`),
- ``view_submission``: by the view's ``callback_id`` (:data:`ViewHandler`),
- ``shortcut`` / ``message_action``: by ``callback_id`` (:data:`ShortcutHandler`),
- slash commands: by command name (:data:`CommandHandler`).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from slack_sdk.web.async_client import AsyncWebClient

from argus_adapters.slack.directory import SlackDirectory
from argus_adapters.slack.events import intake_of
from argus_core.domain.errors import Unavailable
from argus_core.domain.people import Actor
from argus_core.usecases.identity import IdentityService
from argus_core.usecases.intake import IntakeService
from argus_core.usecases.issues import IssueService
from argus_core.usecases.teams import TeamService

Payload = Mapping[str, Any]
Answer = dict[str, Any] | None
ActionHandler = Callable[["SlackInbox", Payload, Payload], Awaitable[Answer]]
"""(inbox, whole payload, the clicked action) -> acknowledgement body."""
ViewHandler = Callable[["SlackInbox", Payload], Awaitable[Answer]]
ShortcutHandler = Callable[["SlackInbox", Payload], Awaitable[Answer]]
CommandHandler = Callable[["SlackInbox", Payload], Awaitable[Answer]]


@dataclass(frozen=True)
class SlackRoutes:
    """Which handler answers which interactive payload or command."""

    actions: Mapping[str, ActionHandler] = field(default_factory=dict)
    views: Mapping[str, ViewHandler] = field(default_factory=dict)
    shortcuts: Mapping[str, ShortcutHandler] = field(default_factory=dict)
    commands: Mapping[str, CommandHandler] = field(default_factory=dict)


class SlackInbox:
    """Events, interactions and slash commands from Slack; the handlers reach the use
    cases through it (one request scope per delivery)."""

    def __init__(
        self,
        intake: IntakeService,
        routes: SlackRoutes,
        *,
        issues: IssueService | None = None,
        identity: IdentityService | None = None,
        teams: TeamService | None = None,
        client: AsyncWebClient | None = None,
        directory: SlackDirectory | None = None,
    ) -> None:
        """The use cases, Slack's Web API ``client`` (``views.open``, ephemeral answers)
        and its ``directory`` (who a user is) are what the handlers reach through it."""
        self.intake = intake
        self.routes = routes
        self.issues = issues
        self.identity = identity
        self.teams = teams
        self.client = client
        self.directory = directory

    async def actor(self, user_id: str) -> Actor:
        """The Slack user as Argus's policy sees them: their member rows by Slack id and
        by the email Slack gives (a viewer without any), admin per ``ADMIN_EMAILS``.
        When Slack cannot say who they are now, the Slack id alone decides."""
        if self.identity is None:
            raise Unavailable("Slack interactions need the identity service.")
        person = None
        if self.directory is not None:
            try:
                person = await self.directory.person(user_id)
            except Unavailable:
                person = None
        return await self.identity.actor_for_chat_user(
            user_id, person.email if person else None, person.name if person else None
        )

    async def event(self, envelope: Payload) -> Answer:
        """An Events API envelope: the URL check is answered; mentions are taken in."""
        if envelope.get("type") == "url_verification":
            return {"challenge": str(envelope.get("challenge") or "")}
        taken = intake_of(envelope)
        if taken is not None:
            await self.intake.receive(*taken)
        return None

    async def interaction(self, payload: Payload) -> Answer:
        """A button click, a modal submitted, a shortcut: routed to its handler."""
        kind = payload.get("type")
        if kind == "block_actions":
            answer: Answer = None
            for action in payload.get("actions") or ():
                clicked = self.routes.actions.get(str(action.get("action_id")))
                if clicked is not None:
                    answer = await clicked(self, payload, action)
            return answer
        if kind == "view_submission":
            view = payload.get("view") or {}
            submitted = self.routes.views.get(str(view.get("callback_id")))
            return await submitted(self, payload) if submitted else None
        if kind in ("shortcut", "message_action"):
            shortcut = self.routes.shortcuts.get(str(payload.get("callback_id")))
            return await shortcut(self, payload) if shortcut else None
        return None

    async def command(self, form: Payload) -> Answer:
        """A slash command (``/argus ...``)."""
        handler = self.routes.commands.get(str(form.get("command") or "").lstrip("/"))
        if handler is None:
            return {"response_type": "ephemeral", "text": "Argus does not know that command."}
        return await handler(self, form)
