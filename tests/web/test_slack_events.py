"""``POST /slack/events``: signatures, the URL check, mentions taken in durably and once."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from litestar import Litestar
from litestar.testing import AsyncTestClient

from argus_adapters.sql import models as m
from argus_adapters.sql.engine import create_engine
from argus_adapters.sql.settings import DatabaseSettings
from argus_web.app import create_app
from argus_web.settings import SlackSettings
from argus_web.slack.verify import is_signed
from tests.fake_slack import FakeSlack
from tests.signed_slack import SIGNING_SECRET, encoded, mention, signed_headers
from tests.waiting import eventually
from tests.web.conftest import web_settings

# Slack's own example from "Verifying requests from Slack" (api.slack.com/authentication).
SLACK_EXAMPLE_SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
SLACK_EXAMPLE_TIMESTAMP = "1531420618"
SLACK_EXAMPLE_BODY = (
    b"token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&"
    b"channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&"
    b"command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands"
    b"%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121"
    b".803a0bc887a14d10d2c447fce8b6703c"
)
SLACK_EXAMPLE_SIGNATURE = "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503"


def test_slacks_documented_example_request_is_accepted() -> None:
    now = float(SLACK_EXAMPLE_TIMESTAMP) + 10
    args = (SLACK_EXAMPLE_SECRET, SLACK_EXAMPLE_BODY, SLACK_EXAMPLE_TIMESTAMP)

    assert is_signed(*args, SLACK_EXAMPLE_SIGNATURE, now=now)
    assert not is_signed(*args, SLACK_EXAMPLE_SIGNATURE, now=now + 300)  # stale: replayed
    assert not is_signed(*args, SLACK_EXAMPLE_SIGNATURE.replace("a2", "a3"), now=now)
    tampered = SLACK_EXAMPLE_BODY.replace(b"roadrunner", b"coyote")
    assert not is_signed(SLACK_EXAMPLE_SECRET, tampered, SLACK_EXAMPLE_TIMESTAMP,
                         SLACK_EXAMPLE_SIGNATURE, now=now)  # fmt: skip
    assert not is_signed(SLACK_EXAMPLE_SECRET, SLACK_EXAMPLE_BODY, None, None, now=now)
    assert not is_signed(SLACK_EXAMPLE_SECRET, SLACK_EXAMPLE_BODY, "soon", "v0=00", now=now)
    assert not is_signed("another-secret", *args[1:], SLACK_EXAMPLE_SIGNATURE, now=now)


@pytest.fixture
def fake_slack() -> Iterator[FakeSlack]:
    with FakeSlack() as fake:
        fake.add_user("U0REPORTER", "Rita Reporter", email="rita@example.com")
        fake.add_channel("C0INCIDENTS", "incidents")
        yield fake


@pytest.fixture
async def slack_app(
    database: DatabaseSettings, static_dir: Path, fake_slack: FakeSlack
) -> AsyncIterator[AsyncTestClient[Litestar]]:
    """The app with Slack configured and its embedded job runner running."""
    slack = SlackSettings(
        bot_token=fake_slack.token, api_url=fake_slack.base_url, signing_secret=SIGNING_SECRET
    )
    settings = web_settings(database, static_dir, slack=slack)
    async with AsyncTestClient(create_app(settings, background=True)) as client:
        yield client


async def post_event(
    client: AsyncTestClient[Litestar], envelope: dict[str, Any], **headers: str
) -> Any:
    body = encoded(envelope)
    return await client.post(
        "/slack/events",
        content=body,
        headers={"Content-Type": "application/json", **signed_headers(body), **headers},
    )


async def receipts(database: DatabaseSettings) -> list[tuple[str, Any]]:
    engine = create_engine(database)
    try:
        async with engine.connect() as connection:
            table = m.SlackEventReceiptRow
            rows = await connection.execute(sa.select(table.event_id, table.issue_id))
            return [tuple(r) for r in rows]
    finally:
        await engine.dispose()


async def issues_of(client: AsyncTestClient[Litestar]) -> list[dict[str, Any]]:
    login = await client.post("/api/auth/dev-login", json={"email": "admin@example.com"})
    headers = {"Authorization": f"Bearer {login.json()['token']}"}
    listed = await client.get("/api/issues", headers=headers)
    return [
        (await client.get(f"/api/issues/{i['id']}", headers=headers)).json()
        for i in listed.json()["items"]
    ]


async def test_the_url_check_is_answered_with_its_challenge(
    slack_app: AsyncTestClient[Litestar],
) -> None:
    response = await post_event(slack_app, {"type": "url_verification", "challenge": "c-42"})

    assert response.status_code == 200
    assert response.json() == {"challenge": "c-42"}


@pytest.mark.parametrize(
    "headers",
    [
        {"X-Slack-Signature": "v0=" + "0" * 64},
        {"X-Slack-Request-Timestamp": str(int(time.time()) - 301)},
        {"X-Slack-Request-Timestamp": ""},
    ],
    ids=["wrong signature", "stale timestamp", "missing timestamp"],
)
async def test_unsigned_or_replayed_events_are_refused_and_nothing_is_stored(
    slack_app: AsyncTestClient[Litestar], database: DatabaseSettings, headers: dict[str, str]
) -> None:
    response = await post_event(slack_app, mention("Ev1", "db down"), **headers)

    assert response.status_code == 401
    assert response.headers["content-type"].startswith("application/problem+json")
    assert await receipts(database) == []


async def test_a_tampered_body_is_refused(slack_app: AsyncTestClient[Litestar]) -> None:
    body = encoded(mention("Ev1", "db down"))
    headers = signed_headers(body)
    response = await slack_app.post(
        "/slack/events", content=body.replace(b"db down", b"all fine"), headers=headers
    )

    assert response.status_code == 401


async def test_events_answer_503_when_slack_is_not_configured(api: Any) -> None:
    body = encoded(mention("Ev1", "db down"))
    response = await api.client.post("/slack/events", content=body, headers=signed_headers(body))

    assert response.status_code == 503
    assert "SLACK_SIGNING_SECRET" in response.json()["detail"]


async def test_a_mention_becomes_an_issue_with_a_reply_in_its_thread(
    slack_app: AsyncTestClient[Litestar], fake_slack: FakeSlack, database: DatabaseSettings
) -> None:
    envelope = mention("Ev1", "payments API timing out for <@U0REPORTER> since 10:02")

    response = await post_event(slack_app, envelope)

    assert response.status_code == 200
    [issue] = await eventually(lambda: issues_of(slack_app), 15, "the issue")
    assert issue["title"] == "payments API timing out for @Rita Reporter since 10:02"
    assert issue["slack_channel_id"] == "C0INCIDENTS"
    assert issue["slack_channel_name"] == "incidents"
    assert issue["slack_thread_ts"] == "1700000000.000100"
    assert (issue["reported_by_name"], issue["reported_by_email"]) == (
        "Rita Reporter",
        "rita@example.com",
    )
    assert await receipts(database) == [("slack:Ev1", issue_id(issue))]

    async def tracked() -> list[Any]:
        return [p for p in fake_slack.posts if f"#{issue['number']}" in p.text]

    await eventually(tracked, 15, "the thread reply")
    assert {p.thread_ts for p in fake_slack.posts} == {"1700000000.000100"}


async def test_retries_and_repeats_of_one_event_make_one_issue(
    slack_app: AsyncTestClient[Litestar], database: DatabaseSettings
) -> None:
    envelope = mention("Ev7", "checkout 502s")
    answers = await asyncio.gather(
        post_event(slack_app, envelope),
        *(post_event(slack_app, envelope, **{"X-Slack-Retry-Num": str(n)}) for n in (1, 2, 3)),
    )

    assert [a.status_code for a in answers] == [200] * 4
    [issue] = await eventually(lambda: issues_of(slack_app), 15, "the issue")
    await asyncio.sleep(0.3)  # any late duplicate job would have run by now
    assert len(await issues_of(slack_app)) == 1
    assert await receipts(database) == [("slack:Ev7", issue_id(issue))]


@pytest.mark.parametrize(
    "event",
    [
        {"bot_id": "B0OTHER"},
        {"subtype": "message_changed"},
        {"edited": {"user": "U0REPORTER", "ts": "1700000001.000000"}},
        {"user": "U0ARGUSBOT"},
    ],
    ids=["another bot", "a subtype", "an edit", "Argus itself"],
)
async def test_bot_messages_and_edits_are_ignored(
    slack_app: AsyncTestClient[Litestar], database: DatabaseSettings, event: dict[str, Any]
) -> None:
    response = await post_event(slack_app, mention("Ev3", "db down", **event))

    assert response.status_code == 200
    assert await receipts(database) == []


def issue_id(issue: dict[str, Any]) -> uuid.UUID:
    return uuid.UUID(issue["id"])
