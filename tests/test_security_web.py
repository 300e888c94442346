"""Issue 13 ("Locked down"), over raw HTTP against the app on loopback (templates, no model):
one test per finding, each of which failed against the code before the fix.

Distinct callers are told apart by `X-Forwarded-For`: uvicorn trusts it from 127.0.0.1 (its
default FORWARDED_ALLOW_IPS), as it would from a proxy in front, so one test's budget of
login attempts is not another's.
"""

from __future__ import annotations

import json
import socket
import threading
import time
import uuid
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

import students_db as db
from students_db import models
from tests.fixtures.app_server import AppServer
from tests.test_security_support import RawSession, new_students
from tutor import accounts

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def server(template_app_server: AppServer) -> AppServer:
    return template_app_server


def _client(server: AppServer, address: str, **kwargs: Any) -> httpx.Client:
    return httpx.Client(
        base_url=server.url, timeout=60, headers={"x-forwarded-for": address}, **kwargs
    )


def _login(http: httpx.Client, username: str, password: str) -> httpx.Response:
    return http.post("login", data={"username": username, "password": password})


def _logged_in(server: AppServer, login: tuple[str, str], address: str) -> httpx.Client:
    http = _client(server, address)
    reply = _login(http, *login)
    assert reply.status_code == 200, reply.text
    return http


# -- finding 1: the login parser ------------------------------------------------------------


def test_1_a_crafted_username_is_answered_at_once_and_stalls_nobody(server: AppServer) -> None:
    crafted = "a" + " " * 400 + "x\ny"  # backtracked for 23 s in the old pattern
    with _client(server, "10.1.0.1") as attacker, _client(server, "10.1.0.2") as other:
        began = time.perf_counter()
        reply = _login(attacker, crafted, "123456")
        took = time.perf_counter() - began
        assert reply.status_code == 400 and took < 3.0, (reply.status_code, took)
        huge = _login(attacker, "A" * 100_000, "123456")  # a 100 KB username
        assert huge.status_code == 413
        began = time.perf_counter()
        assert other.get("config").status_code == 401
        assert time.perf_counter() - began < 1.0


# -- finding 2: auth off the event loop, budgets ---------------------------------------------


def test_2_slow_login_checks_do_not_stall_other_requests(
    server: AppServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    ((login, _id),) = new_students(server, ["Slowpoke"])
    reader = _logged_in(server, login, "10.2.0.1")
    real = accounts.verify_secret

    def slow(secret_hash: str, secret: str) -> bool:
        time.sleep(2.0)  # a slow argon2 (or a slow database) in the login check
        return real(secret_hash, secret)

    monkeypatch.setattr(accounts, "verify_secret", slow)
    guesses = [
        threading.Thread(
            target=lambda i=i: _login(_client(server, f"10.2.1.{i}"), f"nobody{i}", "x")
        )
        for i in range(4)
    ]
    for thread in guesses:
        thread.start()
    time.sleep(0.2)
    worst = 0.0
    for _ in range(5):
        began = time.perf_counter()
        assert reader.get("config").status_code == 200
        worst = max(worst, time.perf_counter() - began)
        time.sleep(0.05)
    for thread in guesses:
        thread.join()
    assert worst < 1.5, worst  # on the event loop: each check held every route for 2 s
    reader.close()


def test_2_a_client_has_a_login_budget(server: AppServer, monkeypatch: pytest.MonkeyPatch) -> None:
    from tutor.web import login_guard

    monkeypatch.setattr(login_guard, "REFUSAL_DELAY_S", 0.0)  # the count, not the wait

    with _client(server, "10.2.9.9") as flood:
        codes = [
            _login(flood, "z" * 300, "x").status_code  # refused unread: cheap for the server
            for _ in range(login_guard.PER_CLIENT_BURST + 30)
        ]
    assert codes[0] == 400 and codes[-1] == 429, codes[-5:]
    with _client(server, "10.2.9.10") as neighbour:  # another address still logs in
        assert _login(neighbour, server.teacher[0], server.teacher[1]).status_code == 200


# -- finding 3: cross-site requests (raw; the browser test is test_security_browser_cors) ---


def test_3_cross_site_requests_are_refused_even_on_a_real_host_name(server: AppServer) -> None:
    teacher = _logged_in(server, server.teacher, "10.3.0.1")
    host = {"host": "tutor.example.org"}
    same = teacher.get("config", headers={**host, "origin": "https://tutor.example.org"})
    assert same.status_code == 200
    for origin in ("https://evil.example", "null", "https://tutor.example.org.evil.example"):
        reply = teacher.get("config", headers={**host, "origin": origin})
        assert reply.status_code == 403, origin
        assert "dependencies" not in reply.text
    fetch = teacher.get("config", headers={**host, "sec-fetch-site": "cross-site"})
    assert fetch.status_code == 403
    link = teacher.get(
        "", headers={**host, "sec-fetch-site": "cross-site", "sec-fetch-mode": "navigate"}
    )
    assert link.status_code == 200  # a link to the app from another site still opens it
    token = teacher.get("gradio_api/token", headers=host)
    assert token.status_code == 404  # the raw-token endpoint is closed
    teacher.close()


# -- finding 5: every route that takes a session hash ----------------------------------------


def test_5_repeated_parameters_and_the_call_routes_are_refused(server: AppServer) -> None:
    (victim_login, _), (thief_login, _) = new_students(server, ["Vic", "Theo"])
    victim = RawSession(server.url, victim_login)
    hash_ = victim.join(victim.fn_index("progress"), [])
    thief = RawSession(server.url, thief_login)
    mine = thief.join(thief.fn_index("progress"), [])
    both = thief.http.get(f"gradio_api/queue/data?session_hash={mine}&session_hash={hash_}")
    assert both.status_code == 400
    assert thief.http.get(f"gradio_api/call/progress/{hash_}").status_code == 404
    big = thief.http.post("gradio_api/call/progress", content=b"{" + b" " * 20_000_000 + b"}")
    assert big.status_code == 404
    assert thief.http.get(f"gradio_api/heartbeat/{hash_}").status_code == 404
    assert victim.read(hash_).success  # the owner still gets the result
    victim.close()
    thief.close()


# -- finding 7: PIN spraying and lockouts ----------------------------------------------------


def test_7_a_strangers_failures_do_not_lock_the_account_elsewhere(server: AppServer) -> None:
    ((login, _id),) = new_students(server, ["Lockie"])
    wrong = "000000" if login[1] != "000000" else "111111"
    with _client(server, "10.7.0.1") as stranger:
        for _ in range(accounts.LOCKOUT_FAILURES + 1):
            assert _login(stranger, login[0], wrong).status_code == 400
        assert _login(stranger, login[0], login[1]).status_code == 400  # locked for them
    with _client(server, "10.7.0.2") as owner:
        assert _login(owner, login[0], login[1]).status_code == 200


def test_7_a_teacher_resets_a_pin_and_every_old_session_ends(server: AppServer) -> None:
    ((login, student_id),) = new_students(server, ["Resetta"])
    old = _logged_in(server, login, "10.7.1.1")
    assert old.get("config").status_code == 200
    with db.read_session(server.sessions) as session:
        teacher = db.get_teacher_login(session=session, username=server.teacher[0])
    assert teacher is not None
    new_pin = accounts.reset_student_pin(
        sessions=server.sessions, teacher_id=teacher.id, student_id=student_id
    )
    time.sleep(2.5)  # the session book re-reads the credential version every 2 s
    assert old.get("config").status_code == 401
    with _client(server, "10.7.1.2") as again:
        assert _login(again, login[0], login[1]).status_code == 400
        assert _login(again, login[0], new_pin).status_code == 200
    with pytest.raises(PermissionError):
        other = db.get_teacher_login  # a teacher who does not teach the student
        with db.read_session(server.sessions) as session:
            stranger = other(session=session, username=server.other_teacher[0])
        assert stranger is not None
        accounts.reset_student_pin(
            sessions=server.sessions, teacher_id=stranger.id, student_id=student_id
        )
    old.close()


# -- finding 8: sessions follow the account, and expire --------------------------------------


def test_8_a_deleted_and_re_added_name_does_not_inherit_the_old_session(
    server: AppServer,
) -> None:
    from tutor.privacy import delete_student

    ((login, student_id),) = new_students(server, ["Phoenix"])
    old = _logged_in(server, login, "10.8.0.1")
    assert old.get("config").status_code == 200
    with db.read_session(server.sessions) as session:
        teacher = db.get_teacher_login(session=session, username=server.teacher[0])
    assert teacher is not None
    assert delete_student(sessions=server.sessions, student_id=student_id, teacher_id=teacher.id)
    ((again, _new_id),) = new_students(server, ["Phoenix"])
    assert again[0] == login[0]  # SQLite may even give the new account the same id
    time.sleep(2.5)
    assert old.get("config").status_code == 401
    old.close()


def test_8_sessions_expire(server: AppServer, monkeypatch: pytest.MonkeyPatch) -> None:
    ((login, _id),) = new_students(server, ["Tempo"])
    http = _logged_in(server, login, "10.8.1.1")
    assert http.get("config").status_code == 200
    book = _book(server)
    monkeypatch.setattr(book, "clock", lambda: time.time() + book.lifetime_s + 1)
    assert http.get("config").status_code == 401
    http.close()


def _book(server: AppServer) -> Any:
    """The login-session book of this server (the one that holds its Gradio token table)."""
    import gc

    from gradio.routes import App

    from tutor.web.sessions import SessionBook

    port = server.url.rstrip("/").rsplit(":", 1)[-1]
    tables = {
        id(o.tokens)
        for o in gc.get_objects()
        if isinstance(o, App) and str(getattr(o.get_blocks(), "server_port", "")) == port
    }
    for obj in gc.get_objects():
        if isinstance(obj, SessionBook) and id(obj.gradio_tokens) in tables:
            return obj
    raise AssertionError("the session book is not installed")


def _gradio_app(server: AppServer) -> Any:
    import gc

    from gradio.routes import App

    port = server.url.rstrip("/").rsplit(":", 1)[-1]
    for obj in gc.get_objects():
        if isinstance(obj, App):
            blocks = obj.get_blocks()
            if str(getattr(blocks, "server_port", "")) == port:
                return obj
    raise AssertionError("no Gradio app for this server")


# -- finding 10: the upload route ------------------------------------------------------------


def test_10_the_upload_route_is_closed_and_the_cache_is_swept(server: AppServer) -> None:
    ((login, _id),) = new_students(server, ["Uppy"])
    raw = RawSession(server.url, login)
    files = [("files", (f"f{i}.txt", b"x" * 1000)) for i in range(5)]
    assert raw.http.post("gradio_api/upload", files=files).status_code == 404
    assert _gradio_app(server).get_blocks().delete_cache == (3600, 3600)
    raw.close()


# -- findings 12 and 13: logout by account, one secure cookie --------------------------------


def test_12_logout_ends_the_sessions_of_every_spelling_of_the_name(server: AppServer) -> None:
    ((login, _id),) = new_students(server, ["Spelling Bee"])
    code, name = login[0].split("/")
    first = _logged_in(server, login, "10.12.0.1")
    second = _logged_in(server, (f"{code.lower()} {name.upper()}", login[1]), "10.12.0.2")
    assert second.get("config").status_code == 200
    first.get("logout", follow_redirects=False)
    assert second.get("config").status_code == 401
    first.close()
    second.close()


def test_13_one_login_cookie_samesite_lax_and_secure_over_https(server: AppServer) -> None:
    with _client(server, "10.13.0.1") as http:
        reply = http.post(
            "login",
            data={"username": server.teacher[0], "password": server.teacher[1]},
            headers={"x-forwarded-proto": "https"},
        )
    assert reply.status_code == 200
    cookies = [v for k, v in reply.headers.multi_items() if k == "set-cookie"]
    tokens = [c for c in cookies if c.startswith("access-token")]
    assert len(tokens) == 1, cookies
    attributes = {a.strip().lower() for a in tokens[0].split(";")[1:]}
    assert {"httponly", "secure", "samesite=lax", "path=/"} <= attributes, attributes


# -- finding 14: refused teacher probes are logged -------------------------------------------


def test_14_refused_teacher_probes_write_denied_rows(server: AppServer) -> None:
    prober = RawSession(server.url, server.other_teacher)
    with db.read_session(server.sessions) as session:
        other = db.get_teacher_login(session=session, username=server.other_teacher[0])
    assert other is not None

    def denied() -> int:
        with db.read_session(server.sessions) as session:
            query = select(func.count()).select_from(models.AccessLog)
            query = query.where(models.AccessLog.actor_id == other.id)
            return int(session.scalar(query.where(models.AccessLog.allowed.is_(False))) or 0)

    for api_name, value in [
        ("show_class", server.classroom_id),
        ("show_student", server.student_ids[0]),
        ("export_attempts", server.classroom_id),
        ("export_mastery", server.classroom_id),
    ]:
        before = denied()
        call = prober.call_api(api_name, [value])
        assert not call.success, api_name
        assert denied() == before + 1, api_name
    prober.close()


# -- finding 15: cancel, and anonymous joins ---------------------------------------------------


def test_15_cancel_needs_a_login_and_the_hash_owner(server: AppServer) -> None:
    (owner_login, _), (other_login, _) = new_students(server, ["Canny", "Nosy"])
    owner = RawSession(server.url, owner_login)
    hash_ = owner.join(owner.fn_index("progress"), [])
    body = {"session_hash": hash_, "fn_index": 0, "event_id": "x"}
    with httpx.Client(base_url=server.url, timeout=30) as anonymous:
        assert anonymous.post("gradio_api/cancel", json=body).status_code == 401
        joined = anonymous.post(
            "gradio_api/queue/join", json={"data": [], "fn_index": 0, "session_hash": "anon1"}
        )
        assert joined.status_code == 401
    other = RawSession(server.url, other_login)
    assert other.http.post("gradio_api/cancel", json=body).status_code == 404
    assert owner.read(hash_).success
    owner.close()
    other.close()


# -- finding 16: slow requests ----------------------------------------------------------------


def test_16_an_incomplete_body_is_answered_408(
    server: AppServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tutor.web import login_guard

    monkeypatch.setattr(login_guard, "BODY_TIMEOUT_S", 1.0)
    host, port = server.url.split("//")[1].rstrip("/").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(
            b"POST /login HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded"
            b"\r\nX-Forwarded-For: 10.16.0.1\r\nContent-Length: 1000\r\n\r\nusername=a"
        )
        began = time.perf_counter()
        answer = sock.recv(200)
    assert answer.startswith(b"HTTP/1.1 408"), answer
    assert time.perf_counter() - began < 5.0


# -- finding 18: odd input is refused, never a 500 ---------------------------------------------


@pytest.mark.parametrize("username", ["CODE/!!!", "CODE/ａｄａ", "ＣＯＤＥ/ada", "/", "a/\x00"])
def test_18_odd_usernames_are_refused_cleanly(server: AppServer, username: str) -> None:
    with _client(server, "10.18.0.1") as http:
        assert _login(http, username, "123456").status_code == 400


def test_18_odd_json_is_refused_cleanly(server: AppServer) -> None:
    ((login, _id),) = new_students(server, ["Jason"])
    raw = RawSession(server.url, login)
    index = raw.fn_index("send")
    deep = b'{"data": [' + b"[" * 100_000 + b"]" * 100_000 + b'], "fn_index": 0}'
    assert raw.join_raw(deep).status_code == 400
    surrogate = json.dumps({"data": ["hi", []], "fn_index": index}).replace("hi", "\\ud800")
    body = surrogate.replace('"fn_index"', f'"session_hash": "{uuid.uuid4().hex[:8]}", "fn_index"')
    assert raw.join_raw(body.encode()).status_code == 400
    raw.close()


def test_18_a_megabyte_class_name_is_refused_with_the_limit(server: AppServer) -> None:
    teacher = RawSession(server.url, server.teacher)
    before = _classes(server)
    call = teacher.call_api("create_class", ["N" * 1_000_000])
    # refused in words the teacher reads (the view's status line), not a 500
    said = call.error if not call.success else json.dumps(call.events)
    assert "at most 128" in said
    assert _classes(server) == before
    teacher.close()


def _classes(server: AppServer) -> int:
    with db.read_session(server.sessions) as session:
        return int(session.scalar(select(func.count()).select_from(models.Classroom)) or 0)
