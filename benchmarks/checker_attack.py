"""The answer-checker attack: 10 students send the degree-24 answer
`(x+y+z+n)^12(x+y+z+n)^12` again and again while another student works (issue 13, finding 4).

Prints that student's turn latency alone and during the attack (ratio; goal <= 2x), what the
attackers were told, and what the server did after the attack stopped: its thread count
and child processes before and 5 s after, and the CPU time it burned in the 5 s after (the
old checker left a sympy thread expanding each answer for minutes). Baseline and attack are
measured in the same run on the same server. Exits 1 when a goal is missed.

    python benchmarks/checker_attack.py
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

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

ATTACK = "(x+y+z+n)^12(x+y+z+n)^12"
ATTACKERS = 10
QUIET_S = 5.0


def process_state(pid: int) -> tuple[int, int, float]:
    """(threads, child processes, CPU seconds so far) of a process, from /proc."""
    threads = len(os.listdir(f"/proc/{pid}/task"))
    children = 0
    for task in os.listdir(f"/proc/{pid}/task"):
        with open(f"/proc/{pid}/task/{task}/children") as handle:
            children += len(handle.read().split())
    with open(f"/proc/{pid}/stat") as handle:
        fields = handle.read().rsplit(")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    cpu = (int(fields[11]) + int(fields[12])) / ticks  # utime + stime
    return threads, children, cpu


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--turns", type=int, default=12, help="victim turns per phase")
    parser.add_argument("--max-ratio", type=float, default=2.0)
    args = parser.parse_args()

    from tests.fixtures.tiny_gpt2 import build_tiny_gpt2

    with tempfile.TemporaryDirectory(prefix="tutor-checker-attack-") as tmp:
        folder = Path(tmp)
        model = build_tiny_gpt2(folder / "tiny_gpt2")
        pupils = seed_school(f"sqlite:///{folder / 'tutor.db'}", ATTACKERS + 1)
        port = free_port()
        url = f"http://127.0.0.1:{port}/"
        server = start_server(folder, model, port)
        try:
            wait_until_up(url, server)
            victim = Student(url, pupils[0])
            victim.start()
            attackers = [Student(url, p) for p in pupils[1:]]
            for attacker in attackers:
                attacker.start()  # an open exercise: the answer goes to the checker
            alone = [victim.turn(f"why does step {i} work?") for i in range(args.turns)]
            before = process_state(server.pid)

            told: Counter[str] = Counter()
            latencies: list[float] = []
            lock = threading.Lock()

            def attack(student: Student, done: threading.Event | None) -> None:
                while True:
                    took, event = student.act("send", [ATTACK, []])
                    with lock:
                        latencies.append(took)
                        told[_verdict(event)] += 1
                    if done is None or done.is_set():
                        return

            # The attack: 10 copies of the answer at once; the victim keeps working.
            burst = [threading.Thread(target=attack, args=(a, None)) for a in attackers]
            for thread in burst:
                thread.start()
            attacked = [victim.turn(f"and why step {i}?") for i in range(args.turns)]
            for thread in burst:
                thread.join(timeout=120)
            stopped = time.monotonic()
            _, _, cpu_at_stop = process_state(server.pid)
            time.sleep(QUIET_S)
            after = process_state(server.pid)
            quiet_cpu = after[2] - cpu_at_stop
            waited = time.monotonic() - stopped
            burst_answers = sum(told.values())

            # For scale: the 10 keep sending it as fast as they are answered (a flood of any
            # message would queue the victim behind theirs the same way).
            done = threading.Event()
            flood = [threading.Thread(target=attack, args=(a, done)) for a in attackers]
            for thread in flood:
                thread.start()
            time.sleep(2.0)
            flooded = [victim.turn(f"once more, step {i}?") for i in range(args.turns)]
            done.set()
            for thread in flood:
                thread.join(timeout=120)
        except Exception:
            print((folder / "server.log").read_text(errors="replace")[-3000:])
            raise
        finally:
            stop(server)

    ratio = statistics.median(attacked) / statistics.median(alone)
    flood_ratio = statistics.median(flooded) / statistics.median(alone)
    print(f"victim alone:                 {summary(alone)}")
    print(f"victim from the 10-copy burst: {summary(attacked)}")
    print(f"median ratio: {ratio:.2f}x (goal <= {args.max_ratio:.1f}x)")
    print(f"attack answers: {burst_answers} in the burst, {sum(told.values())} in all;")
    print(f"  their latency {summary(latencies)}; they were told: {dict(told)}")
    print(f"victim while the 10 resend it nonstop: {summary(flooded)} ({flood_ratio:.2f}x)")
    print(
        f"server before the attack: {before[0]} threads, {before[1]} child processes; "
        f"{waited:.1f} s after it: {after[0]} threads, {after[1]} child processes, "
        f"{quiet_cpu:.2f} CPU s burned in those {waited:.1f} s"
    )
    lingering = after[1] > before[1] or quiet_cpu > 0.5 * QUIET_S
    print("left running after the attack: " + ("YES" if lingering else "nothing"))
    return 0 if ratio <= args.max_ratio and not lingering else 1


def _verdict(event: dict) -> str:
    if not event.get("success"):
        return f"failed ({event.get('status', 'error')})"
    data = (event.get("output") or {}).get("data") or [[]]
    history = data[0] if data and isinstance(data[0], list) else []
    last = history[-1] if history else {}
    content = last.get("content") if isinstance(last, dict) else ""
    if isinstance(content, list):
        content = "".join(b.get("text", "") for b in content if isinstance(b, dict))
    text = str(content)
    return "too complicated" if "too complicated" in text else text[:60]


if __name__ == "__main__":
    sys.exit(main())
