"""A `<script>` of the app's own in the page's `<head>`, on the login page too.

Gradio's login card is rendered by its frontend, and the one part an app controls there,
`auth_message`, is inserted as HTML where a `<script>` does not run; `Blocks(head=...)`
reaches only the logged-in page. So this middleware adds the app's script to the HTML that
`GET /` answers with (the login page and the app alike), before `</head>`:

    GET / --> Gradio's index.html --(text/html, has </head>)--> + <script>...</script>

Anything else (other paths, methods, content types, a streamed or oversized body) passes
through untouched. The script is the app's own constant text, never built from a request.
"""

from __future__ import annotations

from tutor.web.asgi import ASGIApp, Message, Receive, Scope, Send

MAX_PAGE_BYTES = 4 * 1024 * 1024  # Gradio's index.html with its inlined config is far smaller


class PageScript:
    """Pure ASGI middleware: inject `script` (a whole `<script>` element) into `GET /`."""

    def __init__(self, app: ASGIApp, *, script: str) -> None:
        if not script.startswith("<script") or not script.rstrip().endswith("</script>"):
            raise ValueError("script must be one <script>...</script> element")
        self.app = app
        self.script = script.encode("utf-8")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope.get("method") != "GET"
            or scope.get("path", "").rstrip("/") != ""
        ):
            return await self.app(scope, receive, send)
        start: Message | None = None
        body = bytearray()
        passing = False

        async def sending(message: Message) -> None:
            nonlocal start, passing
            if passing:
                return await send(message)
            if message["type"] == "http.response.start":
                if _is_html(message):
                    start = message
                    return None
                passing = True
                return await send(message)
            if message["type"] != "http.response.body" or start is None:
                return await send(message)
            body.extend(message.get("body", b""))
            if len(body) > MAX_PAGE_BYTES:  # not a page we know: send it as it came
                passing = True
                await send(start)
                return await send({**message, "body": bytes(body)})
            if message.get("more_body", False):
                return None
            page = _with_script(bytes(body), self.script)
            headers = [
                (k, v) for k, v in start.get("headers", []) if k.lower() != b"content-length"
            ]
            headers.append((b"content-length", str(len(page)).encode()))
            await send({**start, "headers": headers})
            await send({"type": "http.response.body", "body": page, "more_body": False})

        await self.app(scope, receive, sending)


def _is_html(message: Message) -> bool:
    for key, value in message.get("headers", []):
        if key.lower() == b"content-type":
            return bytes(value).lower().startswith(b"text/html")
    return False


def _with_script(page: bytes, script: bytes) -> bytes:
    """The page with `script` just before its `</head>` (unchanged when it has none)."""
    at = page.find(b"</head>")
    if at < 0:
        return page
    return page[:at] + script + page[at:]
