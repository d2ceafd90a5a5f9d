"""The card in a real thread, and its buttons and modals per role, over ``/slack/interactions``.

The app runs with its embedded job runner on SQLite and PostgreSQL, Slack is the fake
Web API on 127.0.0.1, and every interaction is signed with the signing secret as Slack
signs it. The people are the role world's (tests/web/roles_world.py): Slack's
``users.info`` gives each one's email, which is how a click maps to their member rows.
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlencode

import pytest
from dishka import AsyncContainer
from litestar import Litestar
from litestar.testing import AsyncTestClient
from slack_sdk.signature import SignatureVerifier

from argus_adapters.slack.blocks import ACKNOWLEDGE, PRIORITY_COLOURS, REASSIGN, RESOLVE
from argus_adapters.slack.views import REASSIGN_VIEW, RESOLVE_VIEW
from argus_adapters.sql.settings import DatabaseSettings
from argus_core.domain.issue import Issue, SlackRef
from argus_core.domain.people import Actor
from argus_core.domain.values import Priority, Source
from argus_core.usecases.issues import IssueService, NewIssue
from argus_web.app import create_app
from argus_web.container import make_container
from argus_web.settings import SlackSettings
from tests.fake_slack import FakeMessage, FakeSlack
from tests.web import roles_world as refusals
from tests.web.conftest import ADMIN, Api, web_settings
from tests.web.roles_world import (
    CLOSE,
    MARIA,
    OMAR,
    PRIYA,
    SAM,
    STATUS,
    VIC,
    World,
    build_world,
    snapshot,
)

T = TypeVar("T")
SECRET = "argus-card-test-signing-secret"
CHANNEL = "C0INCIDENTS"
SLACK_IDS = {
    ADMIN: "U0ADMIN",
    MARIA: "U0MARIA",
    PRIYA: "U0PRIYA",
    OMAR: "U0OMAR",
    SAM: "U0SAM",
    VIC: "U0VIC",
}
STRANGER = "U0STRANGER"  # in the workspace, unknown to Slack's users.info here


@dataclass
class Desk:
    """The app, its container, the fake Slack and the role world."""

    client: AsyncTestClient[Litestar]
    container: AsyncContainer
    fake: FakeSlack
    world: World

    @property
    def issue(self) -> str:
        return self.world.ids["issue"]

    async def interact(self, payload: dict[str, Any], *, secret: str = SECRET) -> Any:
        body = urlencode({"payload": json.dumps(payload)}).encode()
        stamp = str(int(time.time()))
        signature = SignatureVerifier(secret).generate_signature(timestamp=stamp, body=body)
        assert signature is not None
        return await self.client.post(
            "/slack/interactions",
            content=body,
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "X-Slack-Request-Timestamp": stamp,
                "X-Slack-Signature": signature,
            },
        )

    async def click(
        self, email: str | None, action_id: str, issue_id: str, *, user_id: str | None = None
    ) -> Any:
        """``email``'s click on a card's button (answered 200 with no body)."""
        user = user_id or SLACK_IDS[str(email)]
        response = await self.interact(click_payload(user, action_id, issue_id))
        assert response.status_code == 200, response.text
        assert response.content == b""
        return response

    async def submit(self, email: str, view: dict[str, Any], values: dict[str, Any]) -> Any:
        """``email`` submits the modal Argus opened (``view``) with ``values``."""
        payload = {
            "type": "view_submission",
            "team": {"id": "T0ARGUS"},
            "user": {"id": SLACK_IDS[email], "team_id": "T0ARGUS"},
            "api_app_id": "A0ARGUS",
            "trigger_id": "1.2.submit",
            "view": {**view, "state": {"values": values}},
        }
        response = await self.interact(payload)
        assert response.status_code == 200, response.text
        return response.json() if response.content else None

    async def issue_json(self, issue_id: str | None = None) -> dict[str, Any]:
        return await self.world.api.ok("GET", f"/api/issues/{issue_id or self.issue}")

    async def report_in_slack(self, title: str, *, team: str | None = "payments") -> Issue:
        """An issue reported in the channel (as the intake would open it), opened on the
        app's own event loop (its database connections live there)."""
        ts = self.fake.add_message(CHANNEL, title)
        new = NewIssue(
            title=title,
            team_id=uuid.UUID(self.world.ids[team]) if team else None,
            source=Source.SLACK,
            slack=SlackRef(channel_id=CHANNEL, thread_ts=ts, message_ts=ts),
        )

        async def report() -> Issue:
            async with self.container() as scope:
                return await (await scope.get(IssueService)).report(Actor.system(), new)

        return await asyncio.to_thread(self.client.blocking_portal.call, report)


def click_payload(user_id: str, action_id: str, issue_id: str) -> dict[str, Any]:
    """A ``block_actions`` payload as Slack sends it for a button on the card."""
    card_ts, thread_ts = "1700000000.000200", "1700000000.000100"
    return {
        "type": "block_actions",
        "user": {"id": user_id, "username": user_id.lower(), "team_id": "T0ARGUS"},
        "api_app_id": "A0ARGUS",
        "token": "legacy",
        "container": {
            "type": "message",
            "message_ts": card_ts,
            "channel_id": CHANNEL,
            "is_ephemeral": False,
            "thread_ts": thread_ts,
        },
        "trigger_id": f"{uuid.uuid4().int % 10**12}.1.{uuid.uuid4().hex}",
        "team": {"id": "T0ARGUS", "domain": "argus-test"},
        "channel": {"id": CHANNEL, "name": "incidents"},
        "message": {"type": "message", "ts": card_ts, "thread_ts": thread_ts, "text": "card"},
        "response_url": "https://hooks.slack.com/actions/T0ARGUS/1/abc",
        "actions": [
            {
                "type": "button",
                "action_id": action_id,
                "block_id": "argus_card_actions",
                "text": {"type": "plain_text", "text": action_id},
                "value": issue_id,
                "action_ts": "1700000001.000000",
            }
        ],
    }


def selected(value: str) -> dict[str, Any]:
    return {"selected_option": {"text": {"type": "plain_text", "text": value}, "value": value}}


def resolution(
    reason: str | None, *, template: str | None = None, outcome: str = "resolve"
) -> dict[str, Any]:
    values: dict[str, Any] = {
        "outcome": {"outcome": {"type": "radio_buttons", **selected(outcome)}},
        "reason": {"reason": {"type": "plain_text_input", "value": reason}},
        "template": {"template": {"type": "static_select", "selected_option": None}},
    }
    if template:
        values["template"]["template"] = {"type": "static_select", **selected(template)}
    return values


def picked(*member_ids: str) -> dict[str, Any]:
    options = [{"text": {"type": "plain_text", "text": m}, "value": m} for m in member_ids]
    return {
        "assignees": {"assignees": {"type": "multi_static_select", "selected_options": options}}
    }


async def eventually(check: Callable[[], Awaitable[T] | T], what: str, within: float = 10) -> T:
    deadline = time.monotonic() + within
    while True:
        found = check()
        if asyncio.iscoroutine(found):
            found = await found
        if found:
            return found  # type: ignore[return-value]
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what} ({found!r})")
        await asyncio.sleep(0.05)


@pytest.fixture
def fake_slack() -> Iterator[FakeSlack]:
    with FakeSlack() as fake:
        for email, user_id in SLACK_IDS.items():
            fake.add_user(user_id, email.split("@")[0].capitalize(), email=email)
        yield fake


@pytest.fixture
async def desk(
    database: DatabaseSettings, static_dir: Path, fake_slack: FakeSlack
) -> AsyncIterator[Desk]:
    slack = SlackSettings(
        bot_token=fake_slack.token, api_url=fake_slack.base_url, signing_secret=SECRET
    )
    settings = web_settings(database, static_dir, slack=slack)
    container = make_container(settings)
    async with AsyncTestClient(create_app(settings, container=container, background=True)) as c:
        world = await build_world(Api(c, settings))
        desk = Desk(c, container, fake_slack, world)

        async def analysed() -> bool:  # the issue's analysis runs in the background
            rca = (await desk.issue_json())["ai_rca"]
            return rca is not None and rca["status"] in ("completed", "failed")

        await eventually(analysed, "the world issue's analysis to settle")
        yield desk


def ephemerals_to(fake: FakeSlack, user_id: str) -> list[str]:
    return [e["text"] for e in fake.ephemerals if e["user"] == user_id]


def card_posts(fake: FakeSlack, issue_id: uuid.UUID) -> list[FakeMessage]:
    return [p for p in fake.posts if p.idempotency_key == f"card:{issue_id}"]


def card_sent(fake: FakeSlack, issue_id: uuid.UUID) -> dict[str, Any]:
    """The latest card content sent (posted or updated) for the issue."""
    posted = [
        c for c in fake.calls_to("chat.postMessage")
        if (c.get("metadata") or {}).get("event_payload", {}).get("idempotency_key")
        == f"card:{issue_id}"
    ]  # fmt: skip
    [card] = card_posts(fake, issue_id)
    updated = [c for c in fake.calls_to("chat.update") if c.get("ts") == card.ts]
    return (posted + updated)[-1]


def buttons_of(sent: dict[str, Any]) -> list[str]:
    [attachment] = sent["attachments"]
    return [e["action_id"] for b in attachment["blocks"] if b["type"] == "actions"
            for e in b["elements"]]  # fmt: skip


# --------------------------------------------------------------------------- the card


async def test_the_card_is_posted_once_and_follows_the_issue(desk: Desk) -> None:
    await desk.world.api.ok(
        "PATCH", f"/api/members/{desk.world.ids['omar']}", json={"slack_user_id": "U0OMAR"}
    )
    issue = await desk.report_in_slack("Checkout is down")  # Omar has the lightest load
    fake = desk.fake
    await eventually(lambda: card_posts(fake, issue.id), "the card")
    [card] = card_posts(fake, issue.id)
    assert card.thread_ts == issue.slack.thread_ts  # type: ignore[union-attr]
    sent = card_sent(fake, issue.id)
    assert sent["attachments"][0]["color"] == PRIORITY_COLOURS[Priority.MEDIUM]
    await eventually(lambda: "<@U0OMAR>" in card_sent(fake, issue.id)["text"], "the assignee")
    sent = card_sent(fake, issue.id)
    assert f"/issues/{issue.id}" in sent["text"]
    assert "Payments" in sent["text"]
    assert buttons_of(sent) == [ACKNOWLEDGE, RESOLVE, REASSIGN]

    await desk.click(OMAR, ACKNOWLEDGE, str(issue.id))
    assert (await desk.issue_json(str(issue.id)))["status"] == "in_progress"
    await eventually(lambda: "in progress" in card_sent(fake, issue.id)["text"], "in progress")
    assert buttons_of(card_sent(fake, issue.id)) == [RESOLVE, REASSIGN]

    await desk.click(OMAR, RESOLVE, str(issue.id))
    [view] = fake.views
    assert await desk.submit(OMAR, view, resolution(None, template="Config change")) is None
    await eventually(lambda: "resolved" in card_sent(fake, issue.id)["text"], "resolved")
    assert buttons_of(card_sent(fake, issue.id)) == []
    assert "Config change" in json.dumps(card_sent(fake, issue.id)["attachments"])

    def thread() -> list[str]:
        return [m.text for m in fake.messages_in(CHANNEL, card.thread_ts)]

    # The short messages still come, after the card (the first reply).
    await eventually(lambda: any("Reason: Config change" in t for t in thread()), "resolved")
    assert any("in_progress by Omar" in t for t in thread())
    assert [m.ts for m in fake.messages_in(CHANNEL, card.thread_ts)][1] == card.ts
    assert len(card_posts(fake, issue.id)) == 1  # one card, updated in place


async def test_a_report_waiting_for_triage_is_carded_at_once_then_completed(desk: Desk) -> None:
    issue = await desk.report_in_slack("Refunds fail for some merchants", team=None)
    fake = desk.fake
    await eventually(lambda: card_posts(fake, issue.id), "the card")
    await eventually(
        lambda: "triaging" not in card_sent(fake, issue.id)["text"], "the triaged card"
    )
    assert len(card_posts(fake, issue.id)) == 1
    [card] = card_posts(fake, issue.id)
    thread = [m for m in fake.messages_in(CHANNEL, card.thread_ts) if m.ts != card.thread_ts]
    assert not any(m.text.startswith("Tracking") for m in thread if m.ts != card.ts)


async def test_a_muted_issue_keeps_its_card_current_and_posts_nothing_new(desk: Desk) -> None:
    issue = await desk.report_in_slack("Checkout is slow")
    fake = desk.fake

    def assigned() -> bool:
        shown = card_posts(fake, issue.id) and card_sent(fake, issue.id)["text"]
        return bool(shown) and "nobody" not in str(shown)

    await eventually(assigned, "the card naming its assignee")
    await asyncio.sleep(1.5)  # any reply of the report's events lands (one post a second)
    await desk.world.api.ok("PATCH", f"/api/issues/{issue.id}", json={"notifications_muted": True})
    await asyncio.sleep(0.5)  # the mute's own notification says nothing: the issue is muted
    posts = len(fake.posts)
    await desk.world.api.ok("PATCH", f"/api/issues/{issue.id}", json={"status": "in_progress"})
    await eventually(lambda: "in progress" in card_sent(fake, issue.id)["text"], "in progress")
    await asyncio.sleep(1.5)  # a status message would follow the card within a paced second
    assert len(fake.posts) == posts


# --------------------------------------------------------------------------- buttons


async def test_an_assignee_acknowledges(desk: Desk) -> None:
    await desk.click(PRIYA, ACKNOWLEDGE, desk.issue)
    assert (await desk.issue_json())["status"] == "in_progress"
    assert desk.fake.ephemerals == []


@pytest.mark.parametrize(
    ("who", "user_id"),
    [(VIC, None), (OMAR, None), (None, STRANGER)],
    ids=["viewer", "other_agent", "unknown_to_slack"],
)
async def test_others_are_refused_ephemerally_and_nothing_changes(
    desk: Desk, who: str | None, user_id: str | None
) -> None:
    before = await snapshot(desk.world)
    slack_id = user_id or SLACK_IDS[str(who)]
    for action_id, reason in ((ACKNOWLEDGE, STATUS), (RESOLVE, refusals.RESOLVE)):
        await desk.click(who, action_id, desk.issue, user_id=user_id)
        [said] = ephemerals_to(desk.fake, slack_id)
        assert reason in said
        desk.fake.ephemerals.clear()
    assert desk.fake.views == []  # no form to fill in for nothing
    answer = desk.fake.calls_to("chat.postEphemeral")[0]
    assert (answer["channel"], answer["thread_ts"]) == (CHANNEL, "1700000000.000100")
    assert await snapshot(desk.world) == before


async def test_an_assignee_resolves_through_the_modal(desk: Desk) -> None:
    await desk.click(PRIYA, RESOLVE, desk.issue)
    [view] = desk.fake.views
    assert view["callback_id"] == RESOLVE_VIEW
    assert "Fixed in production" in json.dumps(view["blocks"])
    [opened] = desk.fake.calls_to("views.open")
    assert opened["trigger_id"]

    values = resolution("v1.4 leaked connections", template="Rolled back the deploy")
    answer = await desk.submit(PRIYA, view, values)

    assert answer is None  # the modal closes
    issue = await desk.issue_json()
    assert issue["status"] == "resolved"
    assert issue["resolution_reason"] == "Rolled back the deploy: v1.4 leaked connections"


async def test_an_empty_reason_keeps_the_modal_open_with_an_error(desk: Desk) -> None:
    await desk.click(PRIYA, RESOLVE, desk.issue)
    [view] = desk.fake.views
    before = await snapshot(desk.world)
    for blank in (None, "   "):
        answer = await desk.submit(PRIYA, view, resolution(blank))
        assert answer["response_action"] == "errors"
        assert "how it was fixed" in answer["errors"]["reason"]
    assert await snapshot(desk.world) == before


async def test_an_agent_may_not_close_and_a_viewer_may_not_submit(desk: Desk) -> None:
    await desk.click(PRIYA, RESOLVE, desk.issue)
    [view] = desk.fake.views
    before = await snapshot(desk.world)

    closing = await desk.submit(PRIYA, view, resolution("dup", outcome="close"))
    forged = await desk.submit(VIC, view, resolution("not mine"))  # a modal passed around

    assert closing["response_action"] == "errors"
    assert CLOSE in closing["errors"]["outcome"]
    assert refusals.RESOLVE in forged["errors"]["outcome"]
    assert await snapshot(desk.world) == before


async def test_a_manager_reassigns_within_the_team(desk: Desk) -> None:
    await desk.click(MARIA, REASSIGN, desk.issue)
    [view] = desk.fake.views
    assert view["callback_id"] == REASSIGN_VIEW
    [element] = [b["element"] for b in view["blocks"] if b["type"] == "input"]
    groups = [g["label"]["text"] for g in element["option_groups"]]
    assert groups[0] == "Payments"  # the issue's team first
    assert [o["value"] for o in element["initial_options"]] == [desk.world.ids["priya"]]

    assert await desk.submit(MARIA, view, picked(desk.world.ids["omar"])) is None

    issue = await desk.issue_json()
    assert [a["id"] for a in issue["assignees"]] == [desk.world.ids["omar"]]


async def test_an_agent_may_not_reassign(desk: Desk) -> None:
    before = await snapshot(desk.world)
    await desk.click(PRIYA, REASSIGN, desk.issue)
    [said] = ephemerals_to(desk.fake, SLACK_IDS[PRIYA])
    assert refusals.REASSIGN in said
    assert desk.fake.views == []
    assert await snapshot(desk.world) == before


async def test_an_admin_hands_the_issue_to_another_team_and_closes_it(desk: Desk) -> None:
    await desk.click(ADMIN, REASSIGN, desk.issue)
    [view] = desk.fake.views
    assert await desk.submit(ADMIN, view, picked(desk.world.ids["sam"])) is None
    issue = await desk.issue_json()
    assert (issue["team_id"], issue["assigned_to"]) == (
        desk.world.ids["search"],
        desk.world.ids["sam"],
    )

    await desk.click(ADMIN, RESOLVE, desk.issue)
    close = desk.fake.views[-1]
    assert await desk.submit(ADMIN, close, resolution("Reported twice", outcome="close")) is None
    issue = await desk.issue_json()
    assert (issue["status"], issue["close_reason"]) == ("closed", "Reported twice")

    await desk.click(ADMIN, ACKNOWLEDGE, desk.issue)  # a stale card's button
    [said] = ephemerals_to(desk.fake, SLACK_IDS[ADMIN])
    assert "closed already" in said


async def test_a_pick_across_teams_or_of_nobody_is_an_error(desk: Desk) -> None:
    await desk.click(MARIA, REASSIGN, desk.issue)
    [view] = desk.fake.views
    before = await snapshot(desk.world)
    ids = desk.world.ids

    across = await desk.submit(MARIA, view, picked(ids["omar"], ids["sam"]))
    nobody = await desk.submit(MARIA, view, picked())

    assert "one team" in across["errors"]["assignees"]
    assert "at least one" in nobody["errors"]["assignees"]
    assert await snapshot(desk.world) == before


# --------------------------------------------------------------------------- the endpoint


async def test_an_unsigned_or_badly_signed_interaction_is_401(desk: Desk) -> None:
    before = await snapshot(desk.world)
    payload = click_payload(SLACK_IDS[PRIYA], ACKNOWLEDGE, desk.issue)
    forged = await desk.interact(payload, secret="someone-elses-secret")
    unsigned = await desk.client.post(
        "/slack/interactions",
        content=urlencode({"payload": json.dumps(payload)}).encode(),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert (forged.status_code, unsigned.status_code) == (401, 401)
    assert await snapshot(desk.world) == before


async def test_a_signed_body_without_a_payload_is_a_400(desk: Desk) -> None:
    body = b"nothing=here"
    stamp = str(int(time.time()))
    signature = SignatureVerifier(SECRET).generate_signature(timestamp=stamp, body=body)
    response = await desk.client.post(
        "/slack/interactions",
        content=body,
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "X-Slack-Request-Timestamp": stamp,
            "X-Slack-Signature": str(signature),
        },
    )
    assert response.status_code == 400
