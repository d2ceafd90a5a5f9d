"""The card's modals submitted: resolve (or close) with a reason, and reassign.

Whoever submits is mapped to an actor again (roles as they are now, not as they were
when the modal opened) and the use case decides. Anything it will not do, bad input or
a refusal alike, is answered with ``response_action: errors`` under the block concerned:
the modal stays open with the reason, and nothing changes. An empty answer closes it.
"""

from __future__ import annotations

from collections.abc import Mapping

from argus_adapters.slack.views import (
    ASSIGNEES_BLOCK,
    CLOSE,
    OUTCOME_BLOCK,
    REASON_BLOCK,
    REASSIGN_VIEW,
    RESOLVE_VIEW,
    assignees_of,
    resolution_of,
    where_of,
)
from argus_core.domain.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from argus_web.slack.buttons import issues_of
from argus_web.slack.inbox import Answer, Payload, SlackInbox, ViewHandler

NO_REASON = "Say how it was fixed: pick a quick answer, write a few words, or both."
NO_ONE = "Pick at least one person to assign."
STALE = "This form is out of date: open it again from the issue's card."


def errors(block_id: str, message: str) -> dict[str, object]:
    """Keep the modal open, showing ``message`` under ``block_id``."""
    return {"response_action": "errors", "errors": {block_id: message}}


async def resolve_submitted(inbox: SlackInbox, payload: Payload) -> Answer:
    """Resolve or close with the reason given; a missing reason is an error."""
    view = _mapping(payload.get("view"))
    where = where_of(view)
    if where is None:
        return errors(OUTCOME_BLOCK, STALE)
    outcome, reason = resolution_of(view)
    if reason is None:
        return errors(REASON_BLOCK, NO_REASON)
    actor = await inbox.actor(_user_id(payload))
    issues = issues_of(inbox)
    try:
        if outcome == CLOSE:
            await issues.close(actor, where.issue_id, reason)
        else:
            await issues.resolve(actor, where.issue_id, reason)
    except InvalidInput as bad:
        return errors(REASON_BLOCK, str(bad))
    except (PermissionDenied, Conflict, NotFound) as refused:
        return errors(OUTCOME_BLOCK, str(refused))
    return None


async def reassign_submitted(inbox: SlackInbox, payload: Payload) -> Answer:
    """Hand the issue to the people picked (moving it to their team if need be)."""
    view = _mapping(payload.get("view"))
    where = where_of(view)
    if where is None:
        return errors(ASSIGNEES_BLOCK, STALE)
    picked = assignees_of(view)
    if not picked:
        return errors(ASSIGNEES_BLOCK, NO_ONE)
    actor = await inbox.actor(_user_id(payload))
    try:
        await issues_of(inbox).hand_over(actor, where.issue_id, picked)
    except (InvalidInput, PermissionDenied, Conflict, NotFound) as refused:
        return errors(ASSIGNEES_BLOCK, str(refused))
    return None


MODALS: Mapping[str, ViewHandler] = {
    RESOLVE_VIEW: resolve_submitted,
    REASSIGN_VIEW: reassign_submitted,
}
"""The card's modals by ``callback_id``."""


def _user_id(payload: Payload) -> str:
    return str(_mapping(payload.get("user")).get("id") or "")


def _mapping(value: object) -> Mapping[str, object]:
    return value if isinstance(value, Mapping) else {}
