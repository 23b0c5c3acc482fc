"""What Tandem logs during a test, exactly as the production (JSON) handler writes it."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest

from app.core.logging import build_handler

# aiosmtpd, standing in for the mail provider, logs what it receives: not Tandem's lines
TEST_SERVERS = ("mail.log",)


class CapturedLog:
    def __init__(self) -> None:
        self.buffer = io.StringIO()

    def lines(self) -> list[dict]:
        every = [json.loads(line) for line in self.buffer.getvalue().splitlines()]
        return [line for line in every if not line["logger"].startswith(TEST_SERVERS)]

    def text(self) -> str:
        return "\n".join(json.dumps(line, ensure_ascii=False) for line in self.lines())


@pytest.fixture
def captured_log() -> Iterator[CapturedLog]:
    """Every line logged meanwhile, DEBUG included (the most a deployment could log)."""
    captured = CapturedLog()
    handler = build_handler(json=True, stream=captured.buffer)
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        yield captured
    finally:
        root.removeHandler(handler)
        root.setLevel(level)
