"""Gradio's session hashes bound to accounts, on every route that takes one; routes the app
does not use, closed; per-account limits on the queue.

Gradio 6 hands the queue's results for `session_hash=H` to any logged-in caller who asks,
runs events joined under any H, and lets anyone cancel H's event (docs/security.md,
finding 5): the hash is a bearer token. Handlers take identity from `request.username`; this
closes the routes around them:

    route                              what carries the hash     check
    POST /gradio_api/queue/join        JSON body                 bind to caller / owner only
    GET  /gradio_api/queue/data        ?session_hash= (once!)    owner only
    GET  /gradio_api/heartbeat/{H}     path                      owner only
    POST /gradio_api/cancel            JSON body                 owner only (and logged in)
    /gradio_api/call/*, /upload, /token, /stream/*, ...          closed (404): the page never
                                                                 uses them

A hash is bound to the *account* (role and id, from the login session book) that first used
it; another account's use is answered 404, as for an unknown hash. A query string with a
repeated parameter is refused (the guard and FastAPI could read different copies). Queue
joins: body capped at MAX_JOIN_BYTES (413), JSON nesting capped and lone surrogates refused
(400), at most MAX_JOINS_PER_MINUTE per account (429) and at most MAX_PENDING_PER_ACCOUNT
events of one account queued or running at once (429): one student cannot fill the queue
that every other student shares.
"""

from __future__ import annotations

import json
import time
from collections import OrderedDict, deque
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import parse_qsl

from tutor.web.asgi import (
    BodyTimeout,
    BodyTooLarge,
    Receive,
    Scope,
    Send,
    read_body,
    refuse,
    replay,
)
from tutor.web.sessions import SessionBook, account_of

API = "/gradio_api"
MAX_JOIN_BYTES = 2 * 1024 * 1024  # a long chat history (the page sends it back each turn) fits
MAX_SMALL_BODY = 64 * 1024  # /cancel, /reset: a few ids
MAX_JSON_DEPTH = 64
MAX_SESSIONS = 20_000  # bindings kept, oldest dropped first
MAX_HASHES_PER_ACCOUNT = 64  # one account's bindings; its oldest go first
MAX_JOINS_PER_MINUTE = 300  # per account; a page makes about two per click, a flood far more
MAX_PENDING_PER_ACCOUNT = 3  # events of one account queued or running at once
BODY_TIMEOUT_S = 15.0

# Gradio routes the page never calls (the queue API is all it uses), closed with 404.
CLOSED_PREFIXES = tuple(
    f"{API}/{p}"
    for p in (
        "call/",
        "upload",
        "upload_progress",
        "token",
        "stream/",
        "proxy=",
        "run-history",
        "runs",
        "vibe-",
        "undo-vibe-edit",
        "process_recording",
        "dev/reload",
        "mcp",
    )
)
# `/gradio_api/call/<fn>` POST and `GET /gradio_api/call/<fn>/<event id>` (which falls back to
# reading the event id as a session hash) are both under "call/"; "run/" and "api/" are
# already closed by `api_open=False`.


class SessionGuard:
    """Pure ASGI middleware (see the module docstring)."""

    def __init__(
        self,
        app: Any,
        *,
        book: SessionBook | None = None,
        max_joins_per_minute: int = MAX_JOINS_PER_MINUTE,
        max_pending: int = MAX_PENDING_PER_ACCOUNT,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.app = app
        self.book = book
        self.owners: OrderedDict[str, str] = OrderedDict()
        self.hashes_of: dict[str, OrderedDict[str, None]] = {}
        self.max_joins_per_minute = max_joins_per_minute
        self.max_pending = max_pending
        self.clock = clock
        self.recent_joins: dict[str, deque[float]] = {}
        self.joining: dict[str, int] = {}

    async def __call__(self, scope: dict, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        path = scope.get("path", "")
        if not path.startswith(API):
            return await self.app(scope, receive, send)
        if path.startswith(CLOSED_PREFIXES):
            return await refuse(send, 404, "Not Found")
        if _repeats_a_parameter(scope):
            return await refuse(send, 400, "A query parameter appears more than once.")
        method = scope.get("method")
        if path.rstrip("/") == f"{API}/queue/join" and method == "POST":
            return await self._join(scope, receive, send)
        if path.rstrip("/") == f"{API}/queue/data":
            query = dict(parse_qsl(scope.get("query_string", b"").decode("latin-1")))
            return await self._owner_only(scope, receive, send, query.get("session_hash", ""))
        if path.startswith(f"{API}/heartbeat/"):
            return await self._owner_only(scope, receive, send, path.rsplit("/", 1)[-1])
        if path.rstrip("/") in (f"{API}/cancel", f"{API}/reset") and method == "POST":
            return await self._cancel(scope, receive, send)
        return await self.app(scope, receive, send)

    async def _owner_only(self, scope: Scope, receive: Receive, send: Send, hash_: str) -> None:
        account = account_of(scope, self.book)
        if account is None:
            return await refuse(send, 401, "Not authenticated")
        owner = self.owners.get(hash_)
        if owner is None:
            # The page's heartbeat comes before its first join: it claims the hash.
            self._bind(hash_, account)
        elif owner != account:
            return await refuse(send, 404, "Not Found")
        return await self.app(scope, receive, send)

    async def _cancel(self, scope: Scope, receive: Receive, send: Send) -> None:
        account = account_of(scope, self.book)
        if account is None:
            return await refuse(send, 401, "Not authenticated")
        body = await self._body(receive, send, MAX_SMALL_BODY)
        if body is None:
            return None
        parsed = _json_object(body)
        hash_ = str(parsed.get("session_hash") or "") if parsed is not None else ""
        if hash_ and self.owners.get(hash_, account) != account:
            return await refuse(send, 404, "Not Found")
        return await self.app(scope, replay(body, receive), send)

    async def _join(self, scope: Scope, receive: Receive, send: Send) -> None:
        account = account_of(scope, self.book)
        if account is None:
            return await refuse(send, 401, "Not authenticated")
        body = await self._body(receive, send, MAX_JOIN_BYTES)
        if body is None:
            return None
        problem = _body_problem(body)
        if problem is not None:
            return await refuse(send, 400, problem)
        parsed = _json_object(body) or {}
        hash_ = str(parsed.get("session_hash") or "")
        if self._over_rate(account):
            return await refuse(send, 429, "Too many requests: please wait a moment.")
        if hash_:
            owner = self.owners.get(hash_, account)
            if owner != account:
                return await refuse(send, 404, "Not Found")
        if self._pending(scope, account) >= self.max_pending:
            return await refuse(
                send, 429, "Your earlier requests are still running: wait for them to finish."
            )
        if hash_:
            self._bind(hash_, account)
        self.joining[account] = self.joining.get(account, 0) + 1
        try:
            return await self.app(scope, replay(body, receive), send)
        finally:
            self.joining[account] -= 1
            if not self.joining[account]:
                del self.joining[account]

    async def _body(self, receive: Receive, send: Send, limit: int) -> bytes | None:
        try:
            return await read_body(receive, limit=limit, timeout_s=BODY_TIMEOUT_S)
        except BodyTooLarge:
            await refuse(send, 413, "The request is too large.")
        except BodyTimeout:
            await refuse(send, 408, "The request was not completed in time.")
        return None

    def _bind(self, hash_: str, account: str) -> None:
        if not hash_:
            return
        self.owners[hash_] = account
        self.owners.move_to_end(hash_)
        mine = self.hashes_of.setdefault(account, OrderedDict())
        mine[hash_] = None
        mine.move_to_end(hash_)
        while len(mine) > MAX_HASHES_PER_ACCOUNT:
            old, _ = mine.popitem(last=False)
            self.owners.pop(old, None)
        while len(self.owners) > MAX_SESSIONS:
            old, owner = self.owners.popitem(last=False)
            theirs = self.hashes_of.get(owner)
            if theirs is not None:
                theirs.pop(old, None)
                if not theirs:
                    del self.hashes_of[owner]

    def _pending(self, scope: Scope, account: str) -> int:
        """The account's events now queued or running in Gradio's queue, plus joins of the
        account still on their way in."""
        mine: Mapping[str, None] = self.hashes_of.get(account, {})
        count = self.joining.get(account, 0)
        queue = _gradio_queue(scope)
        if queue is None:
            return count
        for event_queue in getattr(queue, "event_queue_per_concurrency_id", {}).values():
            count += sum(1 for e in event_queue.queue if getattr(e, "session_hash", None) in mine)
        for job in getattr(queue, "active_jobs", []):
            for event in job or []:
                count += getattr(event, "session_hash", None) in mine
        return count

    def _over_rate(self, account: str) -> bool:
        """Count this join in the account's sliding minute; True when it is one too many."""
        now = self.clock()
        joins = self.recent_joins.setdefault(account, deque())
        while joins and now - joins[0] >= 60.0:
            joins.popleft()
        if len(joins) >= self.max_joins_per_minute:
            return True
        joins.append(now)
        return False


def _gradio_queue(scope: Scope) -> Any:
    app = scope.get("app")
    get_blocks = getattr(app, "get_blocks", None)
    if get_blocks is None:
        return None
    try:
        return getattr(get_blocks(), "_queue", None)
    except Exception:  # no blocks configured (plain ASGI tests)
        return None


def _repeats_a_parameter(scope: Scope) -> bool:
    pairs = parse_qsl(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True)
    names = [name for name, _ in pairs]
    return len(names) != len(set(names))


def _json_object(body: bytes) -> dict[str, Any] | None:
    try:
        parsed = json.loads(body)
    except (ValueError, RecursionError):
        return None
    return parsed if isinstance(parsed, dict) else None


def _body_problem(body: bytes) -> str | None:
    """Why a join body is refused before anyone parses it for real, or None.

    Nesting deeper than MAX_JSON_DEPTH is found by one pass over the bytes (a 100k-deep
    array once made the parser raise RecursionError: a 500); a lone UTF-16 surrogate in any
    string cannot be stored or sent back as UTF-8.
    """
    depth = 0
    in_string = False
    escaped = False
    for byte in body:
        if in_string:
            if escaped:
                escaped = False
            elif byte == 0x5C:  # backslash
                escaped = True
            elif byte == 0x22:  # quote
                in_string = False
        elif byte == 0x22:
            in_string = True
        elif byte in (0x5B, 0x7B):  # [ {
            depth += 1
            if depth > MAX_JSON_DEPTH:
                return "The request is nested too deeply."
        elif byte in (0x5D, 0x7D):
            depth -= 1
    try:
        parsed = json.loads(body)
    except ValueError:
        return "The request is not valid JSON."
    if _has_lone_surrogate(parsed):
        return "The request contains text that is not valid Unicode."
    return None


def _has_lone_surrogate(value: Any) -> bool:
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            try:
                item.encode("utf-8")
            except UnicodeEncodeError:
                return True
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False
