"""Assertions about problem responses, shared by every test module."""

from __future__ import annotations

import httpx


def assert_problem(response: httpx.Response, status: int, code: str) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["status"] == status
    assert body["code"] == code
    assert body["type"].endswith("/" + code.lower().replace("_", "-"))
    assert body["request_id"] == response.headers["x-request-id"]
    return body
