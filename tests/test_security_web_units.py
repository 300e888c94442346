"""The web layer's parts as plain ASGI and plain objects (issue 13): budgets, the session
book, the Origin check, body deadlines and the async auth. No server."""

from __future__ import annotations

import asyncio
import inspect
import threading
import time
from typing import Any

import pytest

from tutor.web.login_guard import LoginBudgets, make_auth
from tutor.web.origin_guard import OriginGuard
from tutor.web.page_script import PageScript
from tutor.web.sessions import SessionBook
from tutor.web.timeouts import BodyDeadline


async def _ok(scope: dict, receive: Any, send: Any) -> None:
    while (await receive()).get("more_body", False):
        pass
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b"ok"})


def _status(app: Any, scope: dict, receive: Any | None = None) -> int:
    sent: list[dict] = []

    async def default_receive() -> dict:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict) -> None:
        sent.append(message)

    asyncio.run(
        app(
            {"type": "http", "method": "GET", "path": "/", **scope},
            receive or default_receive,
            send,
        )
    )
    return sent[0]["status"]


def test_login_budgets_per_client_and_global() -> None:
    now = [0.0]
    budgets = LoginBudgets(
        per_client_burst=3,
        per_client_per_s=1.0,
        global_burst=5,
        global_per_s=0.0,
        clock=lambda: now[0],
    )
    assert [budgets.admit("a") for _ in range(4)] == [True, True, True, False]
    assert [budgets.admit("b") for _ in range(3)] == [True, True, False]  # global: 5 in all
    now[0] = 10.0
    assert not budgets.admit("c")  # the global bucket does not refill in this setting


def test_the_session_book_expires_follows_versions_and_revokes_by_account() -> None:
    versions = {("student", 7): 3, ("student", 8): 1}
    now = [1000.0]
    book = SessionBook(
        lambda role, id_: versions.get((role, id_)),
        lifetime_s=100,
        recheck_s=0,
        clock=lambda: now[0],
    )
    table = {"t1": "x", "t2": "x", "t3": "y"}
    book.gradio_tokens = table
    book.bind("t1", role="student", account_id=7, version=3, session_name="C/ada")
    book.bind("t2", role="student", account_id=7, version=3, session_name="C/ada")
    book.bind("t3", role="student", account_id=8, version=1, session_name="C/ben")
    assert asyncio.run(book.check("t1")) is not None
    versions[("student", 7)] = 4  # a PIN reset
    assert asyncio.run(book.check("t1")) is None and "t1" not in table
    assert book.revoke_account("student:7") == 1 and "t2" not in table
    now[0] += 101
    assert asyncio.run(book.check("t3")) is None and "t3" not in table
    assert asyncio.run(book.check("never-bound")) is None


def test_the_origin_guard() -> None:
    guard = OriginGuard(_ok, extra_origins=["https://lms.example"])

    def status(**headers: str) -> int:
        pairs = [(k.replace("_", "-").encode(), v.encode()) for k, v in headers.items()]
        return _status(guard, {"headers": pairs})

    assert status(host="tutor.example") == 200
    assert status(host="tutor.example", origin="https://tutor.example") == 200
    assert status(host="tutor.example:8443", origin="https://tutor.example:8443") == 200
    assert status(host="tutor.example", origin="https://lms.example") == 200
    assert status(host="tutor.example", origin="https://evil.example") == 403
    assert status(host="tutor.example", origin="null") == 403
    assert status(host="tutor.example", origin="http://tutor.example:81") == 403
    assert status(host="tutor.example", sec_fetch_site="cross-site") == 403
    assert (
        status(host="tutor.example", sec_fetch_site="cross-site", sec_fetch_mode="navigate") == 200
    )


def test_a_body_that_stops_coming_is_answered_408() -> None:
    deadline = BodyDeadline(_ok, timeout_s=0.2)
    stalled = asyncio.Event()

    async def receive() -> dict:
        if not stalled.is_set():
            stalled.set()
            return {"type": "http.request", "body": b"part", "more_body": True}
        await asyncio.sleep(60)
        return {"type": "http.disconnect"}

    began = time.perf_counter()
    assert _status(deadline, {"method": "POST"}, receive) == 408
    assert time.perf_counter() - began < 2


def test_auth_is_a_coroutine_that_runs_checks_in_bounded_threads() -> None:
    running = 0
    most = 0
    lock = threading.Lock()

    class Outcome:
        session_name = "x"
        credential_version = 0
        identity = None

    def check(username: str, password: str, client: str | None) -> Any:
        nonlocal running, most
        with lock:
            running += 1
            most = max(most, running)
        time.sleep(0.05)
        with lock:
            running -= 1
        return Outcome() if password == "right" else None

    auth = make_auth(check, workers=2, max_waiting=100)
    assert inspect.iscoroutinefunction(auth)  # Gradio awaits it instead of blocking the loop

    async def many() -> list[bool]:
        return await asyncio.gather(*(auth("u", "right" if i % 2 else "no") for i in range(8)))

    assert asyncio.run(many()) == [False, True] * 4
    assert most <= 2


def _served(app: Any, path: str = "/", method: str = "GET") -> list[dict]:
    sent: list[dict] = []

    async def receive() -> dict:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict) -> None:
        sent.append(message)

    asyncio.run(app({"type": "http", "method": method, "path": path}, receive, send))
    return sent


def test_the_page_script_goes_into_the_html_of_get_root_only() -> None:
    """The login page's script (tutor.web.page_script): before `</head>` of `GET /`'s HTML,
    with a matching Content-Length; JSON, other paths and a page in pieces are fixed too."""
    page = b"<html><head><title>t</title></head><body>x</body></html>"

    def app_of(content_type: bytes, pieces: list[bytes]) -> Any:
        async def app(scope: dict, receive: Any, send: Any) -> None:
            head = [(b"content-type", content_type), (b"content-length", b"%d" % len(page))]
            await send({"type": "http.response.start", "status": 200, "headers": head})
            for i, piece in enumerate(pieces):
                more = i < len(pieces) - 1
                await send({"type": "http.response.body", "body": piece, "more_body": more})

        return app

    script = "<script>1</script>"
    html = PageScript(app_of(b"text/html; charset=utf-8", [page[:20], page[20:]]), script=script)
    start, body = _served(html)
    expected = page.replace(b"</head>", b"<script>1</script></head>")
    assert body["body"] == expected and not body.get("more_body")
    assert (b"content-length", str(len(expected)).encode()) in start["headers"]
    assert [h for h in start["headers"] if h[0] == b"content-length"] == [
        (b"content-length", str(len(expected)).encode())
    ]
    as_json = PageScript(app_of(b"application/json", [page]), script=script)
    assert _served(as_json)[1]["body"] == page
    assert b"".join(m.get("body", b"") for m in _served(html, path="/config")) == page
    with pytest.raises(ValueError, match="one <script>"):
        PageScript(_ok, script="alert(1)")
