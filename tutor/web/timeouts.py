"""A deadline on request bodies: a client that stops sending mid-body is answered 408.

Uvicorn waits forever for the rest of a body whose Content-Length was not met (an attacker
held 55 such requests open for over 70 s). Each `receive()` before the body's end must
arrive within `timeout_s`; after the body is complete, `receive()` waits freely again (an
SSE stream legitimately waits minutes for the disconnect). A client slow to send its
*headers* never reaches the app at all: that limit belongs to the proxy in front
(docs/security.md).
"""

from __future__ import annotations

import asyncio

from tutor.web.asgi import ASGIApp, Message, Receive, Scope, Send, refuse

BODY_TIMEOUT_S = 15.0


class _Abandoned(Exception):
    """The client stopped sending its body."""


class BodyDeadline:
    """Pure ASGI middleware (see the module docstring)."""

    def __init__(self, app: ASGIApp, *, timeout_s: float = BODY_TIMEOUT_S) -> None:
        self.app = app
        self.timeout_s = timeout_s

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        complete = False
        started = False

        async def timed_receive() -> Message:
            nonlocal complete
            if complete:
                return await receive()
            try:
                message = await asyncio.wait_for(receive(), timeout=self.timeout_s)
            except TimeoutError as error:
                raise _Abandoned from error
            if message.get("type") != "http.request" or not message.get("more_body", False):
                complete = True
            return message

        async def tracked_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, timed_receive, tracked_send)
        except _Abandoned:
            if not started:
                await refuse(send, 408, "The request was not completed in time.")
