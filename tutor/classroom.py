"""The teacher's service: classes, students and PINs, assignments, reports and exports.

Like `Tutor` for students, this is the one place a teacher's request becomes store calls: it
opens the transactions, checks that the class or student is the caller's (raising `NotYours`,
logged in the access log by the store), words the reports with names a teacher knows (skill
and mistake names, never internal ids) and builds every download through the one safe CSV
writer. The UI only turns these results into components; the CLI and tests call it directly.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import pandas as pd
from sqlalchemy.orm import Session

import students_db as db
from students_db.teacher import list_assignments, remove_assignment
from tutor import accounts, privacy, reports
from tutor.curriculum.pack import Pack
from tutor.dialogue.state import open_chat_session_of
from tutor.dialogue.summary import summarise_session
from tutor.learner.params import MASTERY_THRESHOLD
from tutor.spreadsheet import csv_text, file_name

MAX_NAMES = 200
MAX_NAME_CHARS = 80
LOGIN_COLUMNS = ("name", "login", "PIN")
KIND_WORDS = {"attempt": "answer", "hint": "hint", "student": "student said", "tutor": "tutor"}


class NotYours(LookupError):
    """The class, student or assignment is not the calling teacher's (or does not exist:
    the two read the same, so probing ids tells nothing)."""


class ClassroomInputError(ValueError):
    """Something the teacher typed cannot be used; the message says what to change."""


@dataclass(frozen=True)
class NewLogin:
    """A student's login as handed out once: the PIN is never stored in the clear."""

    name: str
    login: str  # "CODE/login", what the student types
    pin: str


@dataclass(frozen=True)
class Download:
    """A file for the teacher's browser: its name and its whole text."""

    name: str
    text: str
    media_type: str = "text/csv"


@dataclass(frozen=True)
class StudentChoice:
    id: int
    label: str  # "Ada Lovelace (ada.lovelace)"


@dataclass(frozen=True)
class ClassReport:
    """What the class-progress tab shows."""

    grid: pd.DataFrame  # students x skill names, P(known) or NaN; every student a row
    struggling: tuple[reports.StrugglingStudent, ...]
    wrong_answers: pd.DataFrame  # skill, answer, mistake, count
    students: tuple[StudentChoice, ...]


@dataclass(frozen=True)
class Transcript:
    """A student's messages for the teacher: plain text, shown as text, never as HTML."""

    role: str  # "student" | "tutor"
    text: str


@dataclass(frozen=True)
class StudentReport:
    name: str
    login: str
    transcript: tuple[Transcript, ...]
    timeline: pd.DataFrame  # when, what, skill, result, mistake, text
    summaries: pd.DataFrame  # started, status, attempts, accuracy, hints, summary
    locked_until: datetime | None


@dataclass(frozen=True)
class AssignmentView:
    id: int
    skill: str
    to_whom: str  # "the whole class" or the student's name
    set_on: str


def mastery_band(p_known: float) -> str:
    """The words beside a heatmap cell, so colour is never the only cue."""
    if p_known >= MASTERY_THRESHOLD:
        return "mastered"
    if p_known >= reports.LOW_MASTERY:
        return "getting there"
    return "needs practice"


class Classroom:
    """The teacher-facing operations; one per process, shared by every teacher's requests."""

    def __init__(
        self,
        *,
        sessions: db.SessionFactory,
        pack: Pack,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._sessions = sessions
        self._pack = pack
        self._clock = clock

    @property
    def pack(self) -> Pack:
        return self._pack

    # -- classes --------------------------------------------------------------------------

    def classes(self, teacher_id: int) -> list[db.ClassroomRecord]:
        with db.write_session(self._sessions) as session:
            return db.list_classrooms(session=session, teacher_id=teacher_id)

    def create_class(self, teacher_id: int, name: str) -> db.ClassroomRecord:
        name = _display_name(name or "")
        if not name:
            raise ClassroomInputError("Type a name for the class first.")
        if len(name) > MAX_NAME_CHARS:
            raise ClassroomInputError(f"A class name has at most {MAX_NAME_CHARS} characters.")
        return accounts.create_class(sessions=self._sessions, teacher_id=teacher_id, name=name)

    def _class(self, session: Session, teacher_id: int, classroom_id: int) -> db.ClassroomRecord:
        """The teacher's class, or NotYours; a refused probe leaves a denied access-log row
        (`teacher_owns_classroom` logs it in a write session, even if the caller rolls back)."""
        if db.teacher_owns_classroom(
            session=session, teacher_id=teacher_id, classroom_id=classroom_id
        ):
            for room in db.list_classrooms(session=session, teacher_id=teacher_id):
                if room.id == classroom_id:
                    return room
        raise NotYours("That class is not one of yours.")

    # -- students and PINs ------------------------------------------------------------------

    def add_students(
        self, teacher_id: int, classroom_id: int, text: str
    ) -> tuple[db.ClassroomRecord, list[NewLogin]]:
        """Students from pasted names (one a line): readable logins, PINs shown once.

        Logins are ASCII-folded from the names ("Zoë Brontë" -> zoe.bronte), capped in
        length, made distinct within the class; a name with no Latin letters gets a numbered
        login instead of failing the batch. All are created in one transaction, or none, by
        `accounts.add_students`, the one path every caller (the demo, tests) takes."""
        names = [_display_name(line) for line in (text or "").splitlines()]
        names = [n for n in names if n]
        if not names:
            raise ClassroomInputError("Paste at least one name, one per line.")
        if len(names) > MAX_NAMES:
            raise ClassroomInputError(f"At most {MAX_NAMES} names at a time.")
        if any(len(n) > MAX_NAME_CHARS for n in names):
            raise ClassroomInputError(f"A name has at most {MAX_NAME_CHARS} characters.")
        with db.write_session(self._sessions) as session:
            room = self._class(session, teacher_id, classroom_id)
        try:
            made = accounts.add_students(
                sessions=self._sessions,
                teacher_id=teacher_id,
                classroom_id=classroom_id,
                names=names,
            )
        except PermissionError:  # the class was deleted meanwhile
            raise NotYours("That class is not one of yours.") from None
        return room, [
            NewLogin(name, f"{room.join_code}/{login}", pin)
            for name, (login, pin) in zip(names, made, strict=True)
        ]

    def students(self, teacher_id: int, classroom_id: int) -> tuple[StudentChoice, ...]:
        with db.write_session(self._sessions) as session:
            self._class(session, teacher_id, classroom_id)
            pupils = db.list_students(
                session=session, teacher_id=teacher_id, classroom_id=classroom_id
            )
        return tuple(StudentChoice(p.id, f"{p.display_name} ({p.login_name})") for p in pupils)

    def _student(self, session: Session, teacher_id: int, student_id: int) -> db.StudentRecord:
        pupil = db.student_for_teacher(
            session=session, teacher_id=teacher_id, student_id=student_id
        )
        if pupil is None:
            raise NotYours("That student is not in one of your classes.")
        return pupil

    def _login_of(self, session: Session, pupil: db.StudentRecord) -> str:
        code_and_login = db.student_join_code_and_login(session=session, student_id=pupil.id)
        if code_and_login is None:
            raise NotYours("That student is not in one of your classes.")
        return f"{code_and_login[0]}/{code_and_login[1]}"

    def reset_pin(self, teacher_id: int, student_id: int) -> NewLogin:
        """A new PIN for one of the teacher's students (shown once): the old one stops
        working, every login session of the student ends (a new credential version) and any
        lock on the name is lifted."""
        with db.write_session(self._sessions) as session:  # the ownership read is logged
            pupil = self._student(session, teacher_id, student_id)
            login = self._login_of(session, pupil)
        try:
            pin = accounts.reset_student_pin(
                sessions=self._sessions, teacher_id=teacher_id, student_id=student_id
            )
        except PermissionError:
            raise NotYours("That student is not in one of your classes.") from None
        return NewLogin(pupil.display_name, login, pin)

    def unlock(self, teacher_id: int, student_id: int) -> bool:
        """Lift every lock after too many wrong PINs (all clients); False when the name was
        not locked."""
        with db.write_session(self._sessions) as session:  # the ownership read is logged
            pupil = self._student(session, teacher_id, student_id)
            login = self._login_of(session, pupil)
        was_locked = self.locked_until(login) is not None
        try:
            accounts.unlock_login(
                sessions=self._sessions, teacher_id=teacher_id, student_id=student_id
            )
        except PermissionError:
            raise NotYours("That student is not in one of your classes.") from None
        return was_locked

    def locked_until(self, login: str) -> datetime | None:
        return accounts.login_lock(sessions=self._sessions, username=login, now=self._clock())

    def logins_csv(self, room: db.ClassroomRecord, logins: Sequence[NewLogin]) -> Download:
        """The PIN list as a spreadsheet-safe CSV (PINs as text, so 012345 keeps its zero)."""
        text = csv_text(
            LOGIN_COLUMNS, ((n.name, n.login, n.pin) for n in logins), text_columns=["PIN"]
        )
        return Download(file_name("logins", room.name, day=self._clock().date()), text)

    def delete_student(self, teacher_id: int, student_id: int, typed: str) -> str:
        """Erase a student after the teacher typed their login name; returns their name."""
        with db.write_session(self._sessions) as session:
            pupil = self._student(session, teacher_id, student_id)
        if (typed or "").strip() != pupil.login_name:
            raise ClassroomInputError(f"Type {pupil.login_name} to confirm the deletion.")
        try:
            privacy.delete_student(
                sessions=self._sessions, teacher_id=teacher_id, student_id=student_id
            )
        except PermissionError:
            raise NotYours("That student is not in one of your classes.") from None
        return pupil.display_name

    def export_student(self, teacher_id: int, student_id: int) -> Download:
        try:
            found = privacy.export_student(
                sessions=self._sessions, teacher_id=teacher_id, student_id=student_id
            )
        except PermissionError:
            raise NotYours("That student is not in one of your classes.") from None
        if found is None:
            raise NotYours("That student is not in one of your classes.")
        with db.write_session(self._sessions) as session:
            pupil = self._student(session, teacher_id, student_id)
        name = file_name("student", pupil.display_name, day=self._clock().date(), suffix="json")
        return Download(name, found.to_json(), "application/json")

    # -- reports --------------------------------------------------------------------------

    def class_report(self, teacher_id: int, classroom_id: int) -> ClassReport:
        with db.write_session(self._sessions) as session:
            self._class(session, teacher_id, classroom_id)
            frame = reports.class_mastery_frame(
                session=session, teacher_id=teacher_id, classroom_id=classroom_id, pack=self._pack
            )
            trouble = reports.struggling_students(
                session=session, teacher_id=teacher_id, classroom_id=classroom_id, pack=self._pack
            )
            wrong = reports.common_wrong_answers(
                session=session, teacher_id=teacher_id, classroom_id=classroom_id, pack=self._pack
            )
            pupils = db.list_students(
                session=session, teacher_id=teacher_id, classroom_id=classroom_id
            )
        grid = reports.mastery_table(frame, [p.display_name for p in pupils])
        columns = ["skill", "answer", "mistake", "count"]
        shown = wrong[columns] if not wrong.empty else pd.DataFrame(columns=columns)
        choices = tuple(StudentChoice(p.id, f"{p.display_name} ({p.login_name})") for p in pupils)
        return ClassReport(grid, trouble, shown, choices)

    def student_report(self, teacher_id: int, student_id: int) -> StudentReport:
        with db.write_session(self._sessions) as session:
            pupil = self._student(session, teacher_id, student_id)
            login = self._login_of(session, pupil)
            rows = reports.student_timeline(
                session=session, teacher_id=teacher_id, student_id=student_id
            )
            ended = reports.session_summaries(
                session=session, teacher_id=teacher_id, student_id=student_id
            )
            open_chat = open_chat_session_of(session=session, student_id=student_id)
            live = (
                summarise_session(
                    session=session,
                    chat=open_chat,
                    pack=self._pack,
                    now=self._clock(),
                    student_id=student_id,
                )
                if open_chat is not None
                else None
            )
        transcript = tuple(
            Transcript("student" if r.kind == "student" else "tutor", r.text)
            for r in rows
            if r.kind in ("student", "tutor", "hint") and r.text
        )
        timeline = pd.DataFrame(
            [
                {
                    "when": r.at.strftime("%d %b %H:%M"),
                    "what": KIND_WORDS.get(r.kind, r.kind),
                    "result": "" if r.correct is None else ("right" if r.correct else "wrong"),
                    "skill": self._skill_name(r.skill_key),
                    "mistake": reports.mistake_name(r.misconception_id),
                    "text": _short(r.text, 160),
                }
                for r in reversed(rows)  # newest first: what a teacher looks for
            ],
            columns=["when", "what", "result", "skill", "mistake", "text"],
        )
        summary_rows = []
        if live is not None:
            summary_rows.append(
                {
                    "started": "now (in progress)",
                    "attempts": live.attempts,
                    "accuracy": "" if live.accuracy is None else f"{live.accuracy:.0%}",
                    "hints": live.hints_used,
                    "summary": live.text,
                }
            )
        for s in ended:
            accuracy = s.summary.get("accuracy")
            summary_rows.append(
                {
                    "started": s.started_at.strftime("%d %b %H:%M"),
                    "attempts": s.summary.get("attempts", ""),
                    "accuracy": f"{accuracy:.0%}" if isinstance(accuracy, float) else "",
                    "hints": s.summary.get("hints_used", ""),
                    "summary": str(s.summary.get("text", "")),
                }
            )
        summaries = pd.DataFrame(
            summary_rows, columns=["started", "attempts", "accuracy", "hints", "summary"]
        )
        return StudentReport(
            name=pupil.display_name,
            login=login,
            transcript=transcript,
            timeline=timeline,
            summaries=summaries,
            locked_until=self.locked_until(login),
        )

    def _skill_name(self, skill_key: str | None) -> str:
        if not skill_key:
            return ""
        skill = self._pack.skills.get(skill_key)
        return skill.name if skill is not None else skill_key

    # -- assignments ----------------------------------------------------------------------

    def skill_choices(self) -> list[tuple[str, str]]:
        return [(skill.name, skill.key) for skill in self._pack.skills.values()]

    def assign(
        self, teacher_id: int, classroom_id: int, student_id: int | None, skill_key: str
    ) -> str:
        """Set a skill for the class (student_id None) or one student; the words say to whom
        and which prerequisites come first."""
        skill = self._pack.skills.get(skill_key)
        if skill is None:
            raise ClassroomInputError("Choose a skill first.")
        with db.write_session(self._sessions) as session:
            room = self._class(session, teacher_id, classroom_id)
            if student_id is not None:
                pupil = self._student(session, teacher_id, student_id)
                if pupil.classroom_id != classroom_id:
                    raise NotYours("That student is not in this class.")
                whom = pupil.display_name
            else:
                whom = f"the whole class {room.name}"
            done = db.assign_skill(
                session=session,
                teacher_id=teacher_id,
                skill_key=skill_key,
                classroom_id=None if student_id is not None else classroom_id,
                student_id=student_id,
            )
        if done is None:
            raise NotYours("That class or student is not one of yours.")
        message = f"Assigned **{skill.name}** to **{whom}**."
        before = self._prerequisites(skill_key)
        if before:
            message += (
                " Students who have not mastered its prerequisites practise those first: "
                + ", ".join(before)
                + "."
            )
        return message

    def _prerequisites(self, skill_key: str) -> list[str]:
        """Every skill that comes before this one, nearest last (in the pack's order)."""
        wanted: set[str] = set()
        stack = list(self._pack.skills[skill_key].prerequisites)
        while stack:
            key = stack.pop()
            if key in wanted or key not in self._pack.skills:
                continue
            wanted.add(key)
            stack.extend(self._pack.skills[key].prerequisites)
        return [s.name for s in self._pack.skills.values() if s.key in wanted]

    def assignments(self, teacher_id: int, classroom_id: int) -> list[AssignmentView]:
        with db.write_session(self._sessions) as session:
            self._class(session, teacher_id, classroom_id)
            found = list_assignments(
                session=session, teacher_id=teacher_id, classroom_id=classroom_id
            )
            names = {
                p.id: p.display_name
                for p in db.list_students(
                    session=session, teacher_id=teacher_id, classroom_id=classroom_id
                )
            }
        return [
            AssignmentView(
                a.id,
                self._skill_name(a.skill_key),
                "the whole class" if a.student_id is None else names.get(a.student_id, "a student"),
                a.created_at.strftime("%d %b %Y"),
            )
            for a in found
        ]

    def unassign(self, teacher_id: int, assignment_id: int) -> None:
        with db.write_session(self._sessions) as session:
            if not remove_assignment(
                session=session, teacher_id=teacher_id, assignment_id=assignment_id
            ):
                raise NotYours("That assignment is not one of yours.")

    # -- exports --------------------------------------------------------------------------

    def export_attempts(self, teacher_id: int, classroom_id: int) -> Download:
        with db.write_session(self._sessions) as session:
            room = self._class(session, teacher_id, classroom_id)
            text = reports.export_attempts_csv(
                session=session, teacher_id=teacher_id, classroom_id=classroom_id, pack=self._pack
            )
        return Download(file_name("attempts", room.name, day=self._clock().date()), text)

    def export_mastery(self, teacher_id: int, classroom_id: int) -> Download:
        with db.write_session(self._sessions) as session:
            room = self._class(session, teacher_id, classroom_id)
            text = reports.export_mastery_csv(
                session=session, teacher_id=teacher_id, classroom_id=classroom_id, pack=self._pack
            )
        return Download(file_name("mastery", room.name, day=self._clock().date()), text)


def export_summary(document: str) -> str:
    """A few readable lines about a student export (rows per table), instead of the raw dump."""
    tables = json.loads(document).get("tables", {})
    lines = [f"- {name}: {len(rows)} rows" for name, rows in tables.items() if rows]
    return "\n".join(lines) or "- no data"


def _short(text: str, limit: int) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _display_name(text: str) -> str:
    """A name as shown to people; one too long is the teacher's input problem, said as such."""
    try:
        return accounts.display_text(text)
    except ValueError as error:
        raise ClassroomInputError(str(error).capitalize() + ".") from None
