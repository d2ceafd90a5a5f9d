"""Server-Sent Events, read from a streaming HTTP response.

Follows the WHATWG ``text/event-stream`` rules: lines end with ``\\r\\n``, ``\\r`` or
``\\n``; ``event:`` names the event, ``data:`` lines are joined with ``\\n``, ``:`` starts
a comment, a blank line dispatches. Two liberties, both for servers in the wild: an event
that ends the stream without its blank line is still dispatched, and an event with a name
but no data is dispatched with empty data (``event: done`` alone means done). Lines that
are not fields (garbage) are ignored, as the spec says of unknown fields.

Lines are split here rather than by ``httpx.Response.aiter_lines``, which splits like
``str.splitlines`` and so would also break a data line at U+2028, U+0085 or a form feed
that a JSON payload may carry unescaped.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterable, AsyncIterator
from typing import NamedTuple

import httpx

_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_BOM = "\ufeff"


class ServerSentEvent(NamedTuple):
    """One dispatched event: its name (``message`` when unnamed) and its data."""

    event: str
    data: str


async def iter_sse(response: httpx.Response) -> AsyncIterator[ServerSentEvent]:
    """The events of a streaming ``response`` (opened with ``client.stream(...)``)."""
    async for event in parse_sse(response.aiter_text()):
        yield event


async def parse_sse(chunks: AsyncIterable[str]) -> AsyncIterator[ServerSentEvent]:
    """The events in a stream of text ``chunks`` (cut anywhere, even inside a line)."""
    name, seen = "", False
    data: list[str] = []
    async for line in _lines(chunks):
        if not line:
            if seen:
                yield ServerSentEvent(name or "message", "\n".join(data))
            name, data, seen = "", [], False
            continue
        field, colon, value = line.partition(":")
        if not field:
            continue  # a comment (keep-alive pings are sent as comments)
        if colon and value.startswith(" "):
            value = value[1:]
        if field == "event":
            name, seen = value, True
        elif field == "data":
            data.append(value)
            seen = True
        # "id", "retry" and anything else: nothing a reader of one stream needs.
    if seen:
        yield ServerSentEvent(name or "message", "\n".join(data))


async def _lines(chunks: AsyncIterable[str]) -> AsyncIterator[str]:
    """The lines of the text, without their line breaks."""
    buffer = ""
    first = True
    async for chunk in chunks:
        if first and chunk:
            chunk = chunk.removeprefix(_BOM)
            first = False
        buffer += chunk
        # A trailing "\r" may be the first half of "\r\n": keep it for the next chunk.
        cut = len(buffer) - 1 if buffer.endswith("\r") else len(buffer)
        *lines, rest = _LINE_BREAK.split(buffer[:cut])
        buffer = rest + buffer[cut:]
        for line in lines:
            yield line
    *lines, rest = _LINE_BREAK.split(buffer)
    for line in lines:
        yield line
    if rest:
        yield rest
