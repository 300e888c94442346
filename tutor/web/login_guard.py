"""The login route: budgets before any work, the check off the event loop, safe cookies.

Gradio's `POST /login` calls our `auth` *on the event loop* when it is a plain function, and
has no limit of its own: one slow check (argon2, a database write, once a backtracking
regular expression) stalls every route for every user. Here:

    POST /login --> per-client and global token buckets --(empty)--> 429 after a short delay
       |            body capped at MAX_LOGIN_BODY, read with a timeout --> 413 / 408
       v
    Gradio's login --> our async auth --> at most `workers` checks in threads, at most
       |                                  `max_waiting` waiting (beyond: refused at once)
       v
    200: the token is bound to the account (SessionBook), Gradio's table holds the account's
         one spelling of its name, and ONE cookie is sent: HttpOnly, SameSite=Lax, Secure
         when the browser came over https (Gradio sends two, one SameSite=None, one without
         Secure).

    400: Gradio's "Incorrect credentials." is replaced by the app's own words for this
         attempt (`explain`: wrong, N tries left, or locked and for how long), which the
         login page shows (tutor.ui.login_page).

Refusals and failed logins wait REFUSAL_DELAY_S before answering (never more than
MAX_DELAYED at once), so a client hammering the route gets a slow trickle of answers instead
of a fast stream; an over-long url-encoded name is refused here, before Gradio parses it.
"""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict
from collections.abc import Callable, Coroutine
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any, Protocol
from urllib.parse import parse_qs

import anyio

from tutor.web.asgi import (
    ASGIApp,
    BodyTimeout,
    BodyTooLarge,
    Message,
    Receive,
    Scope,
    Send,
    client_address,
    is_https,
    read_body,
    refuse,
    replay,
)
from tutor.web.sessions import SESSION_LIFETIME_S, SessionBook

MAX_LOGIN_BODY = 8 * 1024  # a 200-character name and a 1024-character password, encoded
MAX_USERNAME_CHARS = 200  # as tutor.accounts (a teacher's name or "CODE/name")
MAX_PASSWORD_CHARS = 1024
BODY_TIMEOUT_S = 10.0
REFUSAL_DELAY_S = 1.0
MAX_DELAYED = 256
PER_CLIENT_BURST = 100  # a class of 50 behind one school address logs in at 9:00
PER_CLIENT_PER_S = 1.0
GLOBAL_BURST = 300
GLOBAL_PER_S = 10.0
CHECK_WORKERS = 2  # argon2 checks at once (each takes ~64 MiB and a core for ~50 ms)
MAX_WAITING = 64  # checks waiting for a worker; beyond that a login is refused at once
MAX_CLIENTS_TRACKED = 10_000


class LoginOutcome(Protocol):
    """What the store's login returns on success (tutor.accounts.LoginResult)."""

    @property
    def session_name(self) -> str: ...

    @property
    def credential_version(self) -> int: ...

    @property
    def identity(self) -> Any: ...


LoginCheck = Callable[[str, str, str | None], LoginOutcome | None]  # name, secret, client
RefusalWords = Callable[[str, str | None], str]  # name, client -> why this login failed


@dataclass
class _Attempt:
    client: str
    outcome: LoginOutcome | None = None
    refusal: str | None = None  # the words for a failed check (None: Gradio's own)


_ATTEMPT: ContextVar[_Attempt | None] = ContextVar("tutor_login_attempt", default=None)


@dataclass
class _Bucket:
    tokens: float
    at: float


@dataclass
class LoginBudgets:
    """Token buckets: one per client address (LRU-bounded) and one for everyone."""

    per_client_burst: float = PER_CLIENT_BURST
    per_client_per_s: float = PER_CLIENT_PER_S
    global_burst: float = GLOBAL_BURST
    global_per_s: float = GLOBAL_PER_S
    clock: Callable[[], float] = time.monotonic
    _clients: OrderedDict[str, _Bucket] = field(default_factory=OrderedDict)
    _global: _Bucket | None = None

    def admit(self, client: str) -> bool:
        """Take one token from the client's bucket and the global one; False if either is
        empty (nothing is taken then)."""
        now = self.clock()
        mine = self._clients.pop(client, None) or _Bucket(self.per_client_burst, now)
        self._clients[client] = mine
        while len(self._clients) > MAX_CLIENTS_TRACKED:
            self._clients.popitem(last=False)
        if self._global is None:
            self._global = _Bucket(self.global_burst, now)
        _refill(mine, now, self.per_client_burst, self.per_client_per_s)
        _refill(self._global, now, self.global_burst, self.global_per_s)
        if mine.tokens < 1 or self._global.tokens < 1:
            return False
        mine.tokens -= 1
        self._global.tokens -= 1
        return True


def _refill(bucket: _Bucket, now: float, burst: float, per_s: float) -> None:
    bucket.tokens = min(burst, bucket.tokens + (now - bucket.at) * per_s)
    bucket.at = now


def make_auth(
    check: LoginCheck,
    *,
    explain: RefusalWords | None = None,
    workers: int = CHECK_WORKERS,
    max_waiting: int = MAX_WAITING,
) -> Callable[[str, str], Coroutine[Any, Any, bool]]:
    """Gradio's `auth=`: an `async def` (Gradio awaits it instead of running it on the loop)
    that runs `check` in at most `workers` threads, with at most `max_waiting` waiting; after
    a failed check, `explain` (in the same threads) words why, for the guard to answer with."""
    limiter: anyio.CapacityLimiter | None = None
    waiting = 0

    async def auth(username: str, password: str) -> bool:
        nonlocal limiter, waiting
        if limiter is None:
            limiter = anyio.CapacityLimiter(workers)
        attempt = _ATTEMPT.get()
        if waiting >= max_waiting:
            return False
        waiting += 1
        try:
            client = attempt.client if attempt is not None else None
            outcome = await anyio.to_thread.run_sync(
                check, username, password, client, limiter=limiter
            )
            if outcome is None and explain is not None and attempt is not None:
                attempt.refusal = await anyio.to_thread.run_sync(
                    explain, username, client, limiter=limiter
                )
        finally:
            waiting -= 1
        if attempt is not None:
            attempt.outcome = outcome
        return outcome is not None

    return auth


class LoginGuard:
    """Pure ASGI middleware on `POST /login` (see the module docstring)."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        book: SessionBook,
        budgets: LoginBudgets | None = None,
        refusal_delay_s: float | None = None,
    ) -> None:
        self.app = app
        self.book = book
        self.budgets = budgets or LoginBudgets()
        self.refusal_delay_s = refusal_delay_s
        self._delayed = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope.get("method") != "POST"
            or scope.get("path", "").rstrip("/") != "/login"
        ):
            return await self.app(scope, receive, send)
        client = client_address(scope)
        if not self.budgets.admit(client):
            return await self._refuse(send, 429, "Too many login attempts: wait a minute.")
        try:
            body = await read_body(receive, limit=MAX_LOGIN_BODY, timeout_s=BODY_TIMEOUT_S)
        except BodyTooLarge:
            return await self._refuse(send, 413, "That username or password is too long.")
        except BodyTimeout:
            return await self._refuse(send, 408, "The login request was not completed.")
        if _overlong_form(scope, body):
            return await self._refuse(send, 400, "Incorrect credentials.")
        attempt = _Attempt(client)
        marker = _ATTEMPT.set(attempt)
        try:
            await self.app(scope, replay(body, receive), self._sending(scope, send, attempt))
        finally:
            _ATTEMPT.reset(marker)

    def _sending(self, scope: Scope, send: Send, attempt: _Attempt) -> Send:
        reworded = False

        async def sending(message: Message) -> None:
            nonlocal reworded
            if message["type"] == "http.response.start":
                if message.get("status") == 200:
                    message["headers"] = self._bound_cookie(scope, message, attempt)
                else:  # a failed login answers no faster than a refused one
                    await self._delay()
                    reworded = message.get("status") == 400 and attempt.refusal is not None
                    if reworded:
                        return  # Gradio's answer is replaced by ours once its body ends
            elif reworded and message["type"] == "http.response.body":
                if not message.get("more_body", False):
                    await refuse(send, 400, attempt.refusal or "Incorrect credentials.")
                return
            await send(message)

        return sending

    def _bound_cookie(self, scope: Scope, message: Message, attempt: _Attempt) -> list[Any]:
        """Bind Gradio's new token to the account and replace its two cookies by one."""
        gradio = scope.get("app")
        cookie_id = getattr(gradio, "cookie_id", "")
        tokens: dict[str, str] = getattr(gradio, "tokens", {})
        kept, token = [], None
        for name, value in message.get("headers", []):
            text = bytes(value).decode("latin-1")
            if name.lower() == b"set-cookie" and text.startswith("access-token-"):
                if text.startswith(f"access-token-{cookie_id}="):
                    token = text.split("=", 1)[1].split(";", 1)[0]
                continue
            kept.append((name, value))
        outcome = attempt.outcome
        if token is None or outcome is None:
            if token is not None:
                tokens.pop(token, None)  # fail closed: a login we did not check
            return kept
        self.book.gradio_tokens = tokens
        who = outcome.identity
        self.book.bind(
            token,
            role=who.role,
            account_id=who.id,
            version=outcome.credential_version,
            session_name=outcome.session_name,
        )
        tokens[token] = outcome.session_name
        secure = is_https(scope)
        name = f"access-token-{cookie_id}" if secure else f"access-token-unsecure-{cookie_id}"
        attributes = f"HttpOnly; Max-Age={int(SESSION_LIFETIME_S)}; Path=/; SameSite=Lax"
        cookie = f"{name}={token}; {attributes}" + ("; Secure" if secure else "")
        kept.append((b"set-cookie", cookie.encode("latin-1")))
        return kept

    async def _refuse(self, send: Send, status: int, detail: str) -> None:
        await self._delay()
        await refuse(send, status, detail, headers=[(b"retry-after", b"60")])

    async def _delay(self) -> None:
        delay = REFUSAL_DELAY_S if self.refusal_delay_s is None else self.refusal_delay_s
        if self._delayed < MAX_DELAYED and delay > 0:
            self._delayed += 1
            try:
                await asyncio.sleep(delay)
            finally:
                self._delayed -= 1


def _overlong_form(scope: Scope, body: bytes) -> bool:
    """Whether a url-encoded login form carries a username or password longer than any
    account's (refused here, before Gradio parses the form or a worker thread is woken).
    Multipart forms (the browser's) are left to Gradio; the check behind `auth` refuses
    them unread."""
    content_type = next(
        (bytes(v).decode("latin-1") for k, v in scope.get("headers", []) if k == b"content-type"),
        "",
    )
    if not content_type.startswith("application/x-www-form-urlencoded"):
        return False
    try:
        fields = parse_qs(body.decode("latin-1"), max_num_fields=8, keep_blank_values=True)
    except ValueError:  # more fields than a login form has
        return True
    username = (fields.get("username") or [""])[0]
    password = (fields.get("password") or [""])[0]
    return len(username) > MAX_USERNAME_CHARS or len(password) > MAX_PASSWORD_CHARS
