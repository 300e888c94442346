"""Small ASGI helpers the guards share: headers, the caller's address, cookies, refusals and a
bounded, timed read of a request body."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from starlette.requests import cookie_parser

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "::1", "[::1]", "0.0.0.0"})


class BodyTooLarge(Exception):
    """The body passed its cap before it ended."""


class BodyTimeout(Exception):
    """The client stopped sending the body (a slow or abandoned request)."""


def header(scope: Scope, name: bytes) -> str | None:
    """The first value of a header (names are lower case in ASGI), decoded as latin-1."""
    for key, value in scope.get("headers", []):
        if key == name:
            return bytes(value).decode("latin-1")
    return None


def cookies(scope: Scope) -> dict[str, str]:
    """The request's cookies, by Starlette's parser: the one Gradio itself reads, so the guards
    see exactly the cookie Gradio will authenticate (Python's SimpleCookie drops the whole
    header on one malformed pair, which once let a caller look anonymous to a guard)."""
    joined = "; ".join(
        bytes(v).decode("latin-1") for k, v in scope.get("headers", []) if k == b"cookie"
    )
    return cookie_parser(joined)


def client_address(scope: Scope) -> str:
    """The caller's address as the server sees it (uvicorn applies X-Forwarded-For only from
    the proxies in FORWARDED_ALLOW_IPS)."""
    client = scope.get("client")
    return str(client[0]) if client else "unknown"


def is_https(scope: Scope) -> bool:
    """Whether the browser reached us over TLS: our own scheme, or the proxy's word for it.

    Trusting X-Forwarded-Proto here is safe: a wrong "https" only makes a browser on plain
    HTTP drop the Secure cookie (its own login fails), it never weakens the cookie.
    """
    if scope.get("scheme") in ("https", "wss"):
        return True
    return (header(scope, b"x-forwarded-proto") or "").split(",")[0].strip() == "https"


def host_name(scope: Scope) -> str:
    host = header(scope, b"host") or ""
    if host.startswith("["):
        return host.split("]")[0] + "]"
    return host.rsplit(":", 1)[0].lower()


async def refuse(
    send: Send, status: int, detail: str, *, headers: list[tuple[bytes, bytes]] | None = None
) -> None:
    """A small JSON refusal, as Gradio's own errors look."""
    payload = json.dumps({"detail": detail}).encode()
    head = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(payload)).encode()),
        *(headers or []),
    ]
    await send({"type": "http.response.start", "status": status, "headers": head})
    await send({"type": "http.response.body", "body": payload})


async def read_body(receive: Receive, *, limit: int, timeout_s: float) -> bytes:
    """The whole body, or BodyTooLarge past `limit` bytes, or BodyTimeout when the client
    sends nothing for `timeout_s` seconds."""
    body = bytearray()
    while True:
        try:
            message = await asyncio.wait_for(receive(), timeout=timeout_s)
        except TimeoutError as error:
            raise BodyTimeout from error
        if message.get("type") == "http.disconnect":
            raise BodyTimeout
        body += message.get("body", b"")
        if len(body) > limit:
            raise BodyTooLarge
        if not message.get("more_body", False):
            return bytes(body)


def replay(body: bytes, receive: Receive) -> Receive:
    """A `receive` that hands the already-read body to the app once, then defers to the real
    one (which then reports the disconnect)."""
    sent = False

    async def again() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return again
