"""Slack people and channels behind a bounded cache, against the fake Slack Web API."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from slack_sdk.web.async_client import AsyncWebClient

from argus_adapters.slack.directory import SlackDirectory, SlackPerson, TtlCache
from argus_adapters.slack.events import SlackMentionReader
from argus_core.domain.errors import Unavailable
from tests.fake_slack import FakeSlack


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    with FakeSlack() as server:
        server.add_user("U1", "Ana Agent", email="Ana@Example.com", tz="Europe/Berlin")
        server.add_channel("C1", "payments-alerts")
        yield server


def directory_on(fake: FakeSlack, **kw: float) -> SlackDirectory:
    return SlackDirectory(AsyncWebClient(token=fake.token, base_url=fake.base_url), **kw)


async def test_a_person_is_looked_up_once_while_fresh(fake: FakeSlack) -> None:
    directory = directory_on(fake)

    first = await directory.person("U1")
    again = await directory.person("U1")

    assert (
        first
        == again
        == SlackPerson(id="U1", name="Ana Agent", email="ana@example.com", tz="Europe/Berlin")
    )
    assert len(fake.calls_to("users.info")) == 1


async def test_an_unknown_user_is_none_and_remembered(fake: FakeSlack) -> None:
    directory = directory_on(fake)

    assert await directory.person("U404") is None
    assert await directory.person("U404") is None
    assert len(fake.calls_to("users.info")) == 1


async def test_slack_failing_is_unavailable_and_not_cached(fake: FakeSlack) -> None:
    directory = SlackDirectory(AsyncWebClient(token="xoxb-wrong", base_url=fake.base_url))

    with pytest.raises(Unavailable, match=r"users\.info"):
        await directory.person("U1")
    assert await directory.display_name("U1") == "U1"  # a name falls back to the id
    assert len(fake.calls_to("users.info")) == 2


async def test_channel_names_and_permalinks(fake: FakeSlack) -> None:
    directory = directory_on(fake)

    assert await directory.channel_name("C1") == "payments-alerts"
    assert await directory.channel_name("C1") == "payments-alerts"
    assert len(fake.calls_to("conversations.info")) == 1
    link = await directory.permalink("C1", "1700000000.000100")
    assert link == "https://argus-test.slack.com/archives/C1/p1700000000000100"


def test_the_cache_expires_and_stays_bounded() -> None:
    now = [0.0]
    cache: TtlCache[str, int] = TtlCache(ttl=10, max_entries=2, clock=lambda: now[0])
    cache.put("a", 1)
    cache.put("b", 2)
    cache.put("c", 3)  # "a", the oldest, goes

    assert (cache.lookup("a"), cache.lookup("b"), cache.lookup("c")) == (None, (2,), (3,))
    now[0] = 11
    assert cache.lookup("b") is None


async def test_slack_markup_becomes_plain_text(fake: FakeSlack) -> None:
    reader = SlackMentionReader(directory_on(fake))
    text = (
        "<@UARGUS>  checkout down for <@U1> in <#C1> and <#C9|ops>, see "
        "<https://status.example.com|status> or <https://x.example.com> &amp; <!here> "
        "<!subteam^S1|@oncall> <@U404>"
    )

    plain = await reader.plain_text(text, "UARGUS")

    assert plain == (
        "checkout down for @Ana Agent in #payments-alerts and #ops, see "
        "status (https://status.example.com) or https://x.example.com & @here @oncall @U404"
    )
    assert await reader.plain_text("<@UARGUS> db slow") == "db slow"  # Argus opens it
