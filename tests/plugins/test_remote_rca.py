"""The remote RCA agents (Vishwakarma, HolmesGPT) against fake servers on 127.0.0.1."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from uuid import uuid4

import httpx
import pluggy
import pytest

from argus_core.chain import ProviderChain, Step
from argus_core.domain.errors import NoProviderAnswered
from argus_core.domain.issue import Issue, RcaProgress
from argus_core.domain.values import Priority, RcaState
from argus_plugins import hookspecs, remote
from argus_plugins.holmesgpt import HolmesGptProvider
from argus_plugins.hookspecs import PluginContext
from argus_plugins.remote_rca import RemoteRcaProvider
from argus_plugins.sse import ServerSentEvent, parse_sse
from argus_plugins.vishwakarma import VishwakarmaProvider
from tests.fake_rca import (
    ANSWER_PATH,
    FakeRcaServer,
    JsonReply,
    StreamReply,
    fake_holmesgpt,
    fake_vishwakarma,
)
from tests.served import free_port

Event = tuple[str, Any]

# --------------------------------------------------------------------------- the agents


@dataclass(frozen=True)
class Agent:
    """How one agent says things on the wire, and the provider that reads it."""

    name: str
    provider: type[RemoteRcaProvider]
    stream_path: str
    tool_started: Callable[[str], Event]
    tool_result: Callable[[str, str], Event]
    delta: Callable[[str], Event]
    answer: Callable[[str], list[Event]]
    error: Callable[[str], Event]


VISHWAKARMA = Agent(
    name="vishwakarma",
    provider=VishwakarmaProvider,
    stream_path="/api/investigate/stream",
    tool_started=lambda tool: ("tool_call_start", {"tool_name": tool}),
    tool_result=lambda tool, out: ("tool_call_result", {"tool_name": tool, "result": out}),
    delta=lambda text: ("text_delta", {"content": text}),
    answer=lambda text: [("analysis_done", {"analysis": text}), ("done", {})],
    error=lambda message: ("error", {"message": message}),
)
HOLMESGPT = Agent(
    name="holmesgpt",
    provider=HolmesGptProvider,
    stream_path="/api/stream/investigate",
    tool_started=lambda tool: ("start_tool_calling", {"tool_name": tool, "id": "call-1"}),
    tool_result=lambda tool, out: (
        "tool_calling_result",
        {"tool_call_id": "call-1", "name": tool, "result": {"status": "success", "data": out}},
    ),
    delta=lambda text: ("ai_message", {"content": text}),
    answer=lambda text: [("ai_answer_end", {"analysis": text, "sections": {}})],
    error=lambda message: ("error", {"msg": message, "error_code": 5000, "success": False}),
)

REPORT = (
    "# Root cause\n\n"
    "The payments pod runs out of memory since the 10:00 deploy.\n\n"
    "## Fix\n\nRoll back the deploy."
)


@pytest.fixture(scope="module")
def servers() -> Iterator[dict[str, FakeRcaServer]]:
    with fake_vishwakarma() as vishwakarma, fake_holmesgpt() as holmesgpt:
        yield {"vishwakarma": vishwakarma, "holmesgpt": holmesgpt}


@pytest.fixture(params=[VISHWAKARMA, HOLMESGPT], ids=lambda agent: agent.name)
def agent(request: pytest.FixtureRequest) -> Agent:
    agent: Agent = request.param
    return agent


@pytest.fixture
def fake(servers: dict[str, FakeRcaServer], agent: Agent) -> FakeRcaServer:
    server = servers[agent.name]
    server.reset()
    return server


@pytest.fixture
def provider(agent: Agent, fake: FakeRcaServer, http: httpx.AsyncClient) -> RemoteRcaProvider:
    return agent.provider(fake.url, http, timeout=10.0)


def make_issue() -> Issue:
    now = datetime(2025, 3, 1, 10, 30, tzinfo=UTC)
    return Issue(
        id=uuid4(),
        number=42,
        title="Checkout returns 500",
        description="Since 10:00 every card payment fails with HTTP 500.",
        priority=Priority.HIGH,
        category="payments",
        created_at=now,
        updated_at=now,
    )


class Recorder:
    """A progress sink that keeps what it hears."""

    def __init__(self) -> None:
        self.items: list[RcaProgress] = []

    async def __call__(self, progress: RcaProgress) -> None:
        self.items.append(progress)

    def stages(self) -> list[str]:
        """The stages in order, runs of ``text`` (however coalesced) shown once."""
        stages: list[str] = []
        for item in self.items:
            if not (item.stage == "text" and stages and stages[-1] == "text"):
                stages.append(item.stage)
        return stages

    def text(self) -> str:
        return "".join(item.message for item in self.items if item.stage == "text")


def full_stream(agent: Agent, report: str = REPORT) -> list[Event]:
    return [
        agent.tool_started("kubectl_logs"),
        agent.tool_result("kubectl_logs", "OOMKilled payments-7f9c"),
        agent.tool_started("prometheus_query"),
        agent.tool_result("prometheus_query", "memory at 100% since 10:02"),
        agent.delta("The payments pod "),
        agent.delta("runs out of memory."),
        *agent.answer(report),
    ]


# --------------------------------------------------------------------------- SSE parser


async def parse(*chunks: str) -> list[ServerSentEvent]:
    async def source() -> AsyncIterator[str]:
        for chunk in chunks:
            yield chunk

    return [event async for event in parse_sse(source())]


async def test_sse_reads_names_multiline_data_and_comments() -> None:
    events = await parse(
        ": keep-alive\n",
        'event: status\ndata: {"a":\ndata:  1}\n\n',
        "data: unnamed\n\n",
        "event: done\n\n",
    )
    assert events == [
        ("status", '{"a":\n 1}'),
        ("message", "unnamed"),
        ("done", ""),
    ]


async def test_sse_handles_crlf_split_across_chunks_and_a_final_event_without_blank_line() -> None:
    events = await parse("\ufeffevent: a\r", "\ndata: x\r\n\r", "\nevent: b\rdata: y\r\ndata: z")
    assert events == [("a", "x"), ("b", "y\nz")]


async def test_sse_ignores_garbage_and_keeps_unusual_characters_in_data() -> None:
    events = await parse(
        "this is not a field\n{]}\x00\nid: 7\nretry: 10\n\n",
        "data: line\u2028same line\x0cstill\n\n",
    )
    assert events == [("message", "line\u2028same line\x0cstill")]


# --------------------------------------------------------------------------- streaming


async def test_full_stream_gives_a_completed_rca_with_progress_in_order(
    agent: Agent, fake: FakeRcaServer, provider: RemoteRcaProvider
) -> None:
    fake.stream = StreamReply(events=full_stream(agent))
    sink = Recorder()

    rca = await provider.investigate(make_issue(), sink)

    assert rca is not None
    assert rca.state is RcaState.COMPLETED
    assert (rca.provider, rca.source) == (agent.name, agent.name)
    assert rca.full_report == REPORT
    assert rca.summary == "The payments pod runs out of memory since the 10:00 deploy."
    assert rca.tools_called == ("kubectl_logs", "prometheus_query")
    assert rca.evidence == (
        "kubectl_logs: OOMKilled payments-7f9c",
        "prometheus_query: memory at 100% since 10:02",
    )
    assert sink.stages() == [
        "started",
        "tool_started",
        "tool_result",
        "tool_started",
        "tool_result",
        "text",
        "done",
    ]
    assert [i.tool for i in sink.items if i.stage.startswith("tool")] == [
        "kubectl_logs",
        "kubectl_logs",
        "prometheus_query",
        "prometheus_query",
    ]
    assert sink.text() == "The payments pod runs out of memory."
    assert fake.paths() == [agent.stream_path]


async def test_request_carries_the_issue(
    agent: Agent, fake: FakeRcaServer, provider: RemoteRcaProvider
) -> None:
    fake.stream = StreamReply(events=full_stream(agent))
    issue = make_issue()

    await provider.investigate(issue, Recorder())

    body = fake.requests[0].body
    assert body["title"] == "Checkout returns 500"
    assert body["description"] == "Since 10:00 every card payment fails with HTTP 500."
    assert (body["issue_id"], body["number"]) == (str(issue.id), 42)
    assert (body["priority"], body["category"]) == ("high", "payments")
    assert "Checkout returns 500" in body["question"]
    assert "every card payment fails" in body["question"]


async def test_holmesgpt_request_has_its_required_fields(
    servers: dict[str, FakeRcaServer], http: httpx.AsyncClient
) -> None:
    fake = servers["holmesgpt"]
    fake.reset()
    fake.stream = StreamReply(events=full_stream(HOLMESGPT))

    await HolmesGptProvider(fake.url, http).investigate(make_issue(), Recorder())

    body = fake.requests[0].body
    assert body["source"] == "argus"
    assert body["subject"]["number"] == 42
    assert body["context"] == {"priority": "high", "category": "payments"}


async def test_text_deltas_make_the_report_when_there_is_no_final_text(
    agent: Agent, fake: FakeRcaServer, provider: RemoteRcaProvider
) -> None:
    words = ["Disk ", "full ", "on ", "db-1", ".\n\n", "Free ", "space", "."]
    fake.stream = StreamReply(events=[*map(agent.delta, words), *agent.answer("")])
    sink = Recorder()

    rca = await provider.investigate(make_issue(), sink)

    assert rca is not None
    assert rca.full_report == "Disk full on db-1.\n\nFree space."
    assert rca.summary == "Disk full on db-1."
    assert sink.text() == "".join(words)
    assert fake.paths() == [agent.stream_path]


async def test_vishwakarma_final_text_wins_over_deltas(
    servers: dict[str, FakeRcaServer], http: httpx.AsyncClient
) -> None:
    fake = servers["vishwakarma"]
    fake.reset()
    fake.stream = StreamReply(
        events=[
            ("status", {"message": "thinking"}),
            ("text_delta", "draft as plain text"),
            ("analysis_done", {"content": "Final analysis."}),
            ("done", {}),
        ]
    )

    rca = await VishwakarmaProvider(fake.url, http).investigate(make_issue(), Recorder())

    assert rca is not None
    assert rca.full_report == "Final analysis."


async def test_data_that_is_not_json_is_text(
    agent: Agent, fake: FakeRcaServer, provider: RemoteRcaProvider
) -> None:
    delta_name = agent.delta("")[0]
    fake.stream = StreamReply(events=[(delta_name, "plain {words"), *agent.answer("")])

    rca = await provider.investigate(make_issue(), Recorder())

    assert rca is not None
    assert rca.full_report == "plain {words"


async def test_garbage_lines_are_ignored(
    agent: Agent, fake: FakeRcaServer, provider: RemoteRcaProvider
) -> None:
    events = full_stream(agent)
    fake.stream = StreamReply(
        events=[
            "garbage without colon\n\n",
            ": a comment\r\n",
            events[0],
            "\x00\x01 binary-ish nonsense\n{not: sse}\n\n",
            "event: mystery\r\ndata: {\r\n\r\n",
            *events[1:],
        ]
    )

    rca = await provider.investigate(make_issue(), Recorder())

    assert rca is not None
    assert rca.full_report == REPORT
    assert rca.tools_called == ("kubectl_logs", "prometheus_query")


# --------------------------------------------------------------------------- fallback


@pytest.mark.parametrize("cut", [True, False], ids=["connection-dropped", "ended-early"])
async def test_stream_without_its_end_falls_back_to_the_plain_answer(
    agent: Agent, fake: FakeRcaServer, provider: RemoteRcaProvider, cut: bool
) -> None:
    fake.stream = StreamReply(events=full_stream(agent)[:5], cut=cut)
    fake.answer = JsonReply({"analysis": "Fallback: the cache is cold."}, 200)
    sink = Recorder()

    rca = await provider.investigate(make_issue(), sink)

    assert rca is not None
    assert rca.full_report == "Fallback: the cache is cold."
    assert rca.source == agent.name
    assert fake.paths() == [agent.stream_path, ANSWER_PATH]
    assert fake.requests[1].body["title"] == "Checkout returns 500"
    assert sink.stages()[-1] == "done"


async def test_stream_error_status_falls_back(
    agent: Agent, fake: FakeRcaServer, provider: RemoteRcaProvider
) -> None:
    fake.stream = StreamReply(status=500)
    fake.answer = JsonReply(
        {"analysis": "From the plain endpoint.", "tool_calls": [{"tool_name": "kubectl_get"}]},
        200,
    )

    rca = await provider.investigate(make_issue(), Recorder())

    assert rca is not None
    assert rca.full_report == "From the plain endpoint."
    assert rca.tools_called == ("kubectl_get",)
    assert fake.paths() == [agent.stream_path, ANSWER_PATH]


async def test_error_event_falls_back(
    agent: Agent, fake: FakeRcaServer, provider: RemoteRcaProvider
) -> None:
    fake.stream = StreamReply(
        events=[
            agent.tool_started("kubectl_logs"),
            agent.error("model overloaded"),
            *agent.answer("must not be used"),
        ]
    )
    fake.answer = JsonReply({"analysis": "Recovered answer."}, 200)

    rca = await provider.investigate(make_issue(), Recorder())

    assert rca is not None
    assert rca.full_report == "Recovered answer."
    assert fake.paths() == [agent.stream_path, ANSWER_PATH]


async def test_both_endpoints_failing_gives_none(
    agent: Agent, fake: FakeRcaServer, provider: RemoteRcaProvider
) -> None:
    fake.stream = StreamReply(status=500)
    fake.answer = JsonReply({"detail": "down"}, 503)
    sink = Recorder()

    assert await provider.investigate(make_issue(), sink) is None
    assert sink.stages() == ["started", "failed"]
    assert fake.paths() == [agent.stream_path, ANSWER_PATH]


async def test_unreachable_agent_gives_none(agent: Agent, http: httpx.AsyncClient) -> None:
    provider = agent.provider(f"http://127.0.0.1:{free_port()}", http, timeout=10.0)
    sink = Recorder()

    assert await provider.investigate(make_issue(), sink) is None
    assert sink.stages() == ["started", "failed"]


@pytest.mark.parametrize("analysis", ["", "  \n\t "])
async def test_empty_plain_answer_gives_none(
    agent: Agent, fake: FakeRcaServer, provider: RemoteRcaProvider, analysis: str
) -> None:
    fake.stream = StreamReply(status=502)
    fake.answer = JsonReply({"analysis": analysis}, 200)
    sink = Recorder()

    assert await provider.investigate(make_issue(), sink) is None
    assert sink.stages() == ["started", "failed"]


async def test_empty_streamed_answer_gives_none_without_asking_again(
    agent: Agent, fake: FakeRcaServer, provider: RemoteRcaProvider
) -> None:
    fake.stream = StreamReply(events=[agent.delta("   "), *agent.answer(" \n ")])
    fake.answer = JsonReply({"analysis": "must not be asked"}, 200)

    assert await provider.investigate(make_issue(), Recorder()) is None
    assert fake.paths() == [agent.stream_path]


async def test_slow_stream_times_out(
    agent: Agent, fake: FakeRcaServer, http: httpx.AsyncClient
) -> None:
    # Each event comes well within the read timeout; only the whole-stream bound stops it.
    events = [agent.tool_started(f"tool_{i}") for i in range(12)]
    fake.stream = StreamReply(events=[*events, *agent.answer("Too late.")], delay=0.2)
    fake.answer = JsonReply({"analysis": "Too late as well."}, 200)
    provider = agent.provider(fake.url, http, timeout=0.5)
    sink = Recorder()

    with pytest.raises(TimeoutError):
        await provider.investigate(make_issue(), sink)

    assert sink.items[-1].stage == "failed"
    assert fake.paths() == [agent.stream_path]


# --------------------------------------------------------------------------- limits


async def test_report_evidence_and_summary_are_capped(
    agent: Agent, fake: FakeRcaServer, provider: RemoteRcaProvider
) -> None:
    tools = [f"tool_{i % 3}" for i in range(25)]
    results = [agent.tool_result(tool, "x" * 2_000) for tool in tools]
    report = "word " * 20_000  # one 100 000-character paragraph
    fake.stream = StreamReply(events=[*results, *agent.answer(report)])

    rca = await provider.investigate(make_issue(), Recorder())

    assert rca is not None
    assert rca.tools_called == ("tool_0", "tool_1", "tool_2")
    assert len(rca.evidence) == 20
    assert all(len(item) <= 500 for item in rca.evidence)
    assert rca.evidence[0].startswith("tool_0: xxx")
    assert len(rca.full_report) <= 50_000
    assert rca.full_report.startswith("word word")
    assert len(rca.summary) <= 500
    assert rca.summary.startswith("word word")


async def test_a_failing_progress_sink_does_not_lose_the_analysis(
    agent: Agent, fake: FakeRcaServer, provider: RemoteRcaProvider
) -> None:
    fake.stream = StreamReply(events=full_stream(agent))

    async def broken(_: RcaProgress) -> None:
        raise RuntimeError("dashboard gone")

    rca = await provider.investigate(make_issue(), broken)

    assert rca is not None
    assert rca.full_report == REPORT


# --------------------------------------------------------------------------- the chain


@pytest.mark.parametrize("failure", ["empty", "timeout"])
async def test_chain_moves_from_a_failing_vishwakarma_to_holmesgpt(
    servers: dict[str, FakeRcaServer], http: httpx.AsyncClient, failure: str
) -> None:
    vishwakarma, holmesgpt = servers["vishwakarma"], servers["holmesgpt"]
    vishwakarma.reset()
    holmesgpt.reset()
    if failure == "timeout":
        slow = [VISHWAKARMA.tool_started(f"t{i}") for i in range(10)]
        vishwakarma.stream = StreamReply(events=[*slow, *VISHWAKARMA.answer("late")], delay=0.2)
    else:
        vishwakarma.stream = StreamReply(status=500)
    holmesgpt.stream = StreamReply(events=full_stream(HOLMESGPT, "Holmes found it."))
    providers: Sequence[RemoteRcaProvider] = [
        VishwakarmaProvider(vishwakarma.url, http, timeout=0.5),
        HolmesGptProvider(holmesgpt.url, http, timeout=10.0),
    ]
    chain = ProviderChain([Step(name=p.name, provider=p, timeout=20.0) for p in providers])
    issue, sink = make_issue(), Recorder()

    outcome = await chain.run(lambda p: p.investigate(issue, sink))

    assert outcome.provider == "holmesgpt"
    assert outcome.value.source == "holmesgpt"
    assert outcome.value.full_report == "Holmes found it."
    # The provider's own time limit ran out (not the chain's): it is told as its error.
    kind = {"empty": "empty", "timeout": "error"}[failure]
    assert [(f.name, f.kind) for f in outcome.failures] == [("vishwakarma", kind)]
    if failure == "timeout":
        assert "TimeoutError" in outcome.failures[0].detail


async def test_chain_reports_when_no_agent_answers(
    servers: dict[str, FakeRcaServer], http: httpx.AsyncClient
) -> None:
    for server in servers.values():
        server.reset()
    providers: Sequence[RemoteRcaProvider] = [
        VishwakarmaProvider(servers["vishwakarma"].url, http),
        HolmesGptProvider(servers["holmesgpt"].url, http),
    ]
    chain = ProviderChain([Step(name=p.name, provider=p, timeout=5.0) for p in providers])
    issue = make_issue()

    with pytest.raises(NoProviderAnswered, match="vishwakarma: empty; holmesgpt: empty"):
        await chain.run(lambda p: p.investigate(issue, Recorder()))


# --------------------------------------------------------------------------- the plugin


def providers_for(config: dict[str, str], http: httpx.AsyncClient) -> list[Any]:
    manager = pluggy.PluginManager(hookspecs.PROJECT)
    manager.add_hookspecs(hookspecs)
    manager.register(remote)
    manager.check_pending()
    results = manager.hook.argus_rca_providers(context=PluginContext(config=config, http=http))
    return [provider for result in results for provider in result]


async def test_plugin_offers_nothing_unconfigured(http: httpx.AsyncClient) -> None:
    assert providers_for({"VISHWAKARMA_TIMEOUT": "30", "HOLMESGPT_URL": "  "}, http) == []


async def test_plugin_offers_vishwakarma_then_holmesgpt(http: httpx.AsyncClient) -> None:
    config = {
        "HOLMESGPT_URL": "http://holmes.internal:5050/",
        "HOLMESGPT_TIMEOUT": "45.5",
        "VISHWAKARMA_URL": "https://vk.internal",
    }

    first, second, *rest = providers_for(config, http)

    assert rest == []
    assert isinstance(first, VishwakarmaProvider)
    assert (first.name, first.url, first.timeout) == ("vishwakarma", "https://vk.internal", 600.0)
    assert isinstance(second, HolmesGptProvider)
    assert (second.url, second.timeout) == ("http://holmes.internal:5050", 45.5)
    assert second.http is http


async def test_plugin_offers_holmesgpt_alone(http: httpx.AsyncClient) -> None:
    [only] = providers_for({"HOLMESGPT_URL": "http://holmes:5050"}, http)
    assert isinstance(only, HolmesGptProvider)
    assert only.timeout == 600.0


@pytest.mark.parametrize("seconds", ["soon", "0", "-5", "nan", "inf"])
@pytest.mark.parametrize("agent_name", ["VISHWAKARMA", "HOLMESGPT"])
async def test_plugin_rejects_a_bad_timeout(
    http: httpx.AsyncClient, agent_name: str, seconds: str
) -> None:
    config = {f"{agent_name}_URL": "http://agent:8000", f"{agent_name}_TIMEOUT": seconds}
    with pytest.raises(ValueError, match=f"{agent_name}_TIMEOUT"):
        remote.argus_rca_providers(PluginContext(config=config, http=http))


@pytest.mark.parametrize("url", ["vishwakarma:8000", "ftp://agent", "http://", "agent"])
async def test_plugin_rejects_a_bad_url(http: httpx.AsyncClient, url: str) -> None:
    with pytest.raises(ValueError, match="VISHWAKARMA_URL"):
        remote.argus_rca_providers(PluginContext(config={"VISHWAKARMA_URL": url}, http=http))
