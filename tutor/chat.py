"""The tutor in a terminal: a read-eval-print loop over the very same `Tutor` the web app uses.

Library code: it reads lines through `read` and writes through `write`, so the CLI passes the
terminal and a test passes lists. Commands start with a slash; anything else is a message.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from students_db.errors import StoreBusy
from tutor.dialogue.views import MessageRejected
from tutor.tutor import STYLES, Tutor

HELP = (
    "Commands: /new (new exercise), /hint, /explain, /solution, /progress, "
    "/style step-by-step|short|example, /help, /quit. Anything else is an answer or a question."
)


def run_chat(
    tutor: Tutor,
    student_id: int,
    *,
    read: Callable[[str], str] = input,
    write: Callable[[str], None],
    name: str = "you",
) -> None:
    """Chat until /quit or end of input; the chat session then ends with a stored summary."""
    write(f"Hello {name}! {HELP}\n")
    if not tutor.model_available:
        write("(No language model is loaded: explanations come from templates.)\n")
    view = tutor.progress(student_id)
    if view.current_statement is None:
        _show(tutor.new_exercise(student_id), write)
    else:
        write(f"tutor> Your current exercise: {view.current_statement}\n")
    while True:
        try:
            line = read(f"{name}> ")
        except (EOFError, KeyboardInterrupt):
            write("\n")
            break
        line = line.strip()
        if not line:
            continue
        if line.lower() in ("/quit", "/exit", "/q"):
            break
        try:
            _handle(tutor, student_id, line, write)
        except MessageRejected as rejected:
            write(f"tutor> {rejected}\n")
        except StoreBusy:
            write("tutor> I am busy right now; nothing was lost. Please send that again.\n")
    summary = tutor.end_session(student_id)
    if summary is not None:
        write(f"Session summary: {summary.text}\n")
    write("Bye!\n")


def _handle(tutor: Tutor, student_id: int, line: str, write: Callable[[str], None]) -> None:
    command, _, argument = line.partition(" ")
    command = command.lower()
    if command == "/help":
        write(HELP + "\n")
    elif command == "/new":
        _show(tutor.new_exercise(student_id), write)
    elif command == "/hint":
        _show(tutor.hint(student_id), write)
    elif command == "/explain":
        _show(tutor.explain_again(student_id), write)
    elif command == "/solution":
        _show(tutor.show_solution(student_id), write)
    elif command == "/progress":
        write(progress_text(tutor, student_id) + "\n")
    elif command == "/style":
        style = argument.strip()
        if style not in STYLES:
            write(f"Styles: {', '.join(STYLES)}\n")
        else:
            tutor.set_style(student_id, style)
            write(f"tutor> I will explain things {style} from now on.\n")
    elif command.startswith("/"):
        write(f"Unknown command {command}. {HELP}\n")
    else:
        _show(tutor.respond(student_id, line), write)


def _show(pieces: Iterator[str], write: Callable[[str], None]) -> None:
    write("tutor> ")
    for piece in pieces:
        write(piece.replace("\n", "\n       "))
    write("\n")


def progress_text(tutor: Tutor, student_id: int) -> str:
    """The progress panel as text: practised or assigned skills first, then the rest briefly."""
    view = tutor.progress(student_id)
    lines = ["Mastery (* = mastered):"]
    for row in view.mastery:  # percentages, as the web panel shows them
        bar = "#" * round(row.p_known * 20)
        mark = "*" if row.mastered else " "
        lines.append(f"  {mark} {row.skill_name:<40} {row.p_known:4.0%} {bar}")
    if view.current_skill:
        lines.append(f"Now: {view.current_statement} ({view.current_reason})")
    if view.due_reviews:
        lines.append(f"Reviews due: {', '.join(view.due_reviews)}")
    return "\n".join(lines)
