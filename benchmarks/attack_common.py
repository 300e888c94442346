"""What the attack benchmarks share: the app served by `python app.py` in a subprocess (the
tiny GPT-2 as its model, a fresh SQLite file), a seeded class, and a student's turn over raw
HTTP (log in, join the queue, read the SSE stream), timed."""

from __future__ import annotations

import json
import os
import socket
import statistics
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
TEACHER = ("attack-teacher", "attack test password")


@dataclass(frozen=True)
class Pupil:
    id: int
    login: str
    pin: str


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def seed_school(url: str, students: int) -> list[Pupil]:
    import students_db as db
    from tutor import accounts

    engine = db.make_engine(url)
    db.upgrade(engine)
    sessions = db.make_session_factory(engine)
    teacher = accounts.create_teacher(sessions=sessions, username=TEACHER[0], password=TEACHER[1])
    room = accounts.create_class(sessions=sessions, teacher_id=teacher.id, name="Attack test")
    names = [f"Pupil {i:03d}" for i in range(students)]
    created = accounts.add_students(
        sessions=sessions, teacher_id=teacher.id, classroom_id=room.id, names=names
    )
    with db.write_session(sessions) as session:
        found = db.list_students(session=session, teacher_id=teacher.id, classroom_id=room.id)
    ids = {p.login_name: p.id for p in found}
    engine.dispose()
    return [Pupil(ids[login], f"{room.join_code}/{login}", pin) for login, pin in created]


def start_server(folder: Path, model: Path, port: int) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "TUTOR_DATA_DIR": str(folder),
        "TUTOR_BASE_MODEL": str(model),
        "TUTOR_ADAPTERS_DIR": str(folder / "no_adapters"),
        "TUTOR_DEVICE": "cpu",
        "TUTOR_HOST": "127.0.0.1",
        "TUTOR_PORT": str(port),
        "TUTOR_REQUIRE_MODEL": "true",
        "OMP_NUM_THREADS": "1",
        "OMP_WAIT_POLICY": "PASSIVE",
        "HF_HUB_OFFLINE": "1",
        "TRANSFORMERS_OFFLINE": "1",
        "GRADIO_ANALYTICS_ENABLED": "False",
    }
    env.pop("TUTOR_BACKUP_DIR", None)
    log = (folder / "server.log").open("wb")
    return subprocess.Popen(
        [sys.executable, str(ROOT / "app.py")], cwd=ROOT, env=env, stdout=log, stderr=log
    )


def wait_until_up(url: str, server: subprocess.Popen[bytes], timeout_s: float = 180) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"the server exited with {server.returncode}")
        try:
            if httpx.get(f"{url}config", timeout=2).status_code in (200, 401):
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"the server did not answer within {timeout_s:.0f} s")


def stop(server: subprocess.Popen[bytes]) -> None:
    server.terminate()
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        server.kill()


class Student:
    """One logged-in student speaking the queue protocol, like the browser does."""

    def __init__(self, url: str, pupil: Pupil) -> None:
        self.http = httpx.Client(base_url=url, timeout=120)
        reply = self.http.post("login", data={"username": pupil.login, "password": pupil.pin})
        reply.raise_for_status()
        config = self.http.get("config").json()
        self.fns = {d.get("api_name"): d.get("id", i) for i, d in enumerate(config["dependencies"])}

    def act(self, api_name: str, data: list[Any]) -> tuple[float, dict[str, Any]]:
        """(seconds, the final event) of one call, from the join to process_completed."""
        began = time.perf_counter()
        hash_ = uuid.uuid4().hex[:11]
        joined = self.http.post(
            "gradio_api/queue/join",
            json={"data": data, "fn_index": self.fns[api_name], "session_hash": hash_},
        )
        if joined.status_code != 200:
            return time.perf_counter() - began, {"success": False, "status": joined.status_code}
        with self.http.stream("GET", f"gradio_api/queue/data?session_hash={hash_}") as sse:
            for line in sse.iter_lines():
                if line.startswith("data:"):
                    event = json.loads(line[5:])
                    if event.get("msg") == "process_completed":
                        return time.perf_counter() - began, event
        return time.perf_counter() - began, {"success": False, "status": "stream ended"}

    def start(self) -> None:
        """Open an exercise (the turns that follow are about it)."""
        took, event = self.act("new_exercise", [[]])
        if not event.get("success"):
            raise RuntimeError(f"'new exercise' failed: {event}")

    def turn(self, text: str) -> float:
        """A question to the tutor (the model writes the answer); its latency."""
        took, event = self.act("send", [text, []])  # the server reads the history itself
        if not event.get("success"):
            raise RuntimeError(f"a student turn failed: {event}")
        return took

    def close(self) -> None:
        self.http.close()


def summary(latencies: list[float]) -> str:
    ordered = sorted(latencies)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return (
        f"n={len(ordered)} median={statistics.median(ordered) * 1000:.0f} ms "
        f"p95={p95 * 1000:.0f} ms max={ordered[-1] * 1000:.0f} ms"
    )
