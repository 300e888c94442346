"""What the UI handlers share: built once per process by the composition root, read-only after.

Holding these in one frozen object (rather than module globals) keeps per-process parts
(the store, the tutor with its one model) explicit and keeps per-user data out of memory:
every handler reads who is calling from `request.username` and everything else from the store.
"""

from __future__ import annotations

from dataclasses import dataclass

from students_db import SessionFactory
from tutor.classroom import Classroom
from tutor.curriculum.pack import Pack
from tutor.tutor import Tutor


@dataclass(frozen=True)
class Services:
    sessions: SessionFactory
    tutor: Tutor  # the student's side
    classroom: Classroom  # the teacher's side
    pack: Pack
    max_message_chars: int


def model_notice(services: Services) -> str:
    """The line the student view shows about where explanations come from (read at each
    page load: the model may still be loading at start, `BackgroundModel`)."""
    if services.tutor.model_available:
        return ""
    return (
        "The language model is not available right now, so explanations come from "
        "built-in templates. Exercises, answer checking and progress work as usual."
    )
