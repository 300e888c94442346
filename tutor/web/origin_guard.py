"""Refuse cross-site requests before Gradio sees them.

Gradio's CORS middleware treats every Origin as allowed when the Host is not localhost and
answers with `Access-Control-Allow-Credentials: true`, and its login cookie is
`SameSite=None`: a page on any other site, opened by a logged-in teacher, could read and
drive the app (including `/gradio_api/token`, the raw session token). Our login cookie is
now `SameSite=Lax` (see login_guard), and this guard refuses, with 403, any request that a
browser marks as coming from another origin:

- an `Origin` header whose host and port differ from the request's `Host` (or "null");
- `Sec-Fetch-Site: cross-site` / `same-site` on anything but a plain page navigation (a link
  from a school's website to the app still works; a script's fetch does not).

A script on another site can still *send* a request the browser lets through without CORS
(a form post), but it is refused here before any handler runs, and it cannot read any answer.
Gradio's CORS layer sits outside ours, so it may still echo the Origin on a preflight or on
our 403; neither carries data. `extra_origins` admits named origins (e.g. an LMS embedding
the app), as "https://host[:port]".
"""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import urlsplit

from tutor.web.asgi import ASGIApp, Receive, Scope, Send, header, refuse

CROSS_SITE = "Cross-site requests are not accepted."
_NAVIGATION_METHODS = frozenset({"GET", "HEAD"})


def _origin_netloc(origin: str) -> str | None:
    try:
        parts = urlsplit(origin.strip())
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    default = 443 if parts.scheme == "https" else 80
    try:
        port = parts.port or default
    except ValueError:
        return None
    return f"{parts.hostname.lower()}:{port}"


class OriginGuard:
    """Pure ASGI middleware: same-origin requests (and plain navigations) only."""

    def __init__(self, app: ASGIApp, *, extra_origins: Iterable[str] = ()) -> None:
        self.app = app
        self.extra = {n for n in (_origin_netloc(o) for o in extra_origins) if n}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket") and not self._allowed(scope):
            if scope["type"] == "websocket":
                await send({"type": "websocket.close", "code": 1008})
                return
            return await refuse(send, 403, CROSS_SITE)
        return await self.app(scope, receive, send)

    def _allowed(self, scope: Scope) -> bool:
        origin = header(scope, b"origin")
        if origin is not None and not self._same_origin(scope, origin):
            return False
        site = (header(scope, b"sec-fetch-site") or "").lower()
        if site in ("cross-site", "same-site"):
            mode = (header(scope, b"sec-fetch-mode") or "").lower()
            navigation = mode == "navigate" and scope.get("method") in _NAVIGATION_METHODS
            logout = scope.get("path", "").rstrip("/").endswith("/logout")
            return navigation and not logout and origin is None
        return True

    def _same_origin(self, scope: Scope, origin: str) -> bool:
        netloc = _origin_netloc(origin)
        if netloc is None:
            return False  # "null", a file: page, garbage
        if netloc in self.extra:
            return True
        host = header(scope, b"host") or ""
        # The scheme the browser used is the origin's; a TLS proxy in front changes ours.
        scheme = urlsplit(origin.strip()).scheme
        return _origin_netloc(f"{scheme}://{host}") == netloc
