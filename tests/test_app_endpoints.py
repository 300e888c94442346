"""Every endpoint through `gradio_client` and raw HTTP, against the app on loopback with the
tiny GPT-2: students get streamed turns and progress, teachers their own classes only, a
student calling a teacher endpoint (by name or by fn_index) is refused, and a 100 KB message
is refused with a clear error and nothing stored."""

from __future__ import annotations

import base64
import json
import re
import uuid
from typing import Any

import httpx
import pytest
from gradio_client import Client
from sqlalchemy import func, select

import students_db as db
from students_db import models
from tests.fixtures.app_server import AppServer

pytestmark = pytest.mark.slow


def client(server: AppServer, login: tuple[str, str]) -> Client:
    return Client(server.url, auth=login, verbose=False)


def counts(server: AppServer) -> tuple[int, ...]:
    with db.read_session(server.sessions) as session:
        return tuple(
            session.scalar(select(func.count()).select_from(table))
            for table in (models.Message, models.Attempt, models.Classroom, models.Student)
        )


def text_of(history: list[dict[str, Any]]) -> str:
    parts = []
    for message in history:
        content = message["content"]
        if isinstance(content, list):
            content = "".join(b.get("text", "") for b in content if isinstance(b, dict))
        parts.append(str(content))
    return "\n".join(parts)


def logins_of(table_html: str) -> list[tuple[str, str, str]]:
    """(name, login, PIN) rows of the teacher's new-logins table."""
    rows = re.findall(
        r"<tr><td>(.*?)</td><td class='pin'>(\d+)</td><td class='login'>(.*?)</td></tr>",
        table_html,
    )
    return [(name, login, pin) for name, pin, login in rows]


def download_of(link_html: str) -> str:
    """The text of a download link's data: URL (the file never exists on the server)."""
    payload = re.search(r'href="data:[^;]+;charset=utf-8;base64,([^"]+)"', link_html)
    assert payload, link_html
    return base64.b64decode(payload.group(1)).decode("utf-8")


def answer_of(server: AppServer, student_id: int) -> str:
    with db.read_session(server.sessions) as session:
        active = db.get_active_exercise(session=session, student_id=student_id)
    assert active is not None
    return server.pack.exercise_by_id(active.exercise_id, active.seed).answer_text


def fn_index(server: AppServer, login: tuple[str, str], api_name: str) -> int:
    with httpx.Client(base_url=server.url) as http:
        http.post("login", data={"username": login[0], "password": login[1]})
        config = http.get("config").json()
    for index, dependency in enumerate(config["dependencies"]):
        if dependency.get("api_name") == api_name:
            return dependency.get("id", index)
    raise AssertionError(f"no endpoint {api_name}")


def raw_call(server: AppServer, login: tuple[str, str], index: int, data: list[Any]) -> dict:
    """What a script does without gradio_client: log in, join the queue by fn_index, read SSE."""
    session_hash = uuid.uuid4().hex[:10]
    with httpx.Client(base_url=server.url, timeout=30) as http:
        assert http.post("login", data={"username": login[0], "password": login[1]}).is_success
        joined = http.post(
            "gradio_api/queue/join",
            json={"data": data, "fn_index": index, "session_hash": session_hash},
        )
        assert joined.is_success, joined.text
        with http.stream("GET", f"gradio_api/queue/data?session_hash={session_hash}") as events:
            for line in events.iter_lines():
                if not line.startswith("data:"):
                    continue
                event = json.loads(line[5:])
                if event.get("msg") == "process_completed":
                    return event
    raise AssertionError("the queue never completed the call")


def test_login_is_required(app_server: AppServer) -> None:
    with httpx.Client(base_url=app_server.url) as http:
        assert http.get("config").status_code == 401
        bad = http.post("login", data={"username": app_server.teacher[0], "password": "nope"})
        assert bad.status_code >= 400


def test_a_student_turn_streams_and_progress_follows(app_server: AppServer) -> None:
    student = client(app_server, app_server.students[0])
    job = student.submit([], api_name="/new_exercise")
    outputs = list(job)
    assert len(outputs) >= 2  # streamed: the empty reply first, then growing text
    final = text_of(outputs[-1][0])
    assert "New exercise, please." in final and len(final) > 30

    wrong = "-99999"
    history, cleared = student.predict(wrong, outputs[-1][0], api_name="/send")
    assert cleared == ""
    assert wrong in text_of(history)
    hint, _note = student.predict(history, api_name="/hint")
    assert "Hint, please." in text_of(hint)

    right = answer_of(app_server, app_server.student_ids[0])
    history, _ = student.predict(right, hint, api_name="/send")
    frame, progress_md = student.predict(api_name="/progress")[:2]
    assert "mastery" in progress_md
    assert frame["data"], frame  # the practised skill is plotted
    with db.read_session(app_server.sessions) as session:
        attempts = db.recent_attempts(session=session, student_id=app_server.student_ids[0])
    assert [a.correct for a in attempts][-2:] in ([False, True], [True, False])

    note = student.predict("short", api_name="/set_style")
    assert "short" in note


def test_a_100_kb_message_is_refused_and_nothing_is_stored(app_server: AppServer) -> None:
    student = client(app_server, app_server.students[1])
    before = counts(app_server)
    with pytest.raises(Exception, match=r"too long \(102400 characters; the limit is 2000\)"):
        student.predict("7" * 102_400, [], api_name="/send")
    assert counts(app_server) == before


def test_a_student_calling_a_teacher_endpoint_by_name_is_refused(app_server: AppServer) -> None:
    student = client(app_server, app_server.students[0])
    before = counts(app_server)
    with pytest.raises(Exception, match="This action is for teachers"):
        student.predict("Hacked class", api_name="/create_class")
    with pytest.raises(Exception, match="This action is for teachers"):
        student.predict(app_server.classroom_id, api_name="/show_class")
    with pytest.raises(Exception, match="This action is for teachers"):
        student.predict(app_server.student_ids[1], api_name="/show_student")
    assert counts(app_server) == before


def test_a_student_calling_a_teacher_endpoint_by_index_is_refused(app_server: AppServer) -> None:
    login = app_server.students[0]
    before = counts(app_server)
    for name, data in (
        ("create_class", ["Hacked class"]),
        ("add_students", [app_server.classroom_id, "Mallory"]),
        ("show_student", [app_server.student_ids[1]]),
        ("export_attempts", [app_server.classroom_id]),
    ):
        event = raw_call(app_server, login, fn_index(app_server, login, name), data)
        assert event["success"] is False, (name, event)
        assert "This action is for teachers." in json.dumps(event), (name, event)
    assert counts(app_server) == before


def test_a_teacher_runs_their_class(app_server: AppServer) -> None:
    teacher = client(app_server, app_server.teacher)
    choices, name_box, note = teacher.predict("Maths club", api_name="/create_class")
    assert "Maths club" in note and name_box == ""
    table, link, note = teacher.predict(
        app_server.classroom_id, "Dana Scully\nEli", api_name="/add_students"
    )
    logins = logins_of(table)
    assert [row[0] for row in logins] == ["Dana Scully", "Eli"]
    assert all(len(row[2]) == 6 and row[2].isdigit() for row in logins)
    assert logins[0][1] in download_of(link)
    new_student = Client(app_server.url, auth=(logins[1][1], logins[1][2]), verbose=False)
    assert new_student.predict("short", api_name="/set_style")  # the PIN works

    heatmap, struggling, _wrong, _students, _listing, _removable = teacher.predict(
        app_server.classroom_id, api_name="/show_class"
    )
    assert "mastery-heatmap" in heatmap
    assert "Struggling students" in struggling
    _transcript, timeline, _summaries, _lock, _pin = teacher.predict(
        app_server.student_ids[0], api_name="/show_student"
    )
    assert "timeline" in timeline.lower()
    export, _status = teacher.predict(app_server.classroom_id, api_name="/export_attempts")
    assert download_of(export).lstrip("\ufeff").startswith("student_id,student,at,skill_key")
    skill = next(iter(app_server.pack.skills))
    *_lists, note = teacher.predict(
        app_server.classroom_id, None, skill, "the whole class", api_name="/assign"
    )
    assert "Assigned" in note and "whole class" in note


def test_a_teacher_sees_only_their_own_classes(app_server: AppServer) -> None:
    other = client(app_server, app_server.other_teacher)
    before = counts(app_server)
    with pytest.raises(Exception, match="not one of yours"):
        other.predict(app_server.classroom_id, api_name="/show_class")
    with pytest.raises(Exception, match="not in one of your classes"):
        other.predict(app_server.student_ids[0], api_name="/show_student")
    with pytest.raises(Exception, match="not one of yours"):
        other.predict(app_server.classroom_id, "Mallory", api_name="/add_students")
    with pytest.raises(Exception, match="not one of yours"):
        other.predict(app_server.classroom_id, api_name="/export_attempts")
    assert counts(app_server) == before


def test_a_teacher_cannot_use_the_student_chat(app_server: AppServer) -> None:
    teacher = client(app_server, app_server.teacher)
    with pytest.raises(Exception, match="for students"):
        teacher.predict("hello", [], api_name="/send")


def test_a_teacher_exports_and_deletes_a_student_with_confirmation(app_server: AppServer) -> None:
    teacher = client(app_server, app_server.teacher)
    table, _link, _note = teacher.predict(
        app_server.classroom_id, "Leaving Soon", api_name="/add_students"
    )
    _name, login, pin = logins_of(table)[0]
    code, name = login.split("/")
    with db.read_session(app_server.sessions) as session:
        pupil_id = db.get_student_login(session=session, join_code=code, login_name=name).id
    link, _status = teacher.predict(pupil_id, api_name="/export_student")
    exported = json.loads(download_of(link))
    assert "leaving.soon" in json.dumps(exported)
    other = client(app_server, app_server.other_teacher)
    with pytest.raises(Exception, match="not in one of your classes"):
        other.predict(pupil_id, api_name="/export_student")
    *_kept, note = teacher.predict(
        app_server.classroom_id, pupil_id, "leaving", api_name="/delete_student"
    )
    assert "Type leaving.soon to confirm" in note  # said in the status, nothing else changes
    with pytest.raises(Exception, match="not in one of your classes"):
        other.predict(
            app_server.other_classroom_id, pupil_id, "leaving.soon", api_name="/delete_student"
        )
    _students, _confirm, _link, note = teacher.predict(
        app_server.classroom_id, pupil_id, "leaving.soon", api_name="/delete_student"
    )
    assert "Deleted" in note
    with httpx.Client(base_url=app_server.url) as http:  # the PIN no longer logs in
        assert http.post("login", data={"username": login, "password": pin}).status_code >= 400
