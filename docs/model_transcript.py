"""Issue 11, acceptance 1: the model writes a student's replies in the real app, verified.

    python docs/model_transcript.py [--out docs/model_transcript.txt]

Starts `python app.py --demo` from this checkout in a fresh data folder (the app chooses its
base itself: GPT-2 where it loads and its adapters ship, else the offline SmolLM2 base with
the shipped adapters), with `TUTOR_LOG_LEVEL=DEBUG` so its log names the adapter behind each
reply part and prints the plan the model was asked to word. The first demo student gets a
subtraction that borrows in the tens column (written into the store as a teacher's
assignment would be); Debian's chromium, driven by Playwright, logs in as that student and
types what a student with the borrowing bug types: the answer the "smaller digit from the
larger" rule gives, the sub-step's answer, "hint", "why do we borrow?", "I hate this" and
"show me the solution".

The transcript (each message, the tutor's reply as the page shows it, and the app's log lines
for that turn: the plan, and whether the model's words or the template's were shown) is
written to `--out` and printed; the last lines count the reply parts the model wrote.
"""

from __future__ import annotations

import argparse
import os
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import students_db as db  # noqa: E402
from docs.teaching_transcript import borrowing_exercise, open_exercise  # noqa: E402
from tutor.curriculum import load_default_pack  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
STUDENT_LINE = re.compile(r"^\s+(\S+/\S+)\s+PIN (\d+)")
LOG_LINE = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+ ")
START_TIMEOUT_S = 900
REPLY_TIMEOUT_MS = 240_000


class App:
    """`python app.py --demo` in the background, its output collected line by line."""

    def __init__(self, data_dir: Path, port: int) -> None:
        env = dict(os.environ)
        env.update(
            TUTOR_DATA_DIR=str(data_dir),
            TUTOR_PORT=str(port),
            TUTOR_LOG_LEVEL="DEBUG",
            OMP_WAIT_POLICY="PASSIVE",
            PYTHONUNBUFFERED="1",
        )
        self.url = f"http://127.0.0.1:{port}"
        self.lines: list[str] = []
        self._process = subprocess.Popen(
            [sys.executable, "app.py", "--demo"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self._process.stdout is not None
        for line in self._process.stdout:
            self.lines.append(line.rstrip("\n"))

    def wait_until_up(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise RuntimeError("the app exited:\n" + "\n".join(self.lines[-30:]))
            try:
                with socket.create_connection(("127.0.0.1", int(self.url.rsplit(":", 1)[1])), 1):
                    return
            except OSError:
                time.sleep(1)
        raise TimeoutError("the app did not start in time")

    def wait_for_model(self) -> str:
        """The app loads its model in the background once it is up: wait for its line."""
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            said = [line for line in self.lines if line.startswith("The model is")]
            if said:
                return said[-1]
            time.sleep(1)
        raise TimeoutError("the model did not finish loading in time")

    def first_student(self) -> tuple[str, str]:
        for line in self.lines:
            found = STUDENT_LINE.match(line)
            if found:
                return found.group(1), found.group(2)
        raise LookupError("the app printed no student login")

    def stop(self) -> None:
        self._process.terminate()
        try:
            self._process.wait(30)
        except subprocess.TimeoutExpired:
            self._process.kill()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def assign_borrowing_exercise(data_dir: Path, login: str) -> tuple[str, str, str]:
    """Open the borrowing exercise for the student (`CODE/name`); returns (statement, the
    slip's answer, the slipped step's result)."""
    pack = load_default_pack()
    exercise, wrong, step_result = borrowing_exercise(pack)
    engine = db.make_engine(f"sqlite:///{data_dir / 'tutor.db'}")
    open_exercise(db.make_session_factory(engine), login, exercise)
    engine.dispose()
    return exercise.statement, wrong, step_result


def _say(page: Any, text: str) -> str:
    box = page.locator("#student-message textarea")
    before = page.locator("#student-chat .bot").count()
    box.fill(text)
    box.press("Enter")
    page.wait_for_function(
        "n => document.querySelectorAll('#student-chat .bot').length > n",
        arg=before,
        timeout=REPLY_TIMEOUT_MS,
    )
    page.wait_for_function(
        "() => !document.querySelector('.progress-text') && "
        "!document.querySelector('.generating') && !document.querySelector('.eta-bar')",
        timeout=REPLY_TIMEOUT_MS,
    )
    page.wait_for_timeout(500)
    return str(page.locator("#student-chat .bot").last.inner_text())


def _turn_log(lines: list[str]) -> list[str]:
    """The app's log lines about words and plans (a plan block runs to the next log line)."""
    kept: list[str] = []
    in_plan = False
    for line in lines:
        if LOG_LINE.match(line):
            in_plan = "plan for the" in line
            if in_plan or "words by the" in line:
                kept.append(line.split(": ", 1)[1] if ": " in line else line)
        elif in_plan:
            kept.append("    " + line)
    return kept


def run(out: Path) -> int:
    from playwright.sync_api import sync_playwright

    transcript: list[str] = []

    def emit(text: str = "") -> None:
        transcript.append(text)
        sys.stdout.write(text + "\n")
        sys.stdout.flush()

    with tempfile.TemporaryDirectory() as folder:
        data_dir = Path(folder)
        app = App(data_dir, free_port())
        started = time.monotonic()
        try:
            app.wait_until_up()
            up = time.monotonic() - started
            model_line = app.wait_for_model()
            emit(
                f"app up in {up:.0f} s, model ready in {time.monotonic() - started:.0f} s "
                f"({model_line}); its start-up lines:"
            )
            for line in app.lines:
                if not LOG_LINE.match(line) and "PIN" not in line and line.strip():
                    emit(f"  | {line}")
            login, pin = app.first_student()
            statement, wrong, step_result = assign_borrowing_exercise(data_dir, login)
            emit(f"student {login}; exercise: {statement}")
            messages = [
                wrong,
                step_result,
                "hint",
                "why do we borrow?",
                "I hate this",
                "show me the solution",
            ]
            with sync_playwright() as p:
                browser = p.chromium.launch(
                    executable_path=CHROMIUM,
                    args=["--headless", "--no-sandbox", "--disable-gpu",
                          "--disable-background-networking"],
                )  # fmt: skip
                page = browser.new_page(viewport={"width": 1366, "height": 900})
                page.set_default_timeout(REPLY_TIMEOUT_MS)
                page.goto(app.url)
                page.locator("input[type=text]").first.fill(login)
                page.locator("input[type=password]").first.fill(pin)
                page.get_by_role("button", name=re.compile("log ?in", re.I)).click()
                page.get_by_text("Logged in as").wait_for()
                page.wait_for_timeout(1500)
                model_parts = template_parts = 0
                for message in messages:
                    mark = len(app.lines)
                    reply = _say(page, message)
                    emit()
                    emit(f"STUDENT: {message}")
                    emit("TUTOR:   " + reply.replace("\n", "\n         "))
                    for line in _turn_log(app.lines[mark:]):
                        emit(f"  log: {line}")
                        model_parts += line.startswith("words by the model")
                        template_parts += line.startswith("words by the template")
                browser.close()
            emit()
            emit(
                f"reply parts worded by the model and verified: {model_parts}; by the template "
                f"after the model's words failed the checks: {template_parts}"
            )
        finally:
            app.stop()
    out.write_text("\n".join(transcript) + "\n", encoding="utf-8")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "model_transcript.txt")
    return run(parser.parse_args().out)


if __name__ == "__main__":
    sys.exit(main())
