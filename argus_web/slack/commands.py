"""``/argus``: ``report`` (a modal), ``mine`` (your open issues) and ``help``.

The command is answered in Slack's three seconds, ephemerally (only the caller sees it):
``report`` opens the modal at once (a ``trigger_id`` lives three seconds) and its
submission is taken in like a mention, through a receipt keyed by the view and an
``intake`` job that opens the issue's thread in the channel the command came from;
``mine`` maps the Slack user to their member rows (by Slack id and by the email Slack
gives) and lists the open issues assigned to them, as ``/api/issues?mine=true`` would.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

import aiohttp
from slack_sdk.errors import SlackApiError

from argus_adapters.slack.blocks import escape
from argus_adapters.slack.reports import REPORT_VIEW, report_view, submitted_report
from argus_core.domain.people import Actor
from argus_core.domain.values import Priority, Status
from argus_core.queries import IssueQuery, IssueSummary
from argus_web.slack.inbox import Answer, CommandHandler, Payload, SlackInbox, ViewHandler

log = logging.getLogger(__name__)

COMMAND = "argus"
MINE_LIMIT = 20
"""At most this many issues in ``/argus mine`` (the dashboard has the rest)."""

USAGE = (
    "*Argus* tracks production issues. Use it like this:\n"
    "• `/argus report [title]`: report an issue with a short form\n"
    "• `/argus mine`: the open issues assigned to you\n"
    "• `/argus help`: this help\n"
    "You can also mention `@Argus` with what is wrong in a channel, or pick "
    "*Track with Argus* in any message's menu to turn that message into an issue."
)
NO_MEMBERSHIP = (
    "Nothing is assigned to you: Argus does not know you as a member of any team yet. "
    "A team's manager can add you on the dashboard."
)
NOTHING_OPEN = "Nothing open is assigned to you. :tada:"


async def argus(inbox: SlackInbox, form: Payload) -> Answer:
    """``/argus <subcommand> ...``."""
    words = str(form.get("text") or "").strip()
    subcommand, _, rest = words.partition(" ")
    subcommand = subcommand.lower()
    if subcommand == "report":
        return await _report(inbox, form, rest.strip())
    if subcommand == "mine":
        return await _mine(inbox, form)
    if subcommand in ("", "help"):
        return _ephemeral(USAGE)
    return _ephemeral(f"Argus does not know `{escape(subcommand)}`.\n\n{USAGE}")


async def report_submitted(inbox: SlackInbox, payload: Payload) -> Answer:
    """The report modal submitted: errors shown in it, or the report received (its
    receipt and job stored before Slack hears back) and the modal closed."""
    submitted = submitted_report(payload)
    if submitted is None:
        return None
    if submitted.errors:
        return {"response_action": "errors", "errors": submitted.errors}
    await inbox.intake.receive(submitted.receipt, submitted.payload)
    return None


COMMANDS: Mapping[str, CommandHandler] = {COMMAND: argus}
VIEWS: Mapping[str, ViewHandler] = {REPORT_VIEW: report_submitted}


async def _report(inbox: SlackInbox, form: Payload, title: str) -> Answer:
    trigger_id, channel_id = form.get("trigger_id"), form.get("channel_id")
    if inbox.client is None or inbox.teams is None:
        return _ephemeral("Argus cannot open forms here: Slack is not fully configured.")
    if not isinstance(trigger_id, str) or not isinstance(channel_id, str):
        return _ephemeral("Slack sent this command without what a form needs; try again.")
    teams = await inbox.teams.list(Actor.system())
    try:
        await inbox.client.views_open(
            trigger_id=trigger_id, view=report_view(list(teams), channel_id, title)
        )
    except (SlackApiError, TimeoutError, aiohttp.ClientError) as exc:
        log.warning("views.open failed for /argus report: %s", exc)
        return _ephemeral("Slack did not open the form; please try again.")
    return None


async def _mine(inbox: SlackInbox, form: Payload) -> Answer:
    user_id = form.get("user_id")
    if inbox.issues is None or not isinstance(user_id, str):
        return _ephemeral("Argus cannot look that up here.")
    actor = await inbox.actor(user_id)
    if not actor.member_ids:
        return _ephemeral(NO_MEMBERSHIP)
    found: list[IssueSummary] = []
    total = 0
    for status in (Status.IN_PROGRESS, Status.OPEN):
        query = IssueQuery(status=status, assignee_ids=actor.member_ids, per_page=MINE_LIMIT)
        page = await inbox.issues.list(actor, query)
        found.extend(page.items)
        total += page.total
    if not found:
        return _ephemeral(NOTHING_OPEN)
    urgency = list(Priority)
    found.sort(key=lambda i: (urgency.index(i.priority), -i.number))
    shown = found[:MINE_LIMIT]
    base = inbox.intake.public_url
    lines = [
        f"• <{base}/issues/{i.id}|#{i.number}> {escape(i.title)} "
        f"({i.priority.value}, {i.status.value.replace('_', ' ')})"
        for i in shown
    ]
    heading = f"*Your open issues ({total}):*" if total > 1 else "*Your open issue:*"
    if total > len(shown):
        lines.append(f"…and {total - len(shown)} more on <{base}/issues?mine=true|the dashboard>.")
    return _ephemeral("\n".join([heading, *lines]))


def _ephemeral(text: str) -> dict[str, str]:
    return {"response_type": "ephemeral", "text": text}
