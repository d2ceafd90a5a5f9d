"""Every Slack interaction handler, in one table (see :class:`SlackRoutes`)."""

from __future__ import annotations

from argus_web.slack.buttons import BUTTONS
from argus_web.slack.commands import COMMANDS, VIEWS
from argus_web.slack.inbox import SlackRoutes
from argus_web.slack.modals import MODALS
from argus_web.slack.shortcuts import SHORTCUTS

ROUTES = SlackRoutes(
    actions={**BUTTONS},
    views={**MODALS, **VIEWS},
    shortcuts={**SHORTCUTS},
    commands={**COMMANDS},
)
"""Add each feature's tables here: ``SlackRoutes(actions={**BUTTONS}, ...)``."""
