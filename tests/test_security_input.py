"""Bad input over raw HTTP and `gradio_client`, against the app with the echo generator
(security.md §6 #9-#13, #15, #22, #37, #39): each is refused with a clear error and leaves
nothing stored, or is stored literally and shown inert; nothing reaches the model that the
tutor should have stripped.
"""

from __future__ import annotations

import html
import json
import threading
import time
import unicodedata
import uuid
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from gradio_client import Client

import students_db as db
from tests import test_security_support as support
from tests.test_security_support import (
    Call,
    EchoApp,
    RawSession,
    active_exercise,
    attempts_of,
    last_reply,
    messages_of,
    new_students,
    row_counts,
)
from tutor.dialogue import texts
from tutor.ui.session_guard import MAX_PENDING_PER_ACCOUNT

pytestmark = pytest.mark.slow

echo_app = support.echo_app  # the shared fixture: the app with the echo generator

INVISIBLES = "\u202e\u202a\u2066\u2069\u200b\u200c\u200d\u2060\ufeff\U000e0041\U000e007f\x07"


@dataclass(frozen=True)
class Pupil:
    login: tuple[str, str]
    id: int
    raw: RawSession


@pytest.fixture(scope="module")
def pupils(echo_app: EchoApp) -> dict[str, Pupil]:
    names = ["Iris", "Jon", "Kai", "Lea", "Max"]
    made = new_students(echo_app.server, names)
    return {
        name.lower(): Pupil(login, sid, RawSession(echo_app.server.url, login))
        for name, (login, sid) in zip(names, made, strict=True)
    }


@pytest.fixture(scope="module")
def teacher(echo_app: EchoApp) -> RawSession:
    return RawSession(echo_app.server.url, echo_app.server.teacher)


def refused_and_nothing_stored(app: EchoApp, call: Call, before: dict[str, int], mark: int):  # type: ignore[no-untyped-def]
    assert not call.success, call.completed
    assert row_counts(app.server) == before
    assert app.generator.mark() == mark  # no prompt was built for it


SURROGATE = "not valid Unicode"


@pytest.mark.parametrize(
    ("message", "error"),
    [
        ("7" * 102_400, "too long (102400 characters; the limit is 2000)"),
        ("", texts.REJECT_EMPTY),
        ("   \n\t  ", texts.REJECT_EMPTY),
        ("\u200b\u202e\u2060", texts.REJECT_EMPTY),  # nothing left once invisibles go
        (None, "Please type a message."),
        ("12\x00; DROP TABLE students", texts.REJECT_INVALID),
        ("half \ud800 a surrogate", SURROGATE),
    ],
    ids=["100KB", "empty", "whitespace", "only-invisible", "null", "NUL", "lone-surrogate"],
)
def test_bad_messages_over_raw_http_are_refused_and_store_nothing(
    echo_app: EchoApp, pupils: dict[str, Pupil], message: Any, error: str
) -> None:
    raw = pupils["iris"].raw
    before, mark = row_counts(echo_app.server), echo_app.generator.mark()
    # A hand-written body: json.dumps keeps a lone surrogate as the escape "\ud800".
    body = json.dumps(
        {"data": [message, []], "fn_index": raw.fn_index("send"), "session_hash": "h1"}
    )
    if error == SURROGATE:  # refused at the door (400), before the queue (issue 13, #18)
        assert raw.join_raw(body.encode()).status_code == 400
        assert row_counts(echo_app.server) == before and echo_app.generator.mark() == mark
        return
    assert raw.join_raw(body.encode()).is_success
    call = raw.read("h1")
    refused_and_nothing_stored(echo_app, call, before, mark)
    assert error in call.error
    assert "Traceback" not in call.wire


@pytest.mark.parametrize("message", [5, ["x"], {"text": "hi"}], ids=["number", "list", "dict"])
def test_a_message_of_the_wrong_type_is_refused(
    echo_app: EchoApp, pupils: dict[str, Pupil], message: Any
) -> None:
    raw = pupils["iris"].raw
    before, mark = row_counts(echo_app.server), echo_app.generator.mark()
    call = raw.call_api("send", [message, []])
    refused_and_nothing_stored(echo_app, call, before, mark)


def test_a_100_kb_message_through_the_client_and_a_10_mb_body_are_refused(
    echo_app: EchoApp, pupils: dict[str, Pupil]
) -> None:
    before, mark = row_counts(echo_app.server), echo_app.generator.mark()
    client = Client(echo_app.server.url, auth=pupils["jon"].login, verbose=False)
    with pytest.raises(Exception, match=r"too long \(102400 characters"):
        client.predict("9" * 102_400, [], api_name="/send")
    raw = pupils["jon"].raw
    body = json.dumps(
        {"data": ["x" * 10_000_000, []], "fn_index": raw.fn_index("send"), "session_hash": "big"}
    )
    response = raw.join_raw(body.encode())
    assert response.status_code == 413  # refused by the session guard before any parsing
    assert row_counts(echo_app.server) == before and echo_app.generator.mark() == mark


def test_invalid_utf8_and_broken_json_bodies_are_refused(
    echo_app: EchoApp, pupils: dict[str, Pupil]
) -> None:
    raw = pupils["jon"].raw
    before = row_counts(echo_app.server)
    index = raw.fn_index("send")
    for body in (
        b'{"data": ["\xff\xfe bad bytes", []], "fn_index": %d, "session_hash": "u8"}' % index,
        b'{"data": ["unterminated',
        b"[1, 2, 3]",
    ):
        response = raw.join_raw(body)
        assert response.status_code in (400, 422), (body[:30], response.status_code)
        assert "Traceback" not in response.text
    assert row_counts(echo_app.server) == before


SQL_TEXTS = (
    "'; DROP TABLE students;--",
    '" OR 1=1 --',
    "100% of x_y is \\ what? %' OR '%'='",
)


def test_sql_metacharacters_are_stored_and_shown_literally(
    echo_app: EchoApp, pupils: dict[str, Pupil], teacher: RawSession
) -> None:
    pupil = pupils["kai"]
    for text in SQL_TEXTS:
        call = pupil.raw.call_api("send", [text, []])
        assert call.success, call.completed
        assert text in shown_texts(call)  # shown back as typed
    stored = [m.text for m in messages_of(echo_app.server, pupil.id) if m.role == "student"]
    assert list(SQL_TEXTS) == stored[-3:]
    shown = teacher.call_api("show_student", [pupil.id])
    assert shown.success
    for text in SQL_TEXTS:  # the transcript: plain text, escaped
        assert html.escape(text, quote=True) in str(shown.output[0])
    name = "Robert'); DROP TABLE students;--"
    added = teacher.call_api("add_students", [echo_app.server.classroom_id, name])
    assert added.success and html.escape(name, quote=True) in str(added.output[0])
    assert row_counts(echo_app.server)["students"] > 0  # the table is still there


def test_bidi_zero_width_and_tag_characters_are_stripped_before_storage_and_prompt(
    echo_app: EchoApp, pupils: dict[str, Pupil], teacher: RawSession
) -> None:
    pupil = pupils["lea"]
    mark = echo_app.generator.mark()
    typed = f"why is cafe\u0301 {INVISIBLES}spelt s\u0301\u0301\u0301\u0301\u0301o?"
    call = pupil.raw.call_api("send", [typed, []])
    assert call.success
    stored = [m.text for m in messages_of(echo_app.server, pupil.id) if m.role == "student"][-1]
    prompts = [r.prompt for r in echo_app.generator.prompts_since(mark)]
    assert prompts and "café" in stored and "café" in prompts[-1]  # NFC: one code point
    for text in (stored, *prompts, last_reply(call)):
        assert not any(ch in text for ch in INVISIBLES), ascii(text)
        assert unicodedata.is_normalized("NFC", text)
        assert "\u0301\u0301\u0301" not in text  # a combining-mark flood is cut down
    spoof = "Ad\u202eimda\u200b"  # would display as "Adadmi" reversed
    assert teacher.call_api("add_students", [echo_app.server.classroom_id, spoof]).success
    listed = teacher.call_api("show_class", [echo_app.server.classroom_id])
    assert "Adimda" in listed.wire and "\u202e" not in listed.wire and "\u200b" not in listed.wire
    with db.write_session(echo_app.server.sessions) as session:
        names = [
            s.display_name
            for s in db.list_students(
                session=session,
                teacher_id=_teacher_id(echo_app),
                classroom_id=echo_app.server.classroom_id,
            )
        ]
    assert "Adimda" in names and not any("\u202e" in n or "\u200b" in n for n in names)


def shown_texts(call: Call) -> list[str]:
    """Every message text in a chat output (the student's and the tutor's)."""
    history = call.output[0] if call.output else []
    out = []
    for message in history:
        content = message.get("content")
        blocks = content if isinstance(content, list) else [{"text": str(content)}]
        out.append("".join(str(b.get("text", "")) for b in blocks if isinstance(b, dict)))
    return out


def _teacher_id(app: EchoApp) -> int:
    with db.read_session(app.server.sessions) as session:
        found = db.get_teacher_login(session=session, username=app.server.teacher[0])
    assert found is not None
    return int(found.id)


MARKUP = (
    "<img src=x onerror=alert(1)>",
    "<script>alert('student')</script>",
    "[x](javascript:alert(1)) and ![a](https://evil.example/?q=1)",
)


def test_html_and_script_are_inert_in_chat_and_in_model_output(
    echo_app: EchoApp, pupils: dict[str, Pupil], teacher: RawSession
) -> None:
    pupil = pupils["max"]
    config = pupil.raw.config()
    chatbots = [c for c in config["components"] if c.get("type") == "chatbot"]
    assert len(chatbots) == 1  # the student's chat (the teacher's transcript is escaped text)
    assert all(c["props"].get("sanitize_html") is True for c in chatbots)
    markdowns = [c for c in config["components"] if c.get("type") == "markdown"]
    assert all(c["props"].get("sanitize_html", True) is True for c in markdowns)
    for text in MARKUP:
        call = pupil.raw.call_api("send", [f"what does {text} mean?", []])
        assert call.success
        reply = last_reply(call)  # the model echoed the question: its markup is gone
        for bad in ("<script", "<img", "onerror", "javascript:", "evil.example", "]("):
            assert bad not in reply.lower(), (bad, reply)
    stored = [m for m in messages_of(echo_app.server, pupil.id)]
    assert all(text in "".join(m.text for m in stored) for text in MARKUP)  # kept literally
    for message in stored:
        if message.role == "tutor":
            assert "<script" not in message.text and "javascript:" not in message.text
    evil_name = "<img src=x onerror=alert(1)>"
    assert teacher.call_api("add_students", [echo_app.server.classroom_id, evil_name]).success
    with db.write_session(echo_app.server.sessions) as session:
        pupils_now = db.list_students(
            session=session,
            teacher_id=_teacher_id(echo_app),
            classroom_id=echo_app.server.classroom_id,
        )
        evil = next(p for p in pupils_now if p.display_name == evil_name)
        db.set_skill_state(
            session=session,
            student_id=evil.id,
            skill_key=next(iter(echo_app.server.pack.skills)),
            p_known=0.5,
            correct=True,
        )
    shown = teacher.call_api("show_class", [echo_app.server.classroom_id])
    assert shown.success
    heatmap = str(shown.output[0])
    assert "mastery-heatmap" in heatmap and "&lt;img src=x" in heatmap  # the name, escaped
    assert "<img" not in heatmap


def test_20_parallel_identical_answers_record_one_attempt(
    echo_app: EchoApp, pupils: dict[str, Pupil]
) -> None:
    """Twenty identical answers at once from one account: those beyond
    MAX_PENDING_PER_ACCOUNT pending at a time get 429 (issue 13 finding 6), and of those that
    get in exactly one attempt is recorded."""
    for name in ("iris", "jon"):
        pupil = pupils[name]
        assert pupil.raw.call_api("new_exercise", [[]]).success
    server = echo_app.server

    # Raw HTTP: 20 connections with one login cookie, the same right answer at once.
    iris = pupils["iris"]
    answer = active_exercise(server, iris.id).answer_text
    before = len(attempts_of(server, iris.id))
    twins = [iris.raw.twin() for _ in range(20)]
    index = iris.raw.fn_index("send")
    joined = [_try_join(t, index, [answer, []]) for t in twins]
    accepted = [(t, h) for t, h in zip(twins, joined, strict=True) if h is not None]
    assert accepted, joined
    calls = _read_all([t for t, _ in accepted], [h for _, h in accepted])
    assert all(c.success for c in calls), [c.error for c in calls if not c.success]
    attempts = attempts_of(server, iris.id)
    assert len(attempts) == before + 1 and attempts[0].correct
    replies = [last_reply(c) for c in calls]
    assert sum(texts.ALREADY_RECORDED in r for r in replies) == len(calls) - 1, replies

    # gradio_client: jobs submitted at once on one client, a wrong answer this time.
    jon = pupils["jon"]
    wrong = str(int(active_exercise(server, jon.id).answer_text.split("/")[0]) + 101)
    before_messages = len(messages_of(server, jon.id))
    client = Client(server.url, auth=jon.login, verbose=False)
    with echo_app.generator.held():
        jobs = [client.submit(wrong, [], api_name="/send") for _ in range(MAX_PENDING_PER_ACCOUNT)]
        time.sleep(1.0)
    results = [job.result(timeout=120) for job in jobs]
    attempts = attempts_of(server, jon.id)
    assert [a.answer for a in attempts] == [wrong] and not attempts[0].correct
    assert len(messages_of(server, jon.id)) == before_messages + 2  # one message, one reply
    assert sum(texts.ALREADY_RECORDED in repr(r) for r in results) == len(jobs) - 1


def _try_join(raw: RawSession, index: int, data: list[Any]) -> str | None:
    """The session hash of an accepted join, or None for a 429 (refused cleanly)."""
    hash_ = uuid.uuid4().hex[:11]
    reply = raw.http.post(
        "gradio_api/queue/join", json={"data": data, "fn_index": index, "session_hash": hash_}
    )
    if reply.status_code == 429:
        return None
    assert reply.is_success, (reply.status_code, reply.text)
    return hash_


def _read_all(sessions: list[RawSession], hashes: list[str]) -> list[Call]:
    calls: list[Call | None] = [None] * len(sessions)

    def read(i: int) -> None:
        calls[i] = sessions[i].read(hashes[i])

    threads = [threading.Thread(target=read, args=(i,)) for i in range(len(sessions))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert all(c is not None for c in calls)
    return [c for c in calls if c is not None]


def test_6_one_account_cannot_fill_the_shared_queue(
    echo_app: EchoApp, pupils: dict[str, Pupil]
) -> None:
    """Issue 13 finding 6: one student filled the 64-slot queue and everyone else got 503.
    Now an account has at most MAX_PENDING_PER_ACCOUNT events queued or running, however its
    name is spelled at login and whatever junk its cookie header carries."""
    kai = pupils["kai"]
    index = kai.raw.fn_index("send")
    code, name = kai.login[0].split("/")
    respelled = RawSession(echo_app.server.url, (f"{code.lower()} {name.upper()}", kai.login[1]))
    accepted: list[tuple[RawSession, str]] = []
    with echo_app.generator.held():  # the model stalls: the account's jobs stay pending
        statuses = []
        for i in range(12):
            response = kai.raw.http.post(
                "gradio_api/queue/join",
                json={"data": [f"why {i}?", []], "fn_index": index, "session_hash": f"k{i}"},
            )
            statuses.append(response.status_code)
            if response.is_success:
                accepted.append((kai.raw, f"k{i}"))
        assert statuses.count(200) == MAX_PENDING_PER_ACCOUNT, statuses
        assert set(statuses[MAX_PENDING_PER_ACCOUNT:]) == {429}, statuses
        again = respelled.http.post(
            "gradio_api/queue/join",
            json={"data": ["and me?", []], "fn_index": index, "session_hash": "k-other"},
        )
        assert again.status_code == 429  # another spelling of the name is the same account
        cookie = "; ".join(f"{k}={v}" for k, v in kai.raw.http.cookies.items())
        odd = httpx.post(
            f"{echo_app.server.url}gradio_api/queue/join",
            json={"data": ["odd?", []], "fn_index": index, "session_hash": "k-odd"},
            headers={"cookie": f'bad"cookie=1; x=\\"y; {cookie}'},
            timeout=30,
        )
        assert odd.status_code == 429  # a cookie SimpleCookie cannot parse is still Kai's
        other = pupils["max"].raw
        hash_ = other.join(index, ["my turn?", []])  # another student still gets in
        accepted.append((other, hash_))
    for raw, hash_ in accepted:  # every accepted job finishes once the model moves again
        assert raw.read(hash_).success
    respelled.close()


def test_the_queue_is_bounded_and_refuses_cleanly_when_full(echo_app: EchoApp) -> None:
    made = new_students(echo_app.server, [f"Flood {i:02d}" for i in range(24)])
    raws = [RawSession(echo_app.server.url, login) for login, _ in made]
    index = raws[0].fn_index("send")
    statuses: list[int] = []
    accepted: list[tuple[RawSession, str]] = []
    with echo_app.generator.held():  # the model stalls: jobs pile up in the queue
        for n, raw in enumerate(raws):
            for i in range(MAX_PENDING_PER_ACCOUNT):
                hash_ = f"q{n}-{i}"
                response = raw.http.post(
                    "gradio_api/queue/join",
                    json={"data": [f"why {i}?", []], "fn_index": index, "session_hash": hash_},
                )
                statuses.append(response.status_code)
                if response.is_success:
                    accepted.append((raw, hash_))
                else:
                    assert response.status_code == 503, response.text
                    assert "Queue is full" in response.text
    assert statuses.count(503) > 0 and len(accepted) <= 64 + 4
    for raw, hash_ in accepted:  # every accepted job finishes once the model moves again
        assert raw.read(hash_).success
    for raw in raws:
        raw.close()


def test_a_handler_that_fails_gives_a_generic_error_without_a_traceback(
    echo_app: EchoApp, pupils: dict[str, Pupil], teacher: RawSession
) -> None:
    raw = pupils["lea"].raw
    failures = [
        raw.call_api("send", ["hello", [{"role": "user", "content": "not blocks"}]]),
        raw.call_api("send", ["hello", "not a history"]),
        teacher.call_api("show_student", [2**80]),
    ]
    no_class = teacher.call_api("export_attempts", [-(2**70)])  # not an id: said, not failed
    assert "Choose a class first." in json.dumps(no_class.output)
    assert "Traceback" not in no_class.wire
    for call in failures:
        assert not call.success
        for secret in ("Traceback", 'File "', "sqlite", "SELECT", "pydantic", "Overflow"):
            assert secret not in call.wire, (secret, call.wire)
