"""A new issue's root-cause analysis, end to end through real processes: `argus serve`
(embedded jobs) runs the RCA job against a fake Vishwakarma on 127.0.0.1, and a client
on the SSE endpoint sees the progress while it is stored, then the result."""

from __future__ import annotations

import asyncio
import json

import httpx

from argus_adapters.sql.settings import DatabaseSettings
from tests.fake_rca import StreamReply, fake_vishwakarma
from tests.fake_slack import FakeSlack
from tests.jobs.support import Processes, argus_env
from tests.served import free_port

INVESTIGATION = [
    ("status", {"message": "planning"}),
    ("tool_call_start", {"tool": "kubectl_logs"}),
    ("tool_call_result", {"tool": "kubectl_logs", "output": "OOMKilled payments-7d9"}),
    ("text_delta", {"content": "The payments pod ran out of memory "}),
    ("text_delta", {"content": "after the 14:02 deploy doubled its cache."}),
    ("analysis_done", {"content": "The payments pod ran out of memory after the deploy."}),
    ("done", {}),
]


async def sse_events(client: httpx.AsyncClient, path: str) -> list[tuple[str, dict]]:
    """Read the stream until it ends, reconnecting while the analysis has not started."""
    for _ in range(100):
        found: list[tuple[str, dict]] = []
        event = ""
        async with client.stream("GET", path) as response:
            assert response.status_code == 200
            async for line in response.aiter_lines():
                if line.startswith("event: "):
                    event = line.removeprefix("event: ")
                elif line.startswith("data: "):
                    found.append((event, json.loads(line.removeprefix("data: "))))
        if found != [("progress", {"stage": "waiting", "message": found[0][1]["message"],
                                    "tool": None})]:  # fmt: skip
            return found
        await asyncio.sleep(0.2)  # as EventSource does: reconnect
    raise AssertionError("the analysis never started")


async def test_a_new_issue_is_analysed_and_its_progress_streams_live(
    sqlite_db: DatabaseSettings, slack: FakeSlack, procs: Processes
) -> None:
    with fake_vishwakarma() as agent:
        agent.stream = StreamReply(events=INVESTIGATION, delay=0.3)
        port = free_port()
        env = argus_env(sqlite_db, slack, VISHWAKARMA_URL=agent.url, VISHWAKARMA_TIMEOUT="30")
        procs.serve(env, port)
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=30) as client:
            signed = await client.post("/api/auth/dev-login", json={"email": "admin@example.com"})
            client.headers["Authorization"] = f"Bearer {signed.json()['token']}"
            team = (await client.post("/api/teams", json={"name": "Payments"})).json()
            issue = (
                await client.post(
                    "/api/issues", json={"title": "Checkout 500s", "team_id": team["id"]}
                )
            ).json()
            events = await sse_events(client, f"/api/issues/{issue['id']}/rca/stream")
            stored = (await client.get(f"/api/issues/{issue['id']}")).json()
    stages = [data["stage"] for name, data in events if name == "progress"]
    assert stages[0] == "started"
    assert "tool_started" in stages
    assert "text" in stages
    assert events[-1][0] == "result"
    assert events[-1][1]["source"] == "vishwakarma"
    assert "ran out of memory" in events[-1][1]["summary"]
    assert stored["ai_rca"]["status"] == "completed"
    assert stored["ai_provider_used"] == "vishwakarma"
    body = agent.requests[0].body
    assert body["title"] == "Checkout 500s"
    assert agent.paths() == ["/api/investigate/stream"]  # run once, no fallback needed
    log = procs.output()
    assert "Traceback" not in log
