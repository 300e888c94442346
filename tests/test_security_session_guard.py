"""The session guard as plain ASGI: hash binding, body cap and per-user rate, no server."""

from __future__ import annotations

import asyncio
import json
from types import SimpleNamespace
from typing import Any

from tutor.ui.session_guard import (
    MAX_HASHES_PER_ACCOUNT,
    MAX_JOIN_BYTES,
    MAX_SESSIONS,
    SessionGuard,
)

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


def call(
    guard: SessionGuard,
    token: str | None,
    path: str,
    body: bytes = b"",
    query: str = "",
    cookie: str | None = None,
) -> int:
    if cookie is None and token is not None:
        cookie = f"access-token-{COOKIE_ID}={token}"
    scope = {
        "type": "http",
        "method": "POST" if body else "GET",
        "path": path,
        "query_string": query.encode(),
        "headers": [] if cookie is None else [(b"cookie", cookie.encode())],
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


def test_anonymous_joins_are_refused_and_evict_no_binding() -> None:
    """Issue 13 finding 15: 20,000 anonymous joins evicted every binding (they were bound to
    "no user"); now they are refused (401) before anything is kept."""
    inner = Inner()
    guard = SessionGuard(inner)

    async def flood() -> list[int]:
        statuses = [await _call(guard, "tok-ann", "/gradio_api/queue/join", _body("victim"))]
        for i in range(MAX_SESSIONS + 10):
            statuses.append(await _call(guard, None, "/gradio_api/queue/join", _body(f"a{i}")))
        statuses.append(await _call(guard, "tok-bob", "/gradio_api/queue/join", _body("victim")))
        return statuses

    statuses = asyncio.run(flood())
    assert statuses[0] == 200 and set(statuses[1:-1]) == {401}
    assert statuses[-1] == 404  # Ann's hash is still Ann's


def test_one_account_cannot_evict_the_others() -> None:
    guard = SessionGuard(Inner(), max_joins_per_minute=10**9)

    async def many() -> int:
        await _call(guard, "tok-ann", "/gradio_api/queue/join", _body("ann-1"))
        for i in range(MAX_HASHES_PER_ACCOUNT * 3):
            await _call(guard, "tok-bob", "/gradio_api/queue/join", _body(f"b{i}"))
        return await _call(guard, "tok-bob", "/gradio_api/queue/data", query="session_hash=ann-1")

    assert asyncio.run(many()) == 404
    assert len(guard.hashes_of["bob"]) == MAX_HASHES_PER_ACCOUNT


def test_repeated_parameters_closed_routes_and_cancel() -> None:
    inner = Inner()
    guard = SessionGuard(inner)
    assert join(guard, "tok-ann", "h1") == 200
    both = "session_hash=h2&session_hash=h1"
    assert call(guard, "tok-bob", "/gradio_api/queue/data", query=both) == 400
    assert call(guard, "tok-bob", "/gradio_api/call/send/h1") == 404
    assert call(guard, "tok-ann", "/gradio_api/upload", b"x") == 404
    assert call(guard, "tok-ann", "/gradio_api/token") == 404
    assert call(guard, "tok-bob", "/gradio_api/heartbeat/h1") == 404
    cancel = json.dumps({"session_hash": "h1", "fn_index": 0, "event_id": "e"}).encode()
    assert call(guard, "tok-bob", "/gradio_api/cancel", cancel) == 404
    assert call(guard, None, "/gradio_api/cancel", cancel) == 401
    assert call(guard, "tok-ann", "/gradio_api/cancel", cancel) == 200


def test_a_cookie_header_simplecookie_rejects_still_names_the_caller() -> None:
    """Finding 6: a malformed pair made the guard's SimpleCookie see nobody, while Gradio
    (Starlette's parser) still authenticated the request."""
    guard = SessionGuard(Inner(), max_joins_per_minute=2)
    odd = f'bad"cookie=1; x=\\"y; access-token-{COOKIE_ID}=tok-ann'
    statuses = [
        call(guard, "tok-ann", "/gradio_api/queue/join", _body(f"c{i}"), cookie=odd)
        for i in range(3)
    ]
    assert statuses == [200, 200, 429]


def test_deep_json_and_lone_surrogates_are_refused_with_400() -> None:
    guard = SessionGuard(Inner())
    deep = b'{"data": [' + b"[" * 100_000 + b"]" * 100_000 + b'], "session_hash": "d"}'
    assert call(guard, "tok-ann", "/gradio_api/queue/join", deep) == 400
    lone = b'{"data": ["\\ud800", []], "session_hash": "s"}'
    assert call(guard, "tok-ann", "/gradio_api/queue/join", lone) == 400
    pair = b'{"data": ["\\ud83d\\ude00", []], "session_hash": "s"}'  # a real emoji is fine
    assert call(guard, "tok-ann", "/gradio_api/queue/join", pair) == 200


def _body(session_hash: str) -> bytes:
    return json.dumps({"data": ["x"], "fn_index": 0, "session_hash": session_hash}).encode()


async def _call(
    guard: SessionGuard, token: str | None, path: str, body: bytes = b"", query: str = ""
) -> int:
    headers = [] if token is None else [(b"cookie", f"access-token-{COOKIE_ID}={token}".encode())]
    scope = {
        "type": "http",
        "method": "POST" if body else "GET",
        "path": path,
        "query_string": query.encode(),
        "headers": headers,
        "app": APP,
    }
    sent: list[dict] = []

    async def receive() -> dict:
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: dict) -> None:
        sent.append(message)

    await guard(scope, receive, send)
    return sent[0]["status"]
