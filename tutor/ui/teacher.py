"""The teacher view: one builder per tab, thin handlers over `tutor.classroom.Classroom`.

Every handler re-reads the teacher from `request.username` and refuses anyone else with
"This action is for teachers." (the endpoints are reachable by `fn_index` from any logged-in
session). The class or student chosen in a dropdown is only a UI selection: the service
raises `NotYours` for another teacher's class or student (a forged id shows nothing and
changes nothing; the store logs the refusal).

What a teacher typed wrong (an empty class name, a delete confirmation that does not match)
is said in the status line and every other output is left as it was: `gr.Error` would put a
red badge over every output of the event, inputs included, until the next event.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

import gradio as gr

from students_db import SessionFactory
from tutor.classroom import Classroom, ClassroomInputError, NotYours, StudentChoice
from tutor.ui import teacher_html as view
from tutor.ui.identity import Identity, caller, require_teacher
from tutor.ui.services import Services
from tutor.ui.style import TEACHER, style_block

TEACHER_EVENT: dict[str, Any] = {"api_visibility": "undocumented"}
WHOLE_CLASS = "the whole class"
ONE_STUDENT = "the chosen student"
T = TypeVar("T")


def _id(value: object) -> int | None:
    """A dropdown's value as a positive id, None when nothing (or nonsense) is chosen."""
    if isinstance(value, bool):
        return None
    try:
        number = int(value)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return None
    return number if number > 0 else None


def _status(text: str, *, problem: bool = False) -> str:
    kind = "problem" if problem else "ok"
    return f'<p class="tutor-status {kind}" role="status">{view.escape(text)}</p>'


def _status_html(markup: str) -> str:
    return f'<p class="tutor-status ok" role="status">{markup}</p>'


def _skips(count: int) -> tuple[Any, ...]:
    return tuple(gr.skip() for _ in range(count))


def _student_choices(found: Sequence[StudentChoice]) -> list[tuple[str, int]]:
    return [(s.label, s.id) for s in found]


@dataclass(frozen=True)
class _Problem:
    """What the teacher typed cannot be used: `status` says so in the status line."""

    status: str


def _attempt(action: Callable[[], T]) -> T | _Problem:
    """Run a service call; a typed input problem becomes a `_Problem` for the status line,
    anything not the teacher's becomes `gr.Error` (a forged id or a page left open)."""
    try:
        return action()
    except ClassroomInputError as error:
        return _Problem(_status(str(error), problem=True))
    except NotYours as error:
        raise gr.Error(str(error)) from None


@dataclass(frozen=True)
class _Context:
    """What every tab's handlers share: the service and the store (to read the caller)."""

    classroom: Classroom
    sessions: SessionFactory

    def me(self, request: gr.Request) -> int:
        """The calling teacher's id, from the verified login; `gr.Error` for anyone else."""
        return require_teacher(self.sessions, request).id


@dataclass(frozen=True)
class _Top:
    classes: gr.Dropdown
    new_class: gr.Textbox
    create: gr.Button
    status: gr.HTML


def _top_row(ctx: _Context) -> _Top:
    classroom = ctx.classroom
    with gr.Row(equal_height=True):
        classes = gr.Dropdown(
            label="Class",
            choices=[],
            elem_id="teacher-class",
            scale=3,
            min_width=200,
            allow_custom_value=True,  # checked by the service, not refused before the role check
        )
        new_class = gr.Textbox(
            label="New class name", scale=2, elem_id="new-class-name", max_length=80
        )
        create = gr.Button("Create class", scale=1, elem_id="btn-create-class", min_width=120)
    status = gr.HTML(elem_id="teacher-status")
    top = _Top(classes, new_class, create, status)

    def create_class(name: str, request: gr.Request) -> tuple[Any, ...]:
        me = ctx.me(request)
        room = _attempt(lambda: classroom.create_class(me, name if isinstance(name, str) else ""))
        if isinstance(room, _Problem):
            return gr.skip(), gr.skip(), room.status
        choices = [(f"{r.name} (code {r.join_code})", r.id) for r in classroom.classes(me)]
        note = _status_html(
            f"Class <strong>{view.escape(room.name)}</strong> created. Students log in with "
            f"code <strong>{view.escape(room.join_code)}</strong>."
        )
        return gr.update(choices=choices, value=room.id), "", note

    create.click(
        create_class, [new_class], [classes, new_class, status], api_name="create_class",
        **TEACHER_EVENT,
    )  # fmt: skip
    return top


def _students_tab(ctx: _Context, top: _Top) -> Any:
    classroom = ctx.classroom
    names = gr.Textbox(
        label="Add students: one name per line",
        lines=4,
        elem_id="student-names",
        max_length=20_000,
    )
    add = gr.Button("Add students", elem_id="btn-add-students")
    gr.Markdown(
        "Logins are made from the names (accents dropped: *Zoë Brontë* logs in as "
        "`zoe.bronte`). The PINs are shown **once**: download or copy them now. A lost PIN "
        "can be replaced on the *One student* tab."
    )
    logins = gr.HTML(elem_id="new-logins")
    download = gr.HTML(elem_id="logins-download")

    def add_students(class_id: Any, text: Any, request: gr.Request) -> tuple[Any, ...]:
        me = ctx.me(request)
        room_id = _id(class_id)
        if room_id is None:
            return gr.skip(), gr.skip(), _status("Choose a class first.", problem=True)
        typed = text if isinstance(text, str) else ""
        made = _attempt(lambda: classroom.add_students(me, room_id, typed))
        if isinstance(made, _Problem):
            return gr.skip(), gr.skip(), made.status
        room, created = made
        link = view.download_link(classroom.logins_csv(room, created), "Download the logins")
        note = _status(f"{len(created)} student(s) added to {room.name}.")
        return view.logins_table(created), link, note

    return add.click(
        add_students, [top.classes, names], [logins, download, top.status],
        api_name="add_students", **TEACHER_EVENT,
    )  # fmt: skip


@dataclass(frozen=True)
class _Progress:
    refresh: gr.Button
    heatmap: gr.HTML
    struggling: gr.HTML
    wrong: gr.HTML


def _progress_tab(ctx: _Context, top: _Top) -> _Progress:
    classroom = ctx.classroom
    refresh = gr.Button("Refresh", elem_id="btn-refresh-class", size="sm")
    heatmap = gr.HTML(elem_id="heatmap")
    struggling = gr.HTML(elem_id="struggling")
    gr.Markdown("#### Common wrong answers")
    wrong = gr.HTML(elem_id="wrong-answers")
    with gr.Row():
        attempts_button = gr.Button("Export attempts (CSV)", elem_id="btn-export-attempts")
        mastery_button = gr.Button("Export mastery (CSV)", elem_id="btn-export-mastery")
    download = gr.HTML(elem_id="export-download")

    def export(kind: str) -> Callable[..., tuple[Any, ...]]:
        def handler(class_id: Any, request: gr.Request) -> tuple[Any, ...]:
            me = ctx.me(request)
            room_id = _id(class_id)
            if room_id is None:
                return gr.skip(), _status("Choose a class first.", problem=True)
            made = (
                classroom.export_attempts(me, room_id)
                if kind == "attempts"
                else classroom.export_mastery(me, room_id)
            )
            return view.download_link(made, f"Download the {kind}"), _status(
                f"The {kind} file is ready."
            )

        handler.__name__ = f"export_{kind}"
        return handler

    for kind, button in (("attempts", attempts_button), ("mastery", mastery_button)):
        button.click(
            _refusing(export(kind)), [top.classes], [download, top.status],
            api_name=f"export_{kind}", **TEACHER_EVENT,
        )  # fmt: skip
    return _Progress(refresh, heatmap, struggling, wrong)


def _refusing(handler: Callable[..., T]) -> Callable[..., T]:
    """`NotYours` from a handler as `gr.Error` (the service refused a forged id)."""

    @functools.wraps(handler)  # Gradio reads the signature (the gr.Request) through it
    def wrapped(*args: Any, **kwargs: Any) -> T:
        try:
            return handler(*args, **kwargs)
        except NotYours as error:
            raise gr.Error(str(error)) from None

    return wrapped


@dataclass(frozen=True)
class _OneStudent:
    student: gr.Dropdown
    outputs: list[Any]
    deleted: Any  # the delete event, for the class view to refresh after it


def _student_tab(ctx: _Context, top: _Top) -> _OneStudent:
    classroom = ctx.classroom
    student = gr.Dropdown(
        label="Student", choices=[], elem_id="teacher-student", allow_custom_value=True
    )
    lock = gr.HTML(elem_id="student-lock")
    with gr.Row():
        unlock_button = gr.Button("Unlock login", elem_id="btn-unlock", size="sm")
        reset_button = gr.Button("New PIN", elem_id="btn-reset-pin", size="sm")
    new_pin = gr.HTML(elem_id="new-pin")
    gr.Markdown("#### Session summaries")
    summaries = gr.HTML(elem_id="summaries")
    gr.Markdown("#### Timeline (newest first)")
    timeline = gr.HTML(elem_id="timeline")
    gr.Markdown("#### Transcript")
    transcript = gr.HTML(elem_id="transcript")
    with gr.Row():
        export_button = gr.Button("Export this student (JSON)", elem_id="btn-export-student")
    export_link = gr.HTML(elem_id="student-download")
    with gr.Row(equal_height=True):
        confirm = gr.Textbox(
            label="To delete, type the student's login name", scale=2, elem_id="delete-confirm"
        )
        delete_button = gr.Button(
            "Delete this student", variant="stop", elem_id="btn-delete-student", scale=1
        )

    def show_student(student_id: Any, request: gr.Request) -> tuple[Any, ...]:
        me = ctx.me(request)
        pupil_id = _id(student_id)
        if pupil_id is None:
            return "", "", "", "", ""
        report = classroom.student_report(me, pupil_id)
        locked = (
            f"<strong>{view.escape(report.login)}</strong> is locked after too many wrong "
            f"PINs until {report.locked_until:%H:%M} UTC: press Unlock login."
            if report.locked_until is not None
            else f"Logs in as <strong>{view.escape(report.login)}</strong>."
        )
        return (
            view.transcript(report.transcript),
            view.frame_table(report.timeline, "Timeline", "Nothing yet.", "timeline-table"),
            view.frame_table(
                report.summaries, "Session summaries", "No sessions yet.", "summaries-table"
            ),
            f"<p>{locked}</p>",
            "",
        )

    student_outputs = [transcript, timeline, summaries, lock, new_pin]
    student.change(
        _refusing(show_student), [student], student_outputs, api_name="show_student",
        **TEACHER_EVENT,
    )  # fmt: skip

    def unlock(student_id: Any, request: gr.Request) -> tuple[Any, ...]:
        me = ctx.me(request)
        pupil_id = _id(student_id)
        if pupil_id is None:
            return gr.skip(), _status("Choose a student first.", problem=True)
        was_locked = classroom.unlock(me, pupil_id)
        word = "Unlocked: they can log in again." if was_locked else "That login was not locked."
        return "<p>Not locked.</p>", _status(word)

    def reset_pin(student_id: Any, request: gr.Request) -> tuple[Any, ...]:
        me = ctx.me(request)
        pupil_id = _id(student_id)
        if pupil_id is None:
            return gr.skip(), _status("Choose a student first.", problem=True)
        fresh = classroom.reset_pin(me, pupil_id)
        shown = (
            f"<p>New PIN for <strong>{view.escape(fresh.name)}</strong> "
            f"({view.escape(fresh.login)}): <strong class='pin'>{view.escape(fresh.pin)}</strong>"
            " — shown once; the old PIN no longer works.</p>"
        )
        return shown, _status(f"New PIN made for {fresh.name}.")

    unlock_button.click(
        _refusing(unlock), [student], [lock, top.status], api_name="unlock_student",
        **TEACHER_EVENT,
    )  # fmt: skip
    reset_button.click(
        _refusing(reset_pin), [student], [new_pin, top.status], api_name="reset_pin",
        **TEACHER_EVENT,
    )  # fmt: skip

    def export_student(student_id: Any, request: gr.Request) -> tuple[Any, ...]:
        me = ctx.me(request)
        pupil_id = _id(student_id)
        if pupil_id is None:
            return gr.skip(), _status("Choose a student first.", problem=True)
        made = classroom.export_student(me, pupil_id)
        return view.download_link(made, "Download the student's data"), _status(
            "The student's data is ready to download."
        )

    export_button.click(
        _refusing(export_student), [student], [export_link, top.status],
        api_name="export_student", **TEACHER_EVENT,
    )  # fmt: skip

    def delete_student(
        class_id: Any, student_id: Any, typed: Any, request: gr.Request
    ) -> tuple[Any, ...]:
        me = ctx.me(request)
        pupil_id = _id(student_id)
        if pupil_id is None:
            return *_skips(3), _status("Choose a student first.", problem=True)
        text = typed if isinstance(typed, str) else ""
        name = _attempt(lambda: classroom.delete_student(me, pupil_id, text))
        if isinstance(name, _Problem):
            return *_skips(3), name.status
        room_id = _id(class_id)
        left = classroom.students(me, room_id) if room_id is not None else ()
        return (
            gr.update(choices=_student_choices(left), value=None),
            "",
            "",
            _status(f"Deleted {name} and all their data."),
        )

    deleted = delete_button.click(
        _refusing(delete_student), [top.classes, student, confirm],
        [student, confirm, export_link, top.status], api_name="delete_student", **TEACHER_EVENT,
    )  # fmt: skip
    return _OneStudent(student, student_outputs, deleted)


@dataclass(frozen=True)
class _Assign:
    listing: gr.HTML
    remove_choice: gr.Dropdown


def _assign_tab(ctx: _Context, top: _Top, student: gr.Dropdown) -> _Assign:
    classroom = ctx.classroom
    skill = gr.Dropdown(label="Skill", choices=classroom.skill_choices(), elem_id="assign-skill")
    target = gr.Radio(
        choices=[WHOLE_CLASS, ONE_STUDENT],
        value=WHOLE_CLASS,
        label="Assign to (the student chosen on the One student tab)",
        elem_id="assign-target",
    )
    assign_button = gr.Button("Assign", elem_id="btn-assign")
    gr.Markdown("#### Current assignments")
    listing = gr.HTML(elem_id="assignments")
    with gr.Row(equal_height=True):
        remove_choice = gr.Dropdown(
            label="Assignment to remove",
            choices=[],
            elem_id="assignment-remove",
            scale=3,
            allow_custom_value=True,
        )
        remove_button = gr.Button("Remove", elem_id="btn-unassign", scale=1)

    def refreshed(me: int, room_id: int) -> tuple[str, Any]:
        found = classroom.assignments(me, room_id)
        choices = [(f"{a.skill}: {a.to_whom}", a.id) for a in found]
        return view.assignments(found), gr.update(choices=choices, value=None)

    def assign(
        class_id: Any, student_id: Any, skill_key: Any, to: Any, request: gr.Request
    ) -> tuple[Any, ...]:
        me = ctx.me(request)
        room_id = _id(class_id)
        if room_id is None:
            return *_skips(2), _status("Choose a class first.", problem=True)
        pupil_id = _id(student_id) if to == ONE_STUDENT else None
        if to == ONE_STUDENT and pupil_id is None:
            return *_skips(2), _status(
                "Choose a student on the One student tab first.", problem=True
            )
        key = skill_key if isinstance(skill_key, str) else ""
        said = _attempt(lambda: classroom.assign(me, room_id, pupil_id, key))
        if isinstance(said, _Problem):
            return *_skips(2), said.status
        return *refreshed(me, room_id), _status_html(_bold(said))

    def unassign(class_id: Any, assignment_id: Any, request: gr.Request) -> tuple[Any, ...]:
        me = ctx.me(request)
        room_id, chosen = _id(class_id), _id(assignment_id)
        if room_id is None or chosen is None:
            return *_skips(2), _status("Choose an assignment to remove.", problem=True)
        classroom.unassign(me, chosen)
        return *refreshed(me, room_id), _status("Assignment removed.")

    assign_button.click(
        _refusing(assign), [top.classes, student, skill, target],
        [listing, remove_choice, top.status], api_name="assign", **TEACHER_EVENT,
    )  # fmt: skip
    remove_button.click(
        _refusing(unassign), [top.classes, remove_choice], [listing, remove_choice, top.status],
        api_name="unassign", **TEACHER_EVENT,
    )  # fmt: skip
    return _Assign(listing, remove_choice)


def _bold(text: str) -> str:
    """The service's "**x**" emphasis as <strong>, everything else escaped."""
    parts = view.escape(text).split("**")
    return "".join(f"<strong>{p}</strong>" if i % 2 else p for i, p in enumerate(parts))


def build_teacher_view(services: Services) -> dict[str, Any]:
    """Create the teacher components inside the current Blocks and wire their events."""
    classroom = services.classroom
    ctx = _Context(classroom, services.sessions)
    style_block(TEACHER)
    with gr.Column(elem_id="teacher-view"):
        top = _top_row(ctx)
        with gr.Tabs():
            with gr.Tab("Students", elem_id="tab-students"):
                added = _students_tab(ctx, top)
            with gr.Tab("Progress", elem_id="tab-progress"):
                progress = _progress_tab(ctx, top)
            with gr.Tab("One student", elem_id="tab-student"):
                one = _student_tab(ctx, top)
            with gr.Tab("Assign", elem_id="tab-assign"):
                assigned = _assign_tab(ctx, top, one.student)

    def show_class(class_id: Any, request: gr.Request) -> tuple[Any, ...]:
        return class_view(ctx.me(request), class_id, keep=None)

    def refresh_class(class_id: Any, student_id: Any, request: gr.Request) -> tuple[Any, ...]:
        """After students were added or deleted: the same view, the chosen student kept."""
        return class_view(ctx.me(request), class_id, keep=_id(student_id))

    def class_view(me: int, class_id: Any, keep: int | None) -> tuple[Any, ...]:
        room_id = _id(class_id)
        if room_id is None:  # the selection was cleared
            return "", "", "", gr.update(choices=[], value=None), "", gr.update(choices=[])
        report = classroom.class_report(me, room_id)
        listing, removable = _assignments_of(classroom, me, room_id)
        still_there = keep if keep in {s.id for s in report.students} else None
        return (
            view.heatmap(report),
            view.struggling(report),
            view.frame_table(
                report.wrong_answers, "Common wrong answers", "No wrong answers yet.", "wrong"
            ),
            gr.update(choices=_student_choices(report.students), value=still_there),
            listing,
            removable,
        )

    class_outputs = [
        progress.heatmap,
        progress.struggling,
        progress.wrong,
        one.student,
        assigned.listing,
        assigned.remove_choice,
    ]
    top.classes.change(
        _refusing(show_class), [top.classes], class_outputs, api_name="show_class",
        **TEACHER_EVENT,
    )  # fmt: skip
    progress.refresh.click(
        _refusing(show_class), [top.classes], class_outputs, api_visibility="private"
    )
    for event in (added, one.deleted):  # new or deleted students: the lists follow
        event.then(
            _refusing(refresh_class), [top.classes, one.student], class_outputs,
            api_visibility="private",
        )  # fmt: skip

    def load(request: gr.Request) -> Any:
        """Fill the class list for a teacher and open their first class; leave the view
        untouched for anyone else."""
        identity: Identity | None = caller(services.sessions, request)
        if identity is None or identity.role != "teacher":
            return gr.skip()
        rooms = classroom.classes(identity.id)
        choices = [(f"{r.name} (code {r.join_code})", r.id) for r in rooms]
        return gr.update(choices=choices, value=rooms[0].id if rooms else None)

    return {"load": load, "load_outputs": [top.classes]}


def _assignments_of(classroom: Classroom, me: int, room_id: int) -> tuple[str, Any]:
    found = classroom.assignments(me, room_id)
    choices = [(f"{a.skill}: {a.to_whom}", a.id) for a in found]
    return view.assignments(found), gr.update(choices=choices, value=None)
