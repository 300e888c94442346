"""The teacher view: classes, students and PINs, assignments, the class reports, exports.

Every handler re-reads the teacher from `request.username` and refuses anyone else with
"This action is for teachers." (the endpoints are reachable by `fn_index` from any logged-in
session). The class or student chosen in a dropdown is only a UI selection: the store's
teacher reads return nothing for another teacher's class or student, and writes check
ownership, so a forged id shows nothing and changes nothing.
"""

from __future__ import annotations

import csv
import html
import io
import tempfile
from pathlib import Path
from typing import Any

import gradio as gr
import pandas as pd

import students_db as db
from tutor import accounts, privacy, reports
from tutor.ui import chat_view
from tutor.ui.identity import caller, require_teacher
from tutor.ui.services import Services

TEACHER_EVENT: dict[str, Any] = {"api_visibility": "undocumented"}
LOGIN_COLUMNS = ["name", "login (class code/name)", "PIN"]
MAX_NAMES = 200


def _as_id(value: Any, what: str) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise gr.Error(f"Choose a {what} first.") from None
    if number <= 0:
        raise gr.Error(f"Choose a {what} first.")
    return number


def heatmap_html(frame: pd.DataFrame) -> str:
    """The class x skill mastery grid as an HTML table, each cell coloured by P(known)."""
    table = reports.mastery_table(frame)
    if table.empty:
        return "<p>No attempts in this class yet.</p>"
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in table.columns)
    rows = []
    for student, values in table.iterrows():
        cells = []
        for value in values:
            if pd.isna(value):
                cells.append('<td style="background:#f3f4f6">-</td>')
                continue
            hue = int(120 * float(value))  # red (0) to green (120)
            cells.append(
                f'<td style="background:hsl({hue},70%,80%);text-align:center">{value:.0%}</td>'
            )
        rows.append(f"<tr><th>{html.escape(str(student))}</th>{''.join(cells)}</tr>")
    return (
        '<table class="mastery-heatmap" id="mastery-heatmap">'
        f"<tr><th>student</th>{head}</tr>{''.join(rows)}</table>"
    )


def _write_temp(prefix: str, text: str) -> str:
    """A file for a download component: outside the data, backup and adapter folders."""
    folder = Path(tempfile.mkdtemp(prefix="tutor-export-"))
    path = folder / f"{prefix}.csv"
    path.write_text(text, encoding="utf-8")
    return str(path)


def logins_csv(rows: list[list[str]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(LOGIN_COLUMNS)
    writer.writerows(rows)
    return buffer.getvalue()


def build_teacher_view(services: Services) -> dict[str, Any]:
    """Create the teacher components inside the current Blocks and wire their events."""
    sessions = services.sessions
    pack = services.pack
    skill_choices = [(f"{s.name} ({s.key})", s.key) for s in pack.skills.values()]

    with gr.Row():
        classes = gr.Dropdown(
            label="Class", choices=[], elem_id="teacher-class", scale=3, allow_custom_value=True
        )
        new_class = gr.Textbox(label="New class name", scale=2, elem_id="new-class-name")
        create_button = gr.Button("Create class", scale=1, elem_id="btn-create-class")
    status = gr.Markdown(elem_id="teacher-status")
    with gr.Tab("Students"):
        names = gr.Textbox(
            label="Add students: one name per line",
            lines=4,
            elem_id="student-names",
        )
        add_button = gr.Button("Add students", elem_id="btn-add-students")
        gr.Markdown("Logins and PINs are shown **once**: download or copy them now.")
        logins = gr.Dataframe(
            headers=LOGIN_COLUMNS, interactive=False, elem_id="new-logins", wrap=True
        )
        logins_file = gr.File(label="Logins (CSV)", interactive=False)
    with gr.Tab("Class progress"):
        refresh_button = gr.Button("Refresh", elem_id="btn-refresh-class")
        heatmap = gr.HTML(elem_id="heatmap")
        struggling = gr.Markdown(elem_id="struggling")
        gr.Markdown("#### Common wrong answers")
        wrong = gr.Dataframe(interactive=False, elem_id="wrong-answers")
        with gr.Row():
            export_attempts_button = gr.Button("Export attempts (CSV)")
            export_mastery_button = gr.Button("Export mastery (CSV)")
        export_file = gr.File(label="Export", interactive=False)
    with gr.Tab("A student"):
        student = gr.Dropdown(
            label="Student", choices=[], elem_id="teacher-student", allow_custom_value=True
        )
        transcript = gr.Chatbot(
            label="Transcript",
            latex_delimiters=chat_view.LATEX_DELIMITERS,
            height=360,
            elem_id="transcript",
        )
        gr.Markdown("#### Timeline")
        timeline = gr.Dataframe(interactive=False, elem_id="timeline", wrap=True)
        gr.Markdown("#### Session summaries")
        summaries = gr.Dataframe(interactive=False, elem_id="summaries", wrap=True)
        with gr.Row():
            export_student_button = gr.Button("Export this student (JSON)")
            confirm = gr.Textbox(label="To delete, type the student's login name", scale=2)
            delete_button = gr.Button("Delete this student", variant="stop")
        student_json = gr.Code(language="json", label="Student export", interactive=False)
    with gr.Tab("Assign"):
        skill = gr.Dropdown(label="Skill", choices=skill_choices, elem_id="assign-skill")
        target = gr.Radio(
            choices=["the whole class", "the chosen student"],
            value="the whole class",
            label="Assign to",
        )
        assign_button = gr.Button("Assign", elem_id="btn-assign")

    def class_choices(teacher_id: int) -> list[tuple[str, int]]:
        with db.write_session(sessions) as session:
            rooms = db.list_classrooms(session=session, teacher_id=teacher_id)
        return [(f"{r.name} (code {r.join_code})", r.id) for r in rooms]

    def create_class(name: str, request: gr.Request) -> tuple[Any, str, str]:
        me = require_teacher(sessions, request)
        try:
            room = accounts.create_class(sessions=sessions, teacher_id=me.id, name=name or "")
        except (ValueError, db.InvalidInput) as error:
            raise gr.Error(str(error)) from None
        choices = class_choices(me.id)
        note = f"Class **{room.name}** created. Students log in with code **{room.join_code}**."
        return gr.update(choices=choices, value=room.id), "", note

    def add_students(class_id: Any, text: str, request: gr.Request) -> tuple[Any, Any, str]:
        me = require_teacher(sessions, request)
        room_id = _as_id(class_id, "class")
        wanted = [line.strip() for line in (text or "").splitlines() if line.strip()]
        if not wanted:
            raise gr.Error("Paste at least one name, one per line.")
        if len(wanted) > MAX_NAMES:
            raise gr.Error(f"At most {MAX_NAMES} names at a time.")
        try:
            created = accounts.add_students(
                sessions=sessions, teacher_id=me.id, classroom_id=room_id, names=wanted
            )
        except PermissionError as error:
            raise gr.Error(str(error)) from None
        except (ValueError, db.InvalidInput) as error:
            raise gr.Error(str(error)) from None
        code = _join_code(me.id, room_id)
        rows = [
            [accounts.display_text(name), f"{code}/{login}", pin]  # the names as stored
            for name, (login, pin) in zip(wanted, created, strict=True)
        ]
        frame = pd.DataFrame(rows, columns=LOGIN_COLUMNS)
        note = f"{len(rows)} student(s) added."
        return frame, _write_temp("logins", logins_csv(rows)), note

    def _join_code(teacher_id: int, room_id: int) -> str:
        with db.write_session(sessions) as session:
            rooms = db.list_classrooms(session=session, teacher_id=teacher_id)
        for room in rooms:
            if room.id == room_id:
                return room.join_code
        raise gr.Error("That class is not one of yours.")

    def show_class(class_id: Any, request: gr.Request) -> tuple[Any, ...]:
        me = require_teacher(sessions, request)
        if class_id in (None, ""):  # the selection was cleared
            return "", "", pd.DataFrame(), gr.update(choices=[], value=None)
        room_id = _as_id(class_id, "class")
        with db.write_session(sessions) as session:
            if not db.teacher_owns_classroom(
                session=session, teacher_id=me.id, classroom_id=room_id
            ):
                raise gr.Error("That class is not one of yours.")
            frame = reports.class_mastery_frame(
                session=session, teacher_id=me.id, classroom_id=room_id, pack=pack
            )
            trouble = reports.struggling_students(
                session=session, teacher_id=me.id, classroom_id=room_id
            )
            wrong_frame = reports.common_wrong_answers(
                session=session, teacher_id=me.id, classroom_id=room_id
            )
            pupils = db.list_students(session=session, teacher_id=me.id, classroom_id=room_id)
        if trouble:
            lines = ["#### Struggling students"]
            lines += [f"- **{html.escape(t.student)}**: {'; '.join(t.reasons)}" for t in trouble]
            trouble_md = "\n".join(lines)
        else:
            trouble_md = "#### Struggling students\nNone right now."
        choices = [(f"{p.display_name} ({p.login_name})", p.id) for p in pupils]
        return heatmap_html(frame), trouble_md, wrong_frame, gr.update(choices=choices, value=None)

    def show_student(student_id: Any, request: gr.Request) -> tuple[Any, ...]:
        me = require_teacher(sessions, request)
        if student_id in (None, ""):
            return [], pd.DataFrame(), pd.DataFrame()
        pupil_id = _as_id(student_id, "student")
        with db.write_session(sessions) as session:
            if not db.teacher_owns_student(session=session, teacher_id=me.id, student_id=pupil_id):
                raise gr.Error("That student is not in one of your classes.")
            rows = reports.student_timeline(session=session, teacher_id=me.id, student_id=pupil_id)
            ended = reports.session_summaries(
                session=session, teacher_id=me.id, student_id=pupil_id
            )
        chat = [
            {"role": "user" if r.kind == "student" else "assistant", "content": r.text}
            for r in rows
            if r.kind in ("student", "tutor", "hint") and r.text
        ]
        table = pd.DataFrame(
            [
                {
                    "at": r.at.strftime("%Y-%m-%d %H:%M"),
                    "kind": r.kind,
                    "skill": r.skill_key or "",
                    "text": r.text[:200],
                    "correct": "" if r.correct is None else ("yes" if r.correct else "no"),
                    "misconception": r.misconception_id or "",
                }
                for r in rows
            ],
            columns=["at", "kind", "skill", "text", "correct", "misconception"],
        )
        summary_table = pd.DataFrame(
            [
                {
                    "started": s.started_at.strftime("%Y-%m-%d %H:%M"),
                    "attempts": s.summary.get("attempts", ""),
                    "accuracy": s.summary.get("accuracy", ""),
                    "hints": s.summary.get("hints_used", ""),
                    "summary": s.summary.get("text", ""),
                }
                for s in ended
            ],
            columns=["started", "attempts", "accuracy", "hints", "summary"],
        )
        return chat, table, summary_table

    def export(kind: str) -> Any:
        def handler(
            class_id: Any,
            request: gr.Request,
            progress: gr.Progress = gr.Progress(),  # noqa: B008 (Gradio injects it)
        ) -> str:
            me = require_teacher(sessions, request)
            room_id = _as_id(class_id, "class")
            progress(0.1, desc="Reading the class")
            with db.write_session(sessions) as session:
                if not db.teacher_owns_classroom(
                    session=session, teacher_id=me.id, classroom_id=room_id
                ):
                    raise gr.Error("That class is not one of yours.")
                if kind == "attempts":
                    text = reports.export_attempts_csv(
                        session=session, teacher_id=me.id, classroom_id=room_id
                    )
                else:
                    text = reports.export_mastery_csv(
                        session=session, teacher_id=me.id, classroom_id=room_id, pack=pack
                    )
            progress(0.9, desc="Writing the file")
            return _write_temp(f"class-{room_id}-{kind}", text)

        handler.__name__ = f"export_{kind}"
        return handler

    def assign(class_id: Any, student_id: Any, skill_key: Any, to: str, request: gr.Request) -> str:
        me = require_teacher(sessions, request)
        if not isinstance(skill_key, str) or skill_key not in pack.skills:
            raise gr.Error("Choose a skill first.")
        for_student = to == "the chosen student"
        with db.write_session(sessions) as session:
            done = db.assign_skill(
                session=session,
                teacher_id=me.id,
                skill_key=skill_key,
                classroom_id=None if for_student else _as_id(class_id, "class"),
                student_id=_as_id(student_id, "student") if for_student else None,
            )
        if done is None:
            raise gr.Error("That class or student is not one of yours.")
        return f"Assigned **{pack.skills[skill_key].name}**."

    def export_student(student_id: Any, request: gr.Request) -> str:
        me = require_teacher(sessions, request)
        pupil_id = _as_id(student_id, "student")
        try:
            found = privacy.export_student(sessions=sessions, teacher_id=me.id, student_id=pupil_id)
        except PermissionError:
            raise gr.Error("That student is not in one of your classes.") from None
        if found is None:
            raise gr.Error("That student is not in one of your classes.")
        return found.to_json()

    def delete_student(student_id: Any, typed: str, request: gr.Request) -> tuple[Any, str]:
        me = require_teacher(sessions, request)
        pupil_id = _as_id(student_id, "student")
        with db.write_session(sessions) as session:
            pupil = db.student_for_teacher(session=session, teacher_id=me.id, student_id=pupil_id)
        if pupil is None:
            raise gr.Error("That student is not in one of your classes.")
        if (typed or "").strip() != pupil.login_name:
            raise gr.Error(f"Type {pupil.login_name} to confirm the deletion.")
        try:
            privacy.delete_student(sessions=sessions, teacher_id=me.id, student_id=pupil_id)
        except PermissionError:
            raise gr.Error("That student is not in one of your classes.") from None
        return gr.update(value=None), f"Deleted **{pupil.display_name}** and all their data."

    export_student_button.click(
        export_student, [student], [student_json], api_name="export_student", **TEACHER_EVENT
    )
    delete_button.click(
        delete_student, [student, confirm], [student, status], api_name="delete_student",
        **TEACHER_EVENT,
    )  # fmt: skip

    class_outputs = [heatmap, struggling, wrong, student]
    create_button.click(
        create_class, [new_class], [classes, new_class, status], api_name="create_class",
        **TEACHER_EVENT,
    )  # fmt: skip
    add_button.click(
        add_students, [classes, names], [logins, logins_file, status], api_name="add_students",
        **TEACHER_EVENT,
    )  # fmt: skip
    classes.change(show_class, [classes], class_outputs, api_name="show_class", **TEACHER_EVENT)
    refresh_button.click(show_class, [classes], class_outputs, api_visibility="private")
    student.change(
        show_student, [student], [transcript, timeline, summaries], api_name="show_student",
        **TEACHER_EVENT,
    )  # fmt: skip
    export_attempts_button.click(
        export("attempts"), [classes], [export_file], api_name="export_attempts", **TEACHER_EVENT
    )
    export_mastery_button.click(
        export("mastery"), [classes], [export_file], api_name="export_mastery", **TEACHER_EVENT
    )
    assign_button.click(
        assign, [classes, student, skill, target], [status], api_name="assign", **TEACHER_EVENT
    )

    def load(request: gr.Request) -> Any:
        """Fill the class list for a teacher; leave the view untouched for anyone else."""
        identity = caller(sessions, request)
        if identity is None or identity.role != "teacher":
            return gr.skip()
        return gr.update(choices=class_choices(identity.id), value=None)

    return {"load": load, "load_outputs": [classes]}
