"""The Gradio surface over raw HTTP, against the shared app fixture (tiny GPT-2) (security.md §6
#4, #7, #35, #38 and the launch settings of §1.3): nothing answers without the login cookie,
a logged-out cookie is dead, no file of ours is served, monitoring and API docs stay closed.
"""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from tests.fixtures.app_server import AppServer
from tests.test_security_support import RawSession, new_students
from tutor.persistence import sqlite_path

pytestmark = pytest.mark.slow

PROTECTED_GETS = (
    "config",
    "gradio_api/info",
    "gradio_api/openapi.json",
    "gradio_api/queue/data?session_hash=abc",
    "gradio_api/file=/etc/passwd",
    "monitoring/summary",
)
CLOSED_GETS = ("gradio_api/upload_progress?upload_id=abc", "gradio_api/token")


def _database_file(server: AppServer) -> Path:
    url = server.sessions.engine.url.render_as_string(hide_password=False)
    found = sqlite_path(url)
    assert found is not None and found.exists(), url
    return found


def test_nothing_answers_without_the_login_cookie(app_server: AppServer) -> None:
    with httpx.Client(base_url=app_server.url, timeout=30) as anonymous:
        for path in PROTECTED_GETS:
            assert anonymous.get(path).status_code == 401, path
        for path in CLOSED_GETS:  # closed for everyone (404), logged in or not
            assert anonymous.get(path).status_code in (401, 404), path
        joined = anonymous.post(
            "gradio_api/queue/join", json={"data": ["hi", []], "fn_index": 0, "session_hash": "x"}
        )
        assert joined.status_code == 401
        uploaded = anonymous.post("gradio_api/upload", files={"files": ("a.txt", b"hello")})
        assert uploaded.status_code in (401, 404)
        for route in ("gradio_api/run/send", "gradio_api/call/send", "gradio_api/api/send"):
            refused = anonymous.post(route, json={"data": ["hi", []]})
            assert refused.status_code in (401, 404), (route, refused.status_code)


def test_after_logout_the_old_cookies_are_refused(app_server: AppServer) -> None:
    ((login, _sid),) = new_students(app_server, ["Logan"])
    first = RawSession(app_server.url, login)
    second = RawSession(app_server.url, login)  # another tab or device of the same student
    assert first.call_api("progress", []).success
    old_cookies = dict(first.http.cookies)
    assert old_cookies
    first.http.get("logout", follow_redirects=False)
    with httpx.Client(base_url=app_server.url, cookies=old_cookies, timeout=30) as replay:
        assert replay.get("config").status_code == 401
        joined = replay.post(
            "gradio_api/queue/join", json={"data": [], "fn_index": 0, "session_hash": "y"}
        )
        assert joined.status_code == 401
    assert second.http.get("config").status_code == 401  # all of the student's sessions
    first.close()
    second.close()


def test_a_students_logout_ends_their_chat_session(app_server: AppServer) -> None:
    """Logging out ends the open tutoring session in the store, with its summary, so the
    teacher sees it ended at once (not after two hours idle). A teacher's logout leaves
    students' sessions alone."""
    import students_db as db

    ((login, student_id),) = new_students(app_server, ["Lotte"])
    raw = RawSession(app_server.url, login)
    assert raw.call_api("send", ["hello, what do we do?", []]).success

    def sessions_of() -> list[db.ChatSessionRecord]:
        with db.read_session(app_server.sessions) as session:
            return db.chat_sessions_of(session=session, student_id=student_id)

    (open_one,) = sessions_of()
    assert open_one.ended_at is None
    teacher = RawSession(app_server.url, app_server.teacher)
    teacher.http.get("logout", follow_redirects=False)
    assert sessions_of()[0].ended_at is None
    raw.http.get("logout", follow_redirects=False)
    (ended,) = sessions_of()
    assert ended.id == open_one.id and ended.ended_at is not None
    assert ended.summary  # what the teacher's report shows
    raw.close()
    teacher.close()


def test_no_file_of_ours_is_served(app_server: AppServer) -> None:
    ((login, _sid),) = new_students(app_server, ["Fiona"])
    raw = RawSession(app_server.url, login)
    database = _database_file(app_server)
    targets = [
        "/etc/passwd",
        str(database),
        f"{database}-wal",
        database.name,
        f"../../../../../..{database}",
        "../../../../etc/passwd",
        "%2e%2e/%2e%2e/%2e%2e/etc/passwd",
        str(database.parent),
        str(Path.cwd() / "pyproject.toml"),
    ]
    for target in targets:
        response = raw.http.get(f"gradio_api/file={target}")
        assert response.status_code in (403, 404), (target, response.status_code)
        assert b"SQLite format" not in response.content and b"root:" not in response.content
    for path in (
        "static//etc/passwd",
        "static/../../../../etc/passwd",
        "gradio_api/file/etc/passwd",
    ):
        response = raw.http.get(path)
        assert response.status_code in (403, 404), (path, response.status_code)
        assert b"root:" not in response.content
    raw.close()


def test_monitoring_is_off_and_the_launch_settings_are_the_safe_ones(
    app_server: AppServer,
) -> None:
    ((login, _sid),) = new_students(app_server, ["Mona"])
    raw = RawSession(app_server.url, login)
    assert raw.http.get("monitoring/summary").status_code in (403, 404)
    assert raw.http.get("monitoring").status_code in (401, 403, 404)
    config = raw.config()
    assert config.get("show_error") is False
    assert config.get("run_history") is False  # nothing kept in a shared device's storage
    assert config.get("max_file_size") == 1024 * 1024
    for route in ("gradio_api/run/send", "gradio_api/api/send"):  # api_open=False
        direct = raw.http.post(route, json={"data": ["hi", []]})
        assert direct.status_code >= 400, (route, direct.status_code, direct.text[:200])
    raw.close()
