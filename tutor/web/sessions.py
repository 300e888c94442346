"""Login sessions bound to an account and its credential version, expiring, revocable.

Gradio's `auth=` keeps `token -> username as typed` and nothing else: a token never expires,
it follows the *name* (delete a student, re-add the name, and the old browser is logged in
as the new account), and "log out everywhere" finds only tokens typed with the same
spelling. The book below keeps, per token, the account (role, id) and the credential
version it was issued under, and the gate middleware checks every request against it:

    request cookie -> token -> Binding(role, id, version, expires)
                                   |  expired, unknown, account gone or version moved on
                                   v
                      token dropped from Gradio's table -> Gradio sees an anonymous caller

The credential version is re-read from the store at most every `recheck_s` seconds per
token, off the event loop. Logout ends every token of the caller's *account*, and then runs
the app's `on_logout` for that account (the tutor ends a student's open chat session, so its
summary is written and the teacher sees it ended).
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import anyio

from tutor.web.asgi import ASGIApp, Receive, Scope, Send, cookies

SESSION_LIFETIME_S = 12 * 3600  # a school day; the browser's cookie expires with it
RECHECK_S = 2.0  # how stale a credential-version check may be
MAX_SESSIONS = 100_000  # tokens kept; the oldest go first (Gradio's own table is pruned too)

VersionLookup = Callable[[str, int], "int | None"]  # (role, account id) -> version or None
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Binding:
    """What one login token stands for."""

    role: str
    account_id: int
    credential_version: int
    session_name: str  # the one spelling of the account's name Gradio's table holds
    expires_at: float

    @property
    def account(self) -> str:
        return f"{self.role}:{self.account_id}"


class SessionBook:
    """token -> Binding, with expiry, revocation by account, and credential checks."""

    def __init__(
        self,
        lookup_version: VersionLookup,
        *,
        lifetime_s: float = SESSION_LIFETIME_S,
        recheck_s: float = RECHECK_S,
        max_sessions: int = MAX_SESSIONS,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.lookup_version = lookup_version
        self.lifetime_s = lifetime_s
        self.recheck_s = recheck_s
        self.max_sessions = max_sessions
        self.clock = clock
        self._bindings: OrderedDict[str, Binding] = OrderedDict()
        self._checked: dict[str, float] = {}
        self._lock = threading.Lock()
        self.gradio_tokens: dict[str, str] | None = None  # Gradio's table, once seen

    def bind(
        self, token: str, *, role: str, account_id: int, version: int, session_name: str
    ) -> Binding:
        binding = Binding(role, account_id, version, session_name, self.clock() + self.lifetime_s)
        with self._lock:
            self._bindings[token] = binding
            self._checked[token] = self.clock()
            while len(self._bindings) > self.max_sessions:
                old, _ = self._bindings.popitem(last=False)
                self._forget(old)
        return binding

    def binding(self, token: str) -> Binding | None:
        """The token's binding if it is still current by the clock (no store read)."""
        with self._lock:
            found = self._bindings.get(token)
        if found is None or found.expires_at <= self.clock():
            return None
        return found

    async def check(self, token: str) -> Binding | None:
        """The binding, if the token is known, unexpired and its account still has the same
        credential version (re-read at most every `recheck_s`); else the token is revoked."""
        found = self.binding(token)
        if found is None:
            self.revoke(token)
            return None
        if self.clock() - self._checked.get(token, 0.0) < self.recheck_s:
            return found
        version = await anyio.to_thread.run_sync(self.lookup_version, found.role, found.account_id)
        if version != found.credential_version:
            self.revoke(token)
            return None
        self._checked[token] = self.clock()
        return found

    def revoke(self, token: str) -> None:
        with self._lock:
            self._bindings.pop(token, None)
            self._forget(token)

    def revoke_account(self, account: str) -> int:
        """End every session of one account (however its name was typed); returns how many."""
        with self._lock:
            tokens = [t for t, b in self._bindings.items() if b.account == account]
            for token in tokens:
                del self._bindings[token]
                self._forget(token)
        return len(tokens)

    def _forget(self, token: str) -> None:
        self._checked.pop(token, None)
        if self.gradio_tokens is not None:
            self.gradio_tokens.pop(token, None)


def login_token(scope: Scope) -> str | None:
    """The token in Gradio's login cookie (either of its two names), if any."""
    app = scope.get("app")
    cookie_id = getattr(app, "cookie_id", None)
    if cookie_id is None:
        return None
    jar = cookies(scope)
    return jar.get(f"access-token-{cookie_id}") or jar.get(f"access-token-unsecure-{cookie_id}")


class SessionGate:
    """Pure ASGI middleware: every request's login token must be bound and current.

    A token Gradio knows but the book does not vouch for (expired, never bound, account
    deleted, PIN reset, password changed) is removed from Gradio's table before Gradio reads
    it, so the request goes on as an anonymous one (401, or the login page). `/logout` ends
    every session of the caller's account and runs `on_logout(binding)` (in a worker thread;
    its failure is logged, never in the way of the logout), then Gradio clears the cookie.
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        book: SessionBook,
        on_logout: Callable[[Binding], None] | None = None,
    ) -> None:
        self.app = app
        self.book = book
        self.on_logout = on_logout

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            return await self.app(scope, receive, send)
        gradio = scope.get("app")
        tokens: dict[str, str] | None = getattr(gradio, "tokens", None)
        if tokens is not None:
            self.book.gradio_tokens = tokens
        token = login_token(scope)
        if token is not None and tokens is not None and token in tokens:
            binding = await self.book.check(token)
            if binding is not None and scope.get("path", "").rstrip("/").endswith("/logout"):
                self.book.revoke_account(binding.account)
                await self._logged_out(binding)
        return await self.app(scope, receive, send)

    async def _logged_out(self, binding: Binding) -> None:
        if self.on_logout is None:
            return
        try:
            await anyio.to_thread.run_sync(self.on_logout, binding)
        except Exception:  # the logout itself already happened; say what did not
            log.exception("after the logout of %s", binding.account)


def account_of(scope: Scope, book: SessionBook | None) -> str | None:
    """The caller's account ("role:id") from the login cookie; with no book (plain Gradio in
    unit tests), the username Gradio's table holds for the token."""
    token = login_token(scope)
    if token is None:
        return None
    if book is not None:
        found = book.binding(token)
        return None if found is None else found.account
    tokens: Any = getattr(scope.get("app"), "tokens", None) or {}
    user = tokens.get(token)
    return None if user is None else str(user)
