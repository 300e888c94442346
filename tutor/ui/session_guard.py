"""Bind each Gradio session hash to its first user; cap queue-join bodies and their rate.

Gradio 6 hands the queue's results for `session_hash=H` to any logged-in caller who asks for
them, and runs events joined under any H (../shared/notes/security.md §1.5): the hash is a
bearer token. Handlers already take identity from `request.username`; this closes the stream
side, so one student cannot read another's pending replies by presenting their hash.
"""

from __future__ import annotations

import json
import time
from collections import OrderedDict, deque
from collections.abc import Callable
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import parse_qs

MAX_JOIN_BYTES = 2 * 1024 * 1024  # a long chat history (the page sends it back each turn) fits
MAX_SESSIONS = 20_000  # bindings kept, oldest dropped first
MAX_JOINS_PER_MINUTE = 300  # per user; a page makes about two per click, a flood far more


class SessionGuard:
    """Pure ASGI middleware: a Gradio session hash belongs to the user who first used it.

    Gradio hands the queue's results for `session_hash=H` to any logged-in caller who asks
    (/queue/data) and runs events joined with any H. This binds H to the username behind the
    login cookie on its first /queue/join, refuses another user's join or stream on H (404, as
    for an unknown hash), refuses a join body over MAX_JOIN_BYTES with 413 before parsing, and
    a user's joins beyond `max_joins_per_minute` with 429 (Gradio's queue has no per-user
    limit: one account could otherwise fill it, or mint hashes until real sessions are evicted).
    """

    def __init__(
        self,
        app: Any,
        *,
        max_joins_per_minute: int = MAX_JOINS_PER_MINUTE,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.app = app
        self.owners: OrderedDict[str, str | None] = OrderedDict()
        self.max_joins_per_minute = max_joins_per_minute
        self.clock = clock
        self.recent_joins: dict[str, deque[float]] = {}

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        path = scope.get("path", "") if scope["type"] == "http" else ""
        if path.endswith("/queue/join") and scope.get("method") == "POST":
            return await self._join(scope, receive, send)
        if path.endswith("/queue/data"):
            query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
            hash_ = (query.get("session_hash") or [""])[0]
            if hash_ in self.owners and self.owners[hash_] != _username(scope):
                return await _refuse(send, 404, "Not Found")
        return await self.app(scope, receive, send)

    async def _join(self, scope: dict, receive: Any, send: Any) -> None:
        body = b""
        more = True
        while more:
            message = await receive()
            body += message.get("body", b"")
            more = message.get("more_body", False)
            if len(body) > MAX_JOIN_BYTES:
                return await _refuse(send, 413, "The request is too large.")
        try:
            hash_ = str(json.loads(body).get("session_hash") or "")
        except (ValueError, AttributeError):
            hash_ = ""
        user = _username(scope)
        if user is not None and self._over_rate(user):
            return await _refuse(send, 429, "Too many requests: please wait a moment.")
        if hash_:
            owner = self.owners.get(hash_, user)
            if owner != user:
                return await _refuse(send, 404, "Not Found")
            self.owners[hash_] = user
            self.owners.move_to_end(hash_)
            while len(self.owners) > MAX_SESSIONS:
                self.owners.popitem(last=False)
        replayed = False

        async def replay() -> dict:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        return await self.app(scope, replay, send)

    def _over_rate(self, user: str) -> bool:
        """Count this join in the user's sliding minute; True when it is one too many."""
        now = self.clock()
        joins = self.recent_joins.setdefault(user, deque())
        while joins and now - joins[0] >= 60.0:
            joins.popleft()
        if len(joins) >= self.max_joins_per_minute:
            return True
        joins.append(now)
        return False


def _username(scope: dict) -> str | None:
    """The user Gradio's login cookie names (the same lookup as gradio's get_current_user)."""
    app = scope.get("app")
    cookie_id = getattr(app, "cookie_id", None)
    tokens = getattr(app, "tokens", None)
    if cookie_id is None or tokens is None:
        return None
    header = b"; ".join(v for k, v in scope.get("headers", []) if k == b"cookie")
    jar = SimpleCookie(header.decode("latin-1"))
    for name in (f"access-token-{cookie_id}", f"access-token-unsecure-{cookie_id}"):
        if name in jar:
            return tokens.get(jar[name].value)
    return None


async def _refuse(send: Any, status: int, detail: str) -> None:
    payload = json.dumps({"detail": detail}).encode()
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(payload)).encode()),
    ]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": payload})
