"""The login under attack: a student's turn latency alone, then while 20 anonymous clients
hammer `POST /login` with long usernames (issue 13, findings 1 and 2).

The attackers run in a separate process, 20 threads, each in a tight loop: half send the
username that once backtracked for 20 s ("a" + 250 spaces + "x\\ny"), half a 100 KB name.
Phase 1: all from one address (the server sees 127.0.0.1). Phase 2: each attacker claims its
own address with X-Forwarded-For (uvicorn trusts it from loopback, as from a proxy), so the
per-address budgets do not help and only the global budget and the cheap refusals do.
Baseline and attack are measured in the same run, on the same server. Exits 1 when the
median ratio passes --max-ratio.

    python benchmarks/login_attack.py
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import statistics
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run as a script from anywhere
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
os.environ.setdefault("OMP_NUM_THREADS", "1")

from benchmarks.attack_common import (
    Student,
    free_port,
    seed_school,
    start_server,
    stop,
    summary,
    wait_until_up,
)

CRAFTED = "a" + " " * 250 + "x\ny"
HUGE = "A" * 100_000


def hammer(url: str, done: Any, spoof: bool, results: Any) -> None:
    """20 attacker threads until `done` is set; puts their status-code counts on `results`."""
    import httpx

    counts: Counter[str] = Counter()
    lock = threading.Lock()

    def attacker(n: int) -> None:
        headers = {"x-forwarded-for": f"203.0.113.{n + 1}"} if spoof else {}
        name = CRAFTED if n % 2 else HUGE
        with httpx.Client(base_url=url, timeout=30, headers=headers) as http:
            while not done.is_set():
                try:
                    code = str(
                        http.post("login", data={"username": name, "password": "1"}).status_code
                    )
                except httpx.HTTPError as error:
                    code = type(error).__name__
                with lock:
                    counts[code] += 1

    threads = [threading.Thread(target=attacker, args=(n,)) for n in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    results.put(dict(counts))


def measure(student: Student, turns: int) -> list[float]:
    return [student.turn(f"why does step {i} work?") for i in range(turns)]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--turns", type=int, default=12, help="student turns per phase")
    parser.add_argument("--max-ratio", type=float, default=2.0)
    args = parser.parse_args()

    from tests.fixtures.tiny_gpt2 import build_tiny_gpt2

    worst = 0.0
    with tempfile.TemporaryDirectory(prefix="tutor-login-attack-") as tmp:
        folder = Path(tmp)
        model = build_tiny_gpt2(folder / "tiny_gpt2")
        (pupil,) = seed_school(f"sqlite:///{folder / 'tutor.db'}", 1)
        port = free_port()
        url = f"http://127.0.0.1:{port}/"
        server = start_server(folder, model, port)
        try:
            wait_until_up(url, server)
            student = Student(url, pupil)
            student.start()  # an open exercise, as in class; warms the model up
            for spoof in (False, True):
                label = "20 addresses (X-Forwarded-For)" if spoof else "one address"
                alone = measure(student, args.turns)
                done = multiprocessing.Event()
                results: Any = multiprocessing.Queue()
                attackers = multiprocessing.Process(target=hammer, args=(url, done, spoof, results))
                attackers.start()
                time.sleep(3.0)  # let the flood build up (and the budgets run dry)
                began = time.time()
                attacked = measure(student, args.turns)
                took = time.time() - began
                done.set()
                counts = results.get(timeout=60)
                attackers.join(timeout=30)
                ratio = statistics.median(attacked) / statistics.median(alone)
                worst = max(worst, ratio)
                sent = sum(counts.values())
                print(f"phase: 20 attackers from {label}")
                print(f"  student alone:        {summary(alone)}")
                print(f"  student under attack: {summary(attacked)}")
                print(f"  attackers: {sent} logins in {took + 3:.0f} s, answers {dict(counts)}")
                print(f"  median ratio: {ratio:.2f}x")
            student.close()
        except Exception:
            print((folder / "server.log").read_text(errors="replace")[-3000:])
            raise
        finally:
            stop(server)
    print(f"worst median ratio: {worst:.2f}x (goal <= {args.max_ratio:.1f}x)")
    return 0 if worst <= args.max_ratio else 1


if __name__ == "__main__":
    sys.exit(main())
