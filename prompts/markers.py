"""The literal strings that structure a prompt, in one place.

Every format is a sequence of sections, each opened by a line starting with `SECTION_PREFIX`.
A completion ends with `END_MARKER`, which is also a stop string at inference: the model
learns to write it, and the generator stops there. Student text is wrapped between
`STUDENT_OPEN` and `STUDENT_CLOSE` so it can never open a section of its own; the sanitizer
removes all of these strings from student text first.
"""

from __future__ import annotations

SECTION_PREFIX = "### "
END_MARKER = "\n### End"
STUDENT_OPEN = "<student>"
STUDENT_CLOSE = "</student>"

# Section titles, in the order they appear in every prompt.
TASK_SECTION = "Task"
LEARNER_SECTION = "Learner"
CONVERSATION_SECTION = "Conversation"
EXERCISE_SECTION = "Input"
RESPONSE_SECTION = "Response"

# Stop strings for every task: the end marker, and any new section (a model that starts
# writing "### Student" is inventing a turn, not answering).
STOP_STRINGS: tuple[str, ...] = (END_MARKER, "\n" + SECTION_PREFIX.rstrip())

ROLE_LABELS = {"student": "Student", "tutor": "Tutor"}


def section(title: str) -> str:
    """The header line of a section (no trailing newline)."""
    return f"{SECTION_PREFIX}{title}"
