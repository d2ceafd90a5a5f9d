"""``/argus report|mine|help`` and the "Track with Argus" shortcut, over signed HTTP
requests to the app (its embedded job runner running) with a fake Slack Web API."""

from __future__ import annotations

import asyncio
import contextlib
import json
import sqlite3
import time
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest
from litestar.testing import AsyncTestClient
from slack_sdk.signature import SignatureVerifier

from argus_web.app import create_app
from argus_web.settings import SlackSettings
from tests.databases import sqlite_copy
from tests.fake_slack import BOT_USER_ID, TEAM_ID, FakeSlack
from tests.web.conftest import Api, web_settings

SECRET = "commands-test-signing-secret"
CHANNEL = "C0INCIDENTS"
ANA, BEN, VIC, TOM = "U0ANA", "U0BEN", "U0VIC", "U0TOM"
"""Ana is an agent by Slack id, Ben one by email, Vic no member at all, Tom the author."""


def signed(body: bytes, secret: str = SECRET) -> dict[str, str]:
    stamp = str(int(time.time()))
    signature = SignatureVerifier(secret).generate_signature(timestamp=stamp, body=body)
    assert signature is not None
    return {"X-Slack-Request-Timestamp": stamp, "X-Slack-Signature": signature}


class Desk:
    """The app, the fake Slack and the admin API, with Slack's requests at hand."""

    def __init__(self, api: Api, slack: FakeSlack) -> None:
        self.api = api
        self.slack = slack
        self.client = api.client

    async def command(self, text: str, user: str = ANA, **extra: str) -> httpx.Response:
        form = {
            "token": "legacy",
            "team_id": TEAM_ID,
            "team_domain": "argus-test",
            "channel_id": CHANNEL,
            "channel_name": "incidents",
            "user_id": user,
            "user_name": user.lower(),
            "command": "/argus",
            "text": text,
            "api_app_id": "A0ARGUS",
            "response_url": "https://hooks.slack.invalid/commands/1",
            "trigger_id": f"trigger-{time.monotonic_ns()}",
            **extra,
        }
        body = urlencode(form).encode()
        headers = {"Content-Type": "application/x-www-form-urlencoded", **signed(body)}
        return await self.client.post("/slack/commands", content=body, headers=headers)

    async def interaction(self, payload: dict[str, Any]) -> httpx.Response:
        body = urlencode({"payload": json.dumps(payload)}).encode()
        headers = {"Content-Type": "application/x-www-form-urlencoded", **signed(body)}
        return await self.client.post("/slack/interactions", content=body, headers=headers)

    async def issues(self) -> list[dict[str, Any]]:
        page = await self.api.ok("GET", "/api/issues?per_page=100")
        return [await self.api.ok("GET", f"/api/issues/{i['id']}") for i in page["items"]]

    async def eventually(self, check: Callable[[], Any], what: str, within: float = 15) -> Any:
        deadline = time.monotonic() + within
        while not (found := await check()):
            assert time.monotonic() < deadline, f"waited {within}s for {what}"
            await asyncio.sleep(0.05)
        return found


@pytest.fixture
def slack() -> Iterator[FakeSlack]:
    with FakeSlack() as fake:
        fake.add_user(ANA, "Ana Agent", email="ana.slack@example.com")  # not her Argus email
        fake.add_user(BEN, "Ben Builder", email="ben@example.com")
        fake.add_user(VIC, "Vic Viewer", email="viewer@example.com")
        fake.add_user(TOM, "Tom Author", email="tom@example.com")
        fake.add_channel(CHANNEL, "incidents")
        yield fake


@pytest.fixture
async def desk(tmp_path: Path, sqlite_template: Path, slack: FakeSlack) -> AsyncIterator[Desk]:
    settings = web_settings(
        sqlite_copy(sqlite_template, tmp_path),
        tmp_path,
        slack=SlackSettings(bot_token=slack.token, api_url=slack.base_url, signing_secret=SECRET),
        job_retry_delay_seconds=0.2,
    )
    async with AsyncTestClient(create_app(settings, background=True)) as client:
        yield Desk(Api(client, settings), slack)
        await settled(settings.database.url.split("///", 1)[1])


async def settled(db_path: str, within: float = 10) -> None:
    """Let the jobs a test set off (triage, RCA, notifications) finish, so the app stops
    with no job half-way through a database call."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        with contextlib.closing(sqlite3.connect(db_path)) as conn:
            busy = conn.execute("SELECT 1 FROM jobs WHERE status IN ('queued', 'running')")
            if busy.fetchone() is None:
                return
        await asyncio.sleep(0.1)


async def payments(desk: Desk) -> dict[str, Any]:
    """A team with Ana (matched by Slack id) and Ben (matched by Slack's email)."""
    team = await desk.api.ok("POST", "/api/teams", json={"name": "Payments"})
    for member in (
        {"name": "Ana", "email": "ana@example.com", "slack_user_id": ANA},
        {"name": "Ben", "email": "ben@example.com"},
    ):
        await desk.api.ok("POST", f"/api/teams/{team['id']}/members", json=member)
    return team


# ------------------------------------------------------------------ help and signatures


async def test_help_and_an_unknown_subcommand_answer_with_the_usage(desk: Desk) -> None:
    for text in ("help", "", "frobnicate now"):
        response = await desk.command(text)
        assert response.status_code == 200
        body = response.json()
        assert body["response_type"] == "ephemeral"
        assert "`/argus report [title]`" in body["text"]
        assert "`/argus mine`" in body["text"]
    assert "does not know `frobnicate`" in body["text"]


async def test_a_command_with_a_bad_signature_is_refused(desk: Desk) -> None:
    body = urlencode({"command": "/argus", "text": "help", "user_id": ANA}).encode()
    for headers in (signed(body, "another-secret"), {}):
        response = await desk.client.post(
            "/slack/commands",
            content=body,
            headers={"Content-Type": "application/x-www-form-urlencoded", **headers},
        )
        assert response.status_code == 401


async def test_a_signed_body_that_is_no_command_is_bad_input(desk: Desk) -> None:
    for body in (b"text=help&user_id=U0ANA", b"%zz=&&="):
        response = await desk.client.post(
            "/slack/commands",
            content=body,
            headers={"Content-Type": "application/x-www-form-urlencoded", **signed(body)},
        )
        assert 400 <= response.status_code < 500, response.text
        assert response.status_code != 401


# ------------------------------------------------------------------ /argus mine


async def test_mine_lists_the_callers_open_issues_by_slack_id_and_by_email(desk: Desk) -> None:
    team = await payments(desk)
    members = await desk.api.ok("GET", f"/api/teams/{team['id']}/members")
    ids = {m["name"]: m["id"] for m in members}
    made = []
    for title, who in (("Checkout down", "Ana"), ("Refunds slow", "Ana"), ("Ledger off", "Ben")):
        issue = await desk.api.ok(
            "POST", "/api/issues", json={"title": title, "team_id": team["id"]}
        )
        await desk.api.ok(
            "PATCH", f"/api/issues/{issue['id']}", json={"assignees": [ids[who]], "priority": "low"}
        )
        made.append(issue)
    await desk.api.ok(
        "PATCH",
        f"/api/issues/{made[1]['id']}",
        json={"priority": "critical", "status": "in_progress"},
    )
    await desk.api.ok(
        "POST", f"/api/issues/{made[0]['id']}/resolve", json={"reason": "Rolled back"}
    )

    ana = (await desk.command("mine", ANA)).json()
    ben = (await desk.command("mine", BEN)).json()

    assert ana["response_type"] == "ephemeral"
    assert "Refunds slow (critical, in progress)" in ana["text"]
    assert "Checkout down" not in ana["text"]  # resolved: not open
    assert f"/issues/{made[1]['id']}|#{made[1]['number']}>" in ana["text"]
    assert "Ledger off" not in ana["text"]
    assert "Ledger off" in ben["text"]
    assert "Refunds slow" not in ben["text"]


async def test_mine_answers_a_viewer_and_an_idle_member_kindly(desk: Desk) -> None:
    await payments(desk)

    viewer = (await desk.command("mine", VIC)).json()
    idle = (await desk.command("mine", BEN)).json()

    assert viewer["response_type"] == idle["response_type"] == "ephemeral"
    assert "does not know you as a member of any team" in viewer["text"]
    assert idle["text"] == "Nothing open is assigned to you. :tada:"


async def test_mine_shows_at_most_twenty_and_points_to_the_rest(desk: Desk) -> None:
    team = await payments(desk)
    members = await desk.api.ok("GET", f"/api/teams/{team['id']}/members")
    ana = next(m["id"] for m in members if m["name"] == "Ana")
    for n in range(23):
        issue = await desk.api.ok(
            "POST", "/api/issues", json={"title": f"Alert {n}", "team_id": team["id"]}
        )
        await desk.api.ok("PATCH", f"/api/issues/{issue['id']}", json={"assignees": [ana]})

    text = (await desk.command("mine", ANA)).json()["text"]

    assert text.count("• <") == 20
    assert "Your open issues (23)" in text
    assert "…and 3 more on <http://127.0.0.1:8000/issues?mine=true|the dashboard>." in text


# ------------------------------------------------------------------ /argus report


def submission(view: dict[str, Any], user: str, **values: str | None) -> dict[str, Any]:
    """A ``view_submission`` of the modal Argus opened, filled in with ``values``."""
    state: dict[str, Any] = {}
    for block in view["blocks"]:
        block_id = block["block_id"]
        value = values.get(block_id)
        if block["element"]["type"] == "static_select":
            chosen = {"value": value} if value else None
            state[block_id] = {block_id: {"type": "static_select", "selected_option": chosen}}
        else:
            state[block_id] = {block_id: {"type": "plain_text_input", "value": value}}
    return {
        "type": "view_submission",
        "team": {"id": TEAM_ID},
        "user": {"id": user, "name": user.lower()},
        "api_app_id": "A0ARGUS",
        "view": {
            "id": view["id"],
            "callback_id": view["callback_id"],
            "private_metadata": view["private_metadata"],
            "state": {"values": state},
        },
    }


async def test_report_opens_a_modal_whose_submission_becomes_one_issue_in_a_new_thread(
    desk: Desk,
) -> None:
    team = await payments(desk)

    opened = await desk.command("report Card payments failing", TOM)

    assert (opened.status_code, opened.content) == (200, b"")
    [view] = desk.slack.views
    assert view["callback_id"] == "argus_report"
    assert desk.slack.calls_to("views.open")[0]["trigger_id"].startswith("trigger-")
    title_block = next(b for b in view["blocks"] if b["block_id"] == "title")
    assert title_block["element"]["initial_value"] == "Card payments failing"
    team_block = next(b for b in view["blocks"] if b["block_id"] == "team")
    assert [o["value"] for o in team_block["element"]["options"]] == [team["id"]]

    filled = submission(
        view,
        TOM,
        title="Card payments failing",
        description="Since 10:02, every Visa card is declined.",
        priority="high",
        team=team["id"],
    )
    answers = [await desk.interaction(filled) for _ in range(2)]  # Slack's retry, say

    assert [(a.status_code, a.content) for a in answers] == [(200, b""), (200, b"")]
    [issue] = await desk.eventually(desk.issues, "the issue")
    assert (issue["title"], issue["priority"], issue["team_id"]) == (
        "Card payments failing",
        "high",
        team["id"],
    )
    assert issue["description"] == "Since 10:02, every Visa card is declined."
    assert (issue["reported_by_name"], issue["source"]) == ("Tom Author", "slack")
    # The thread's opening post (the assignee's DM, if it came yet, is elsewhere).
    [post] = [m for m in desk.slack.posts if m.thread_ts is None and m.channel == CHANNEL]
    assert "Card payments failing" in post.text
    assert issue["slack_thread_ts"] == issue["slack_message_ts"] == post.ts
    assert f"<@{TOM}>" in post.text
    await asyncio.sleep(0.5)
    assert len(await desk.issues()) == 1
    assert len([m for m in desk.slack.posts if m.thread_ts is None and m.channel == CHANNEL]) == 1


async def test_a_report_without_a_title_is_answered_in_the_modal(desk: Desk) -> None:
    await desk.command("report", TOM)
    [view] = desk.slack.views

    answer = await desk.interaction(submission(view, TOM, title="   "))

    assert answer.status_code == 200
    assert answer.json() == {
        "response_action": "errors",
        "errors": {"title": "Say in a few words what is wrong."},
    }
    assert await desk.issues() == []


async def test_a_report_from_a_channel_argus_is_not_in_opens_its_thread_in_a_dm(
    desk: Desk,
) -> None:
    desk.slack.failures["C0PRIVATE"] = "not_in_channel"
    await desk.command("report", TOM, channel_id="C0PRIVATE")
    [view] = desk.slack.views

    await desk.interaction(submission(view, TOM, title="VPN flaps"))

    [issue] = await desk.eventually(desk.issues, "the issue")
    [post] = [m for m in desk.slack.posts if m.thread_ts is None]
    assert post.channel == f"D{TOM}"
    assert issue["slack_thread_ts"] == post.ts


# ------------------------------------------------------------------ the shortcut


def shortcut(message: dict[str, Any], user: str = ANA) -> dict[str, Any]:
    return {
        "type": "message_action",
        "callback_id": "track_with_argus",
        "trigger_id": "trigger-shortcut",
        "team": {"id": TEAM_ID},
        "channel": {"id": CHANNEL, "name": "incidents"},
        "user": {"id": user, "name": user.lower()},
        "message_ts": message["ts"],
        "message": message,
        "response_url": "https://hooks.slack.invalid/actions/1",
    }


async def test_the_shortcut_turns_a_message_into_one_issue_however_often_used(
    desk: Desk,
) -> None:
    text = f"Checkout returns 502 since the deploy, <@{BOT_USER_ID}> can you look?"
    ts = desk.slack.add_message(CHANNEL, text, user=TOM)
    message = {"type": "message", "user": TOM, "ts": ts, "text": text}

    first, second = await asyncio.gather(
        desk.interaction(shortcut(message)), desk.interaction(shortcut(message))
    )

    assert (first.status_code, second.status_code) == (200, 200)
    [issue] = await desk.eventually(desk.issues, "the issue")
    assert issue["title"].startswith("Checkout returns 502 since the deploy")
    assert (issue["reported_by_name"], issue["source"]) == ("Tom Author", "slack")
    assert "Tracked with Argus by Ana Agent." in issue["description"]
    assert issue["slack_thread_ts"] == issue["slack_message_ts"] == ts
    assert issue["slack_channel_id"] == CHANNEL

    again = await desk.interaction(shortcut(message, BEN))

    assert again.status_code == 200
    told = desk.slack.ephemerals[-1]
    assert (told["user"], told["channel"]) == (BEN, CHANNEL)
    assert f"already tracked as <http://127.0.0.1:8000/issues/{issue['id']}|" in told["text"]
    assert f"#{issue['number']}>" in told["text"]
    await asyncio.sleep(0.5)
    assert len(await desk.issues()) == 1


async def test_the_shortcut_on_a_reply_keeps_the_issue_in_that_thread(desk: Desk) -> None:
    parent = desk.slack.add_message(CHANNEL, "Is anyone else seeing this?", user=BEN)
    reply = desk.slack.add_message(CHANNEL, "Search times out", user=TOM, thread_ts=parent)
    message = {"type": "message", "user": TOM, "ts": reply, "thread_ts": parent,
               "text": "Search times out"}  # fmt: skip

    await desk.interaction(shortcut(message))

    [issue] = await desk.eventually(desk.issues, "the issue")
    assert (issue["slack_thread_ts"], issue["slack_message_ts"]) == (parent, reply)
    assert desk.slack.ephemerals[-1]["thread_ts"] == parent

    other = desk.slack.add_message(CHANNEL, "Also slow for me", user=BEN, thread_ts=parent)
    await desk.interaction(
        shortcut(
            {
                "type": "message",
                "user": BEN,
                "ts": other,
                "thread_ts": parent,
                "text": "Also slow for me",
            }
        )
    )
    assert "already tracked as" in desk.slack.ephemerals[-1]["text"]
    assert len(await desk.issues()) == 1
