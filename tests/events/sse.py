"""A small Server-Sent Events reader for tests: a real stream over HTTP, parsed as the
HTML standard says (fields `id`, `event`, `data`, `retry`; `:` comments; a blank line
ends an event)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx
import orjson

EVENTS = "/api/v1/events"


@dataclass
class Event:
    id: str | None
    type: str
    data: Any  # the data lines joined, parsed as JSON


@dataclass
class Stream:
    response: httpx.Response
    comments: list[str] = field(default_factory=list)
    retry: int | None = None
    _lines: AsyncIterator[str] | None = None

    async def next(self, *, timeout: float = 5) -> Event | None:
        """The next event (comments and `retry` are recorded); None once the stream ended."""
        return await asyncio.wait_for(self._next(), timeout)

    async def _next(self) -> Event | None:
        if self._lines is None:
            self._lines = self.response.aiter_lines()
        event_id, event_type, data = None, "message", []
        async for line in self._lines:
            if line == "":
                if data:
                    return Event(event_id, event_type, orjson.loads("\n".join(data)))
                continue
            name, _, value = line.partition(":")
            value = value.removeprefix(" ")
            if name == "":
                self.comments.append(value)
            elif name == "id":
                event_id = value
            elif name == "event":
                event_type = value
            elif name == "data":
                data.append(value)
            elif name == "retry":
                self.retry = int(value)
        return None

    async def events_until_end(self, *, timeout: float = 5) -> list[Event]:
        """Every event left, once the server ends the stream."""
        found = []
        while (event := await self.next(timeout=timeout)) is not None:
            found.append(event)
        return found

    async def silence(self, seconds: float) -> list[Event]:
        """The events that arrive within `seconds` (to show that something does not)."""
        found: list[Event] = []
        try:
            async with asyncio.timeout(seconds):
                while (event := await self._next()) is not None:
                    found.append(event)
        except TimeoutError:
            pass
        return found


@asynccontextmanager
async def open_stream(
    client: httpx.AsyncClient, *, headers: dict[str, str] | None = None, params: dict[str, str] | None = None
) -> AsyncIterator[Stream]:
    """GET /events held open; the response must be 200 (else its problem is raised)."""
    async with client.stream("GET", EVENTS, headers=headers or {}, params=params, timeout=10) as response:
        if response.status_code != 200:
            await response.aread()
            raise AssertionError(f"GET /events: {response.status_code} {response.text}")
        stream = Stream(response)
        yield stream
