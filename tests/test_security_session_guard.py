"""The session guard as plain ASGI: hash binding, body cap and per-user rate, no server."""

from __future__ import annotations

import asyncio
import json
from types import SimpleNamespace
from typing import Any

from tutor.ui.session_guard import MAX_JOIN_BYTES, SessionGuard

COOKIE_ID = "abc"
APP = SimpleNamespace(cookie_id=COOKIE_ID, tokens={"tok-ann": "ann", "tok-bob": "bob"})


class Inner:
    """Stands in for Gradio: records what reached it and answers 200."""

    def __init__(self) -> None:
        self.bodies: list[bytes] = []

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        message = await receive() if scope["method"] == "POST" else {"body": b""}
        self.bodies.append(message.get("body", b""))
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"{}"})


def call(guard: SessionGuard, token: str, path: str, body: bytes = b"", query: str = "") -> int:
    scope = {
        "type": "http",
        "method": "POST" if body else "GET",
        "path": path,
        "query_string": query.encode(),
        "headers": [(b"cookie", f"access-token-{COOKIE_ID}={token}".encode())],
        "app": APP,
    }
    sent: list[dict] = []

    async def receive() -> dict:
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: dict) -> None:
        sent.append(message)

    asyncio.run(guard(scope, receive, send))
    return sent[0]["status"]


def join(guard: SessionGuard, token: str, session_hash: str, size: int = 10) -> int:
    body = json.dumps({"data": ["x" * size], "fn_index": 0, "session_hash": session_hash})
    return call(guard, token, "/gradio_api/queue/join", body.encode())


def test_a_session_hash_belongs_to_its_first_user() -> None:
    inner = Inner()
    guard = SessionGuard(inner)
    assert join(guard, "tok-ann", "h1") == 200
    assert join(guard, "tok-bob", "h1") == 404  # Bob presents Ann's hash
    assert call(guard, "tok-bob", "/gradio_api/queue/data", query="session_hash=h1") == 404
    assert call(guard, "tok-ann", "/gradio_api/queue/data", query="session_hash=h1") == 200
    assert len(inner.bodies) == 2  # Bob's join and stream never reached Gradio


def test_an_oversized_join_is_refused_before_gradio_sees_it() -> None:
    inner = Inner()
    guard = SessionGuard(inner)
    assert join(guard, "tok-ann", "h2", size=MAX_JOIN_BYTES + 1) == 413
    assert inner.bodies == []
    assert join(guard, "tok-ann", "h2", size=1000) == 200
    assert b'"session_hash": "h2"' in inner.bodies[0]  # the body is replayed whole


def test_joins_beyond_the_rate_get_429_per_user_and_the_minute_slides() -> None:
    now = [0.0]
    guard = SessionGuard(Inner(), max_joins_per_minute=5, clock=lambda: now[0])
    assert [join(guard, "tok-ann", f"a{i}") for i in range(6)] == [200] * 5 + [429]
    assert join(guard, "tok-bob", "b0") == 200  # another user has a budget of their own
    now[0] = 61.0
    assert join(guard, "tok-ann", "a9") == 200
