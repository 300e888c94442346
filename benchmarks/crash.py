"""Crash safety: SIGKILL a writer answering exercises through `Tutor.respond`, again and again,
and check after every kill that no acknowledged answer was lost and the database is sound.

Each round forks a writer (from a preloaded forkserver), waits for its first acknowledged
answer, kills it with SIGKILL after a random delay, reopens the database as a restarted app
would and checks: every acknowledged submission is stored, `PRAGMA integrity_check` is "ok",
and every skill state counts exactly its stored attempts. Exits 1 on any failure.

    python benchmarks/crash.py --kills 200
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run as a script from anywhere
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

from tests.fault_writer import run_kills


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kills", type=int, default=200, help="how many SIGKILLs")
    parser.add_argument("--seed", type=int, default=0, help="seed of the kill delays")
    parser.add_argument(
        "--max-delay", type=float, default=0.25, help="longest wait before a kill, seconds"
    )
    parser.add_argument("--db", type=Path, default=None, help="database file (default: temp)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="tutor-crash-") as folder:
        path = args.db or Path(folder) / "crash.db"
        report = run_kills(
            db_path=path, kills=args.kills, seed=args.seed, max_delay_s=args.max_delay
        )
    print(f"kills:      {report.kills}")
    print(f"acked:      {report.acked} answers acknowledged after commit")
    print(f"lost:       {report.lost}")
    print(f"integrity:  {report.integrity}")
    print(f"mismatched: {report.mismatched_states} skill states disagreeing with their attempts")
    print(f"wall time:  {report.wall_s:.1f} s ({report.wall_s / max(report.kills, 1):.2f} s/kill)")
    print("PASS" if report.ok and report.kills == args.kills else "FAIL")
    return 0 if report.ok and report.kills == args.kills else 1


if __name__ == "__main__":
    sys.exit(main())
