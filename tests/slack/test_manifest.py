"""The Slack app manifest asks for exactly the scopes and events Argus's code uses."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from argus_adapters.slack.reports import TRACK_SHORTCUT

ROOT = Path(__file__).resolve().parents[2]
MANIFEST = ROOT / "docs" / "slack-app-manifest.yaml"

SCOPES_OF_METHOD: dict[str, set[str]] = {
    "chat_postMessage": {"chat:write"},
    "chat_update": {"chat:write"},
    "chat_postEphemeral": {"chat:write"},
    "chat_getPermalink": set(),
    "conversations_replies": {"channels:history", "groups:history"},
    "conversations_history": {"channels:history", "groups:history", "im:history"},
    "conversations_open": {"im:write"},
    "conversations_info": {"channels:read", "groups:read"},
    "reactions_add": {"reactions:write"},
    "reactions_remove": {"reactions:write"},
    "users_info": {"users:read", "users:read.email"},
    "views_open": set(),
    "views_update": set(),
}
"""Slack's required bot scopes per Web API method (from each method's reference page)."""
FEATURE_SCOPES = {"app_mentions:read", "commands"}  # the app_mention event; /argus, shortcut


def methods_called() -> set[str]:
    """Every Slack Web API method the adapters and the web layer call."""
    pattern = re.compile(r"\.((?:chat|conversations|reactions|users|views|apps)_\w+)\(")
    found: set[str] = set()
    for package in ("argus_adapters", "argus_web"):
        for path in (ROOT / package).rglob("*.py"):
            found |= set(pattern.findall(path.read_text()))
    return found


def manifest() -> dict[str, Any]:
    loaded = yaml.safe_load(MANIFEST.read_text())
    assert isinstance(loaded, dict)
    return loaded


def test_every_method_called_has_its_scopes_known() -> None:
    unknown = methods_called() - set(SCOPES_OF_METHOD)
    assert not unknown, f"add the scopes of {sorted(unknown)} to SCOPES_OF_METHOD"


def test_the_manifest_asks_for_exactly_the_scopes_used() -> None:
    used = set().union(*(SCOPES_OF_METHOD[m] for m in methods_called())) | FEATURE_SCOPES

    assert set(manifest()["oauth_config"]["scopes"]["bot"]) == used


def test_the_manifest_subscribes_to_mentions_and_names_argus_endpoints() -> None:
    settings = manifest()["settings"]
    features = manifest()["features"]

    assert settings["event_subscriptions"]["bot_events"] == ["app_mention"]
    assert settings["event_subscriptions"]["request_url"].endswith("/slack/events")
    assert settings["interactivity"]["request_url"].endswith("/slack/interactions")
    [command] = features["slash_commands"]
    assert (command["command"], command["url"].rsplit("/", 2)[-2:]) == (
        "/argus",
        ["slack", "commands"],
    )
    [shortcut] = features["shortcuts"]
    assert (shortcut["type"], shortcut["callback_id"]) == ("message", TRACK_SHORTCUT)
