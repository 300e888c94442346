"""Load: N simulated students, each a thread with its own `gradio_client`, against the app
served by `python app.py` in a subprocess (the tiny GPT-2 as its model, a fresh SQLite file).

Each student logs in and runs one scripted session: a new exercise, a wrong answer, a hint,
the right answer (computed here from the store's active exercise and the pack: the server is
never told), and a free question. Prints requests, requests/s and p50/p95/p99 latency per
action and overall, and the errors; then checks the store: every student has exactly their two
attempts (wrong, then right) and ten finished messages, no message of theirs names another
student, and the access log holds no denied or cross-student read. Exits 1 on any error or
mismatch, or when the run passes --timeout.

    python benchmarks/load.py --students 50
    python benchmarks/load.py --students 50 --replicas 2   # two app processes, one PostgreSQL

With `--replicas 2` a throwaway PostgreSQL server is started (as the tests start theirs), both
app processes use it through DATABASE_URL, and student i talks to replica i mod 2; the same
store check then proves nothing was lost or duplicated across the replicas.

Beside the latencies it prints the servers' CPU seconds per request (read from /proc, the
logins left out) and, per action, the time to the reply's first words (the first streamed
update with text in it). `--model offline` serves the real offline model with the shipped
adapters instead of the tiny GPT-2, so those first-word times are TTFT of model replies.
`--baseline-ref REF` first runs the same load against the app as it was at git commit REF (a
throwaway worktree) and prints today's figures as ratios to it: the before/after in one run.

    python benchmarks/load.py --students 50 --baseline-ref 36c648b
    python benchmarks/load.py --students 8 --model offline
"""

from __future__ import annotations

import argparse
import contextlib
import math
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from random import Random
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run as a script from anywhere
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
os.environ.setdefault("OMP_NUM_THREADS", "1")

ACTIONS = ("new_exercise", "wrong_answer", "hint", "right_answer", "question")
TEACHER = ("load-teacher", "load test password")
EXPECTED_MESSAGES = 2 * len(ACTIONS)  # each action: the student's message and the reply
POLL_S = 0.01  # how often a student looks for the reply's first words (their resolution)


@dataclass(frozen=True)
class Pupil:
    id: int
    login: str  # "CODE/name"
    pin: str
    marker: str  # a word only this student types


@dataclass
class Run:
    """What the threads report (appended under `lock`)."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    first_words: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    cpu_s: float = 0.0  # the servers' CPU seconds from the start signal to the last student
    client_cpu_s: float = 0.0  # this process's (the simulated students'), the same span
    errors: list[str] = field(default_factory=list)
    finished: set[int] = field(default_factory=set)

    def timed(self, action: str, seconds: float, first_words: float | None = None) -> None:
        with self.lock:
            self.latencies[action].append(seconds)
            if first_words is not None:
                self.first_words[action].append(first_words)

    def everything(self) -> list[float]:
        """Every action's latency (logins apart)."""
        return [t for action in ACTIONS for t in self.latencies[action]]

    def requests(self) -> int:
        return len(self.everything())

    def failed(self, pupil: Pupil, action: str, error: BaseException) -> None:
        with self.lock:
            self.errors.append(f"{pupil.login} {action}: {type(error).__name__}: {error}")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def seed_school(url: str, students: int) -> list[Pupil]:
    """A migrated SQLite file with a teacher, a class and `students` students."""
    import students_db as db
    from tutor import accounts

    engine = db.make_engine(url)
    db.upgrade(engine)
    sessions = db.make_session_factory(engine)
    teacher = accounts.create_teacher(sessions=sessions, username=TEACHER[0], password=TEACHER[1])
    room = accounts.create_class(sessions=sessions, teacher_id=teacher.id, name="Load test")
    names = [f"Pupil {i:03d}" for i in range(students)]
    created = accounts.add_students(
        sessions=sessions, teacher_id=teacher.id, classroom_id=room.id, names=names
    )
    with db.write_session(sessions) as session:
        found = db.list_students(session=session, teacher_id=teacher.id, classroom_id=room.id)
    ids = {p.login_name: p.id for p in found}
    engine.dispose()
    return [
        Pupil(ids[login], f"{room.join_code}/{login}", pin, f"MARK{ids[login]:05d}X")
        for login, pin in created
    ]


def start_server(
    tree: Path,
    folder: Path,
    model: Path | None,
    port: int,
    database_url: str | None = None,
    cpus: set[int] | None = None,
) -> subprocess.Popen[bytes]:
    """`python app.py` of the checkout `tree`; `model` None: the app's own choice of base (the
    offline SmolLM2 here) with its shipped adapters."""
    folder.mkdir(parents=True, exist_ok=True)
    tiny = {"TUTOR_BASE_MODEL": str(model), "TUTOR_ADAPTERS_DIR": str(folder / "no_adapters")}
    env = {
        **os.environ,
        **({"DATABASE_URL": database_url} if database_url else {}),
        "TUTOR_DATA_DIR": str(folder),
        **(tiny if model is not None else {}),
        "PYTHONPATH": str(tree),
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
    for inherited in ("TUTOR_BACKUP_DIR", "TUTOR_BASE_MODEL", "TUTOR_ADAPTERS_DIR"):
        if model is None or inherited == "TUTOR_BACKUP_DIR":
            env.pop(inherited, None)
    log = (folder / "server.log").open("wb")
    return subprocess.Popen(
        [sys.executable, str(tree / "app.py")],
        cwd=tree,
        env=env,
        stdout=log,
        stderr=log,
        preexec_fn=(lambda: os.sched_setaffinity(0, cpus)) if cpus else None,
    )


def split_cpus(replicas: int, pin: bool) -> tuple[set[int] | None, set[int] | None]:
    """(the server's CPUs, the students' CPUs): with one replica and `pin`, the server gets
    the first CPU to itself and the simulated students the others, so the students' own
    client work (gradio_client is not light) does not blur the server's figures."""
    available = sorted(os.sched_getaffinity(0))
    if not pin or replicas != 1 or len(available) < 2:
        return None, None
    return {available[0]}, set(available[1:])


def cpu_seconds(servers: list[subprocess.Popen[bytes]]) -> float:
    """User + system CPU of the server processes (and children they waited for), from /proc."""
    total = 0
    for server in servers:
        try:
            fields = Path(f"/proc/{server.pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += sum(int(value) for value in fields[11:15])  # utime stime cutime cstime
    return total / os.sysconf("SC_CLK_TCK")


def wait_until_up(url: str, server: subprocess.Popen[bytes], timeout_s: float) -> None:
    import httpx

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


def current_exercise(sessions: Any, pack: Any, student_id: int) -> Any:
    import students_db as db

    with db.read_session(sessions) as session:
        active = db.get_active_exercise(session=session, student_id=student_id)
    if active is None:
        raise RuntimeError("no exercise is open after 'new exercise'")
    return pack.exercise_by_id(active.exercise_id, active.seed)


def a_wrong_answer(exercise: Any, seed: int) -> str:
    from tutor.curriculum import check_answer
    from tutor.demo import wrong_answer

    answer = wrong_answer(exercise, Random(seed))
    result = check_answer(exercise, answer)
    if result.correct or result.status == "malformed":
        return "-987654"
    return answer


def student_session(
    pupil: Pupil, url: str, sessions: Any, pack: Any, start: threading.Barrier, run: Run
) -> None:
    """One student's scripted session; the first failing action ends it."""
    from gradio_client import Client

    action = "login"
    try:
        began = time.perf_counter()  # 50 argon2 checks at once: a class logging in at 9:00
        client = Client(
            url, auth=(pupil.login, pupil.pin), verbose=False, httpx_kwargs={"timeout": 120}
        )
        run.timed("login", time.perf_counter() - began)
        start.wait()
        history: Any = []

        def act(name: str, *args: Any) -> Any:
            """Call an endpoint, streaming: the result, and the seconds to the first update
            whose reply has words in it and to the end are timed."""
            began = time.perf_counter()
            first: float | None = None
            job = client.submit(*args, api_name=f"/{name}")
            seen = 0
            while first is None and not job.done():  # not `for update in job`: it polls each ms
                updates = job.outputs()
                if any(_reply_text(update) for update in updates[seen:]):
                    first = time.perf_counter() - began
                seen = len(updates)
                time.sleep(POLL_S)
            result = job.result()
            if first is None:
                first = time.perf_counter() - began  # the whole reply came in one update
            run.timed(action, time.perf_counter() - began, first)
            return _chat_of(result)

        action = "new_exercise"
        history = act("new_exercise", history)
        exercise = current_exercise(sessions, pack, pupil.id)
        action = "wrong_answer"
        history = act("send", a_wrong_answer(exercise, pupil.id), history)
        action = "hint"
        history = act("hint", history)
        action = "right_answer"  # of the exercise open now (a placement moves on when wrong)
        exercise = current_exercise(sessions, pack, pupil.id)
        history = act("send", exercise.answer_text, history)
        action = "question"
        history = act("send", f"why does this work, {pupil.marker}?", history)
        with run.lock:
            run.finished.add(pupil.id)
    except threading.BrokenBarrierError as error:
        run.failed(pupil, "start", error)
    except Exception as error:
        run.failed(pupil, action, error)
        start.abort()  # if the error came before the start, let the others go


def _chat_of(update: Any) -> Any:
    """The chat in an endpoint's output: `send` answers (chat, box), the buttons (chat, note)."""
    if isinstance(update, tuple | list) and update and isinstance(update[0], list):
        return update[0]
    return update


def _reply_text(update: Any) -> str:
    """The reply's text in a streamed update: the chat's last message when it is the tutor's."""
    chat = _chat_of(update)
    if not isinstance(chat, list) or not chat or not isinstance(chat[-1], dict):
        return ""
    last = chat[-1]
    if last.get("role") != "assistant":
        return ""
    content = last.get("content")
    if isinstance(content, list):  # Gradio 6 messages: [{"type": "text", "text": ...}]
        return "".join(str(part.get("text", "")) for part in content if isinstance(part, dict))
    return content if isinstance(content, str) else ""


def _own_cpu() -> float:
    times = os.times()
    return times.user + times.system


def run_students(
    pupils: list[Pupil],
    urls: list[str],
    sessions: Any,
    pack: Any,
    deadline: float,
    cpu: Callable[[], float],
) -> tuple[Run, float]:
    """Log `pupils` in, release them together, and wait (bounded by `deadline`). Student i
    uses replica i mod len(urls): with two replicas, students alternate between them. The
    servers' CPU (`cpu`) is read at the release and at the end, so logins are left out."""
    run = Run()
    start = threading.Barrier(len(pupils) + 1)
    threads = [
        threading.Thread(
            target=student_session,
            args=(p, urls[i % len(urls)], sessions, pack, start, run),
            daemon=True,
        )
        for i, p in enumerate(pupils)
    ]
    for thread in threads:
        thread.start()
    with contextlib.suppress(threading.BrokenBarrierError):  # reported per student
        start.wait(timeout=max(1.0, deadline - time.monotonic()))
    t0 = time.monotonic()
    cpu_at_start = cpu()
    mine_at_start = _own_cpu()
    for thread in threads:
        thread.join(timeout=max(0.0, deadline - time.monotonic()))
    elapsed = time.monotonic() - t0
    run.cpu_s = cpu() - cpu_at_start
    run.client_cpu_s = _own_cpu() - mine_at_start
    if any(t.is_alive() for t in threads):
        run.errors.append("timed out")
    return run, elapsed


def compare(solo: Run, solo_elapsed: float, run: Run, elapsed: float) -> None:
    """The ratios against the baseline: throughput gained, latency paid."""
    alone = solo.everything()
    loaded = run.everything()
    if not alone or not loaded:
        return
    rate_ratio = (len(loaded) / elapsed) / (len(alone) / solo_elapsed)
    p50_ratio = percentile(loaded, 50) / percentile(alone, 50)
    print(f"ratio vs alone: requests/s x{rate_ratio:.1f}, p50 latency x{p50_ratio:.1f}")


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    rank = max(0, min(len(ordered) - 1, math.ceil(q / 100 * len(ordered)) - 1))  # nearest rank
    return ordered[rank]


def report(run: Run, elapsed: float) -> None:
    everything = run.everything()
    print(f"requests:   {len(everything)} in {elapsed:.1f} s ({len(everything) / elapsed:.1f}/s)")
    if everything:
        per_request = 1000 * run.cpu_s / len(everything)
        print(
            f"server CPU: {run.cpu_s:.1f} s, {per_request:.0f} ms per request (logins apart);"
            f" the students' own: {run.client_cpu_s:.1f} s"
        )
    print(f"{'action':<14}{'n':>5}{'mean':>9}{'p50':>9}{'p95':>9}{'p99':>9}  (seconds)")
    rows = [*((a, run.latencies[a]) for a in ACTIONS), ("overall", everything)]
    for name, values in [*rows, ("(login)", run.latencies["login"])]:
        if not values:
            print(f"{name:<14}{0:>5}")
            continue
        mean = sum(values) / len(values)
        cells = [mean, percentile(values, 50), percentile(values, 95), percentile(values, 99)]
        print(f"{name:<14}{len(values):>5}" + "".join(f"{v:>9.3f}" for v in cells))
    print("first words of the reply (seconds from the request):")
    firsts = [t for action in ACTIONS for t in run.first_words[action]]
    for name, values in [*((a, run.first_words[a]) for a in ACTIONS), ("overall", firsts)]:
        if values:
            cells = [percentile(values, 50), percentile(values, 95), percentile(values, 99)]
            print(f"  {name:<12}{len(values):>5}" + "".join(f"{v:>9.3f}" for v in cells))
    print(f"errors:     {len(run.errors)}")
    for line in run.errors[:20]:
        print(f"  {line}")


def check_store(sessions: Any, pupils: list[Pupil]) -> list[str]:
    """Every student's rows are exactly theirs and exactly as many as their session made."""
    from sqlalchemy import select

    import students_db as db
    from students_db import models

    problems = []
    markers = {p.marker: p.id for p in pupils}
    with db.read_session(sessions) as session:
        for pupil in pupils:
            attempts = db.recent_attempts(session=session, student_id=pupil.id, limit=100)
            verdicts = [a.correct for a in reversed(attempts)]
            if verdicts != [False, True]:
                problems.append(f"{pupil.login}: attempts {verdicts}, expected [False, True]")
            messages = db.recent_messages(session=session, student_id=pupil.id, limit=1000)
            if len(messages) != EXPECTED_MESSAGES:
                problems.append(f"{pupil.login}: {len(messages)} messages, not {EXPECTED_MESSAGES}")
            unfinished = [m.status for m in messages if m.status not in ("ok", "fallback")]
            if unfinished:
                problems.append(f"{pupil.login}: replies not finished: {unfinished}")
            for message in messages:
                others = [m for m, sid in markers.items() if m in message.text and sid != pupil.id]
                if others:
                    problems.append(f"{pupil.login}: a message names {others}")
            if not any(pupil.marker in m.text for m in messages):
                problems.append(f"{pupil.login}: their question is missing")
        ids = {p.id for p in pupils}
        stray = session.scalars(
            select(models.Message.student_id).where(models.Message.student_id.not_in(ids))
        ).all()
        if stray:
            problems.append(f"{len(stray)} messages of students outside the run")
        log = session.execute(
            select(
                models.AccessLog.actor_role,
                models.AccessLog.actor_id,
                models.AccessLog.subject_student_id,
                models.AccessLog.allowed,
            )
        ).all()
    denied = [row for row in log if not row.allowed]
    crossed = [
        row
        for row in log
        if row.actor_role == "student" and row.subject_student_id not in (None, row.actor_id)
    ]
    print(f"access log: {len(log)} rows, {len(denied)} denied, {len(crossed)} cross-student")
    if denied or crossed:
        problems.append(f"access log: denied {denied[:3]}, cross-student {crossed[:3]}")
    return problems


def start_postgres() -> tuple[Any, Any]:
    """A throwaway PostgreSQL server (the test fixture's helpers), for replicas to share."""
    from tests.fixtures import postgres

    bin_dir = postgres._bin_dir()
    if bin_dir is None:
        raise SystemExit("--replicas/--postgres need PostgreSQL (initdb not found)")
    return postgres._start(bin_dir), lambda server: postgres._stop(bin_dir, server)


@dataclass
class Outcome:
    """One load run against one version of the app."""

    solo: Run
    solo_elapsed: float
    run: Run
    elapsed: float
    problems: list[str]

    @property
    def failed(self) -> bool:
        return bool(self.run.errors or self.solo.errors or self.problems)


def measure(tree: Path, args: argparse.Namespace, label: str) -> Outcome:
    """Start the app of checkout `tree` (on a fresh database), run the one-student baseline and
    then all students at once, check the store, and print it all under `label`."""
    import students_db as db
    from tests.fixtures.tiny_gpt2 import build_tiny_gpt2
    from tutor.curriculum import load_default_pack

    began = time.monotonic()
    pg, stop_pg = start_postgres() if args.postgres or args.replicas > 1 else (None, None)
    servers: list[subprocess.Popen[bytes]] = []
    solo = run = Run()
    solo_elapsed = elapsed = 1.0
    problems: list[str] = []
    with tempfile.TemporaryDirectory(prefix="tutor-load-") as tmp:
        folder = Path(tmp)
        model = build_tiny_gpt2(folder / "tiny_gpt2") if args.model == "tiny" else None
        database = pg.url("postgres") if pg else f"sqlite:///{folder / 'tutor.db'}"
        pupils = seed_school(database, args.students + 1)  # +1: the baseline student
        urls = []
        server_cpus, student_cpus = split_cpus(args.replicas, args.pin)
        for replica in range(args.replicas):
            port = free_port()
            urls.append(f"http://127.0.0.1:{port}/")
            where = folder if args.replicas == 1 else folder / f"replica{replica}"
            servers.append(
                start_server(tree, where, model, port, database if pg else None, server_cpus)
            )
        everywhere = os.sched_getaffinity(0)
        if student_cpus:
            os.sched_setaffinity(0, student_cpus)
        engine = db.make_engine(database)
        sessions = db.make_session_factory(engine)
        try:
            for url, server in zip(urls, servers, strict=True):
                wait_until_up(url, server, timeout_s=min(900.0, args.timeout))
            store = "PostgreSQL" if pg else "SQLite"
            print(
                f"[{label}] {len(servers)} server(s) up on {store} after "
                f"{time.monotonic() - began:.1f} s; {args.students} students"
                + (", alternating between the replicas" if len(servers) > 1 else "")
                + f"; model: {args.model}"
                + (f"; server on CPU {server_cpus}, students {student_cpus}" if server_cpus else "")
            )
            pack = load_default_pack()
            deadline = began + args.timeout
            cpu = lambda: cpu_seconds(servers)  # noqa: E731
            # The baseline, in the same run: one student alone on the same server.
            solo, solo_elapsed = run_students(pupils[:1], urls[:1], sessions, pack, deadline, cpu)
            run, elapsed = run_students(pupils[1:], urls, sessions, pack, deadline, cpu)
            print(f"baseline: 1 student alone, {len(ACTIONS)} requests in {solo_elapsed:.1f} s")
            report(solo, solo_elapsed)
            print(f"under load: {args.students} students at once")
            report(run, elapsed)
            compare(solo, solo_elapsed, run, elapsed)
            if not (run.errors or solo.errors):
                problems = check_store(sessions, pupils)
        finally:
            for server in servers:
                server.terminate()
            for server in servers:
                try:
                    server.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    server.kill()
            engine.dispose()
            os.sched_setaffinity(0, everywhere)
            if pg is not None and stop_pg is not None:
                stop_pg(pg)
        if run.errors or solo.errors:
            for log in sorted(folder.rglob("server.log")):
                tail = log.read_text(errors="replace")[-3000:]
                print(f"{log.parent.name} server log (tail):\n{tail}")
    if problems:
        print("store check: FAILED")
        for line in problems[:30]:
            print(f"  {line}")
    elif not (run.errors or solo.errors):
        total = args.students + 1
        print(f"store check: ok ({total} students x 2 attempts, {EXPECTED_MESSAGES} msgs)")
    return Outcome(solo, solo_elapsed, run, elapsed, problems)


@contextlib.contextmanager
def checkout(ref: str) -> Iterator[Path]:
    """A throwaway `git worktree` of this repository at `ref` (removed afterwards)."""
    with tempfile.TemporaryDirectory(prefix="tutor-load-baseline-") as tmp:
        tree = Path(tmp) / "tree"
        subprocess.run(
            ["git", "-C", str(ROOT), "worktree", "add", "--detach", "-q", str(tree), ref],
            check=True,
        )
        try:
            yield tree
        finally:
            subprocess.run(
                ["git", "-C", str(ROOT), "worktree", "remove", "--force", str(tree)], check=False
            )


def before_after(before: Outcome, after: Outcome) -> None:
    """Today's figures as ratios to the earlier version's, from the same run."""

    def p50(run: Run) -> float:
        return percentile(run.everything(), 50)

    def cpu_per_request(run: Run) -> float:
        return run.cpu_s / max(1, run.requests())

    print("before/after (after / before):")
    print(
        f"  server CPU per request under load: {1000 * cpu_per_request(before.run):.0f} ms -> "
        f"{1000 * cpu_per_request(after.run):.0f} ms "
        f"(x{cpu_per_request(after.run) / cpu_per_request(before.run):.2f})"
    )
    print(
        f"  server CPU per request alone:      {1000 * cpu_per_request(before.solo):.0f} ms -> "
        f"{1000 * cpu_per_request(after.solo):.0f} ms "
        f"(x{cpu_per_request(after.solo) / cpu_per_request(before.solo):.2f})"
    )
    rate_before = before.run.requests() / before.elapsed
    rate_after = after.run.requests() / after.elapsed
    ratio = rate_after / rate_before
    print(f"  requests/s under load: {rate_before:.1f} -> {rate_after:.1f} (x{ratio:.2f})")
    print(
        f"  p50 latency under load: {p50(before.run):.2f} s -> {p50(after.run):.2f} s "
        f"(x{p50(after.run) / p50(before.run):.2f})"
    )
    logins_before = percentile(before.run.latencies["login"], 50)
    logins_after = percentile(after.run.latencies["login"], 50)
    print(f"  p50 login under load: {logins_before:.2f} s -> {logins_after:.2f} s")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=50, help="simulated students (threads)")
    parser.add_argument("--timeout", type=float, default=600, help="per-version run limit, s")
    parser.add_argument(
        "--replicas", type=int, default=1, help="app processes; more than 1 implies --postgres"
    )
    parser.add_argument("--postgres", action="store_true", help="one PostgreSQL for all")
    parser.add_argument(
        "--model",
        choices=("tiny", "offline"),
        default="tiny",
        help="tiny: a random tiny GPT-2 (the server's own cost); offline: the real offline "
        "model with the shipped adapters (TTFT of model replies)",
    )
    parser.add_argument(
        "--no-pin",
        dest="pin",
        action="store_false",
        help="let the server and the students share every CPU (default with one replica: the "
        "server on the first CPU, the students on the others)",
    )
    parser.add_argument(
        "--baseline-ref",
        default=None,
        help="a git commit to run the same load against first (before/after ratios)",
    )
    args = parser.parse_args()
    if not 1 <= args.students <= 500:
        parser.error("--students must be between 1 and 500")
    if args.baseline_ref is None:
        return 1 if measure(ROOT, args, "today").failed else 0
    with checkout(args.baseline_ref) as tree:
        before = measure(tree, args, f"before: {args.baseline_ref}")
    after = measure(ROOT, args, "today")
    if not (before.failed or after.failed):
        before_after(before, after)
    return 1 if before.failed or after.failed else 0


if __name__ == "__main__":
    sys.exit(main())
