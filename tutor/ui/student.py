"""The student view: the chat with streamed replies, the tutoring buttons, progress, style.

Every handler takes `request: gr.Request` and acts for the student `request.username` names
(read from the store each call). Problems a student can cause (an empty or too-long message,
a busy store) are said in a note under the chat and the chat and the box are left as they
were: `gr.Error` would cover both with an "Error" badge and hide the open question.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import gradio as gr
import pandas as pd

import students_db as db
from students_db import StoreBusy, StoreFull
from tutor.curriculum.pack import Pack
from tutor.tutor import STYLES, MessageRejected, ProgressView, Tutor
from tutor.ui import chat_view
from tutor.ui.identity import caller, require_student
from tutor.ui.services import Services, model_notice
from tutor.ui.style import STUDENT, style_block

BUSY = "The tutor is busy for a moment. Please try again."
FULL = "The tutor could not save that: the server's storage is full. Please tell your teacher."
EMPTY = "Type an answer or a question first."
SOLUTION_NOTE = "*Show solution* opens after two tries at the current question."
BUTTON_LABELS = {
    "new_exercise": ("New exercise", "New exercise, please."),
    "hint": ("Hint", "Hint, please."),
    "explain_again": ("Explain differently", "Please explain that again."),
    "show_solution": ("Show solution", "Show me the solution, please."),
}
# Focus the answer box once the view is filled (after login: no 56 Tabs to reach it).
FOCUS_ANSWER = "() => { document.querySelector('#student-message textarea')?.focus(); }"
# preprocess=False: handlers get the raw payload and check its type themselves, so a
# number or a list sent through the API is refused instead of being turned into text.
MODEL_EVENT: dict[str, Any] = {
    "concurrency_id": "model",
    "concurrency_limit": 4,
    "preprocess": False,
}


def mastery_frame(progress: ProgressView, pack: Pack) -> pd.DataFrame:
    """Skills the student has practised (their P(known) moved) and the current one.

    The mastery column is float even when empty, so the chart's axis is numeric (0-100%)
    from the first load, not categorical."""
    rows = []
    for row in progress.mastery:
        skill = pack.skills.get(row.skill_key)
        prior = skill.bkt.p_init if skill is not None else None
        if row.skill_key == progress.current_skill or prior is None or row.p_known != prior:
            rows.append({"skill": row.skill_name, "mastery": round(float(row.p_known), 3)})
    return empty_mastery() if not rows else pd.DataFrame(rows).astype({"mastery": "float64"})


def empty_mastery() -> pd.DataFrame:
    return pd.DataFrame(
        {"skill": pd.Series([], dtype="object"), "mastery": pd.Series([], dtype="float64")}
    )


def progress_markdown(progress: ProgressView, pack: Pack) -> str:
    lines = []
    if progress.current_skill:
        skill = pack.skills.get(progress.current_skill)
        name = skill.name if skill is not None else progress.current_skill
        lines.append(f"**Working on:** {name}")
        if progress.current_reason:
            lines.append(f"**Why this one:** {progress.current_reason}")
    else:
        lines.append("No exercise open: press **New exercise** to start one.")
    if progress.due_reviews:
        names = [pack.skills[k].name if k in pack.skills else k for k in progress.due_reviews]
        lines.append("**Reviews due:** " + ", ".join(names))
    else:
        lines.append("**Reviews due:** none")
    text = "\n\n".join(lines)
    frame = mastery_frame(progress, pack)
    if not frame.empty:
        table = ["| skill | mastery |", "| --- | --- |"]
        table += [f"| {name} | {value:.0%} |" for name, value in frame.itertuples(index=False)]
        text += "\n\n" + "\n".join(table)
    return text


def open_question(progress: ProgressView) -> str:
    """The question being worked on, pinned above the chat (and shown again after login)."""
    if not progress.current_statement:
        return "**No open question.** Press *New exercise* to get one."
    return f"**Your question:** {progress.current_statement}"


def stored_style(sessions: db.SessionFactory, student_id: int) -> str:
    with db.read_session(sessions) as session:
        student = db.get_student(session=session, student_id=student_id)
    style = (student.preferences if student else {}).get("style")
    return style if style in STYLES else STYLES[0]


def build_student_view(services: Services) -> dict[str, Any]:
    """Create the student components inside the current Blocks and wire their events.

    Returns the components the page-load chain fills (see `load`)."""
    sessions = services.sessions
    tutor: Tutor = services.tutor
    pack = services.pack

    style_block(STUDENT)
    notice = gr.Markdown(model_notice(services), elem_id="model-notice")
    with gr.Row(elem_id="student-view"):
        with gr.Column(scale=3, min_width=300):
            question = gr.Markdown(elem_id="open-question")
            chatbot = gr.Chatbot(
                label="Conversation with the tutor",
                latex_delimiters=chat_view.LATEX_DELIMITERS,
                height=480,
                elem_id="student-chat",
                feedback_options=None,
                buttons=["copy"],
            )
            with gr.Row(equal_height=True):
                message = gr.Textbox(
                    label="Your answer or question",
                    placeholder="Type your answer or a question, then press Enter",
                    show_label=False,
                    scale=5,
                    elem_id="student-message",
                    autofocus=True,
                )
                send_button = gr.Button(
                    "Send", variant="primary", scale=1, min_width=80, elem_id="btn-send"
                )
            note = gr.Markdown(elem_id="student-note")
            with gr.Row():
                buttons = {
                    name: gr.Button(label, elem_id=f"btn-{name.replace('_', '-')}")
                    for name, (label, _shown) in BUTTON_LABELS.items()
                }
            gr.Markdown(SOLUTION_NOTE, elem_id="solution-note")
        with gr.Column(scale=2, min_width=280):
            gr.Markdown("### Your progress")
            plot = gr.BarPlot(
                value=empty_mastery(),
                x="skill",
                y="mastery",
                y_lim=[0, 1],
                y_title="mastery (0 to 1)",
                x_label_angle=-40,
                title="Mastery per skill",
                height=300,
                elem_id="mastery-chart",
            )
            progress_md = gr.Markdown(elem_id="student-progress")
            style = gr.Radio(
                choices=list(STYLES),
                value=STYLES[0],
                label="How should I explain things?",
                elem_id="student-style",
            )
            style_note = gr.Markdown(elem_id="style-note")
    ready = gr.Number(visible=False, elem_id="student-ready")

    def reply_to(student_id: int, text: str, history: Any) -> Iterator[list[dict[str, str]]]:
        """The history with the student's message and the reply growing; raises
        MessageRejected / StoreBusy / StoreFull before anything is shown or streamed."""
        pieces = tutor.respond(student_id, text)
        shown = chat_view.normalise(history) + [{"role": "user", "content": text}]
        return _stream_into(shown, pieces, after=lambda h: h)

    def send_from_page(
        text: Any, history: Any, request: gr.Request
    ) -> Iterator[tuple[Any, Any, str]]:
        """The page's send: a problem is said in the note under the chat, and the chat and
        the box stay as they were (no Error badge hides them)."""
        identity = require_student(sessions, request)
        if not isinstance(text, str) or not text.strip():
            yield gr.skip(), gr.skip(), EMPTY
            return
        try:
            stream = reply_to(identity.id, text, history)
        except MessageRejected as error:
            yield gr.skip(), gr.skip(), str(error)
            return
        except StoreBusy:
            yield gr.skip(), gr.skip(), BUSY
            return
        except StoreFull:
            yield gr.skip(), gr.skip(), FULL
            return
        for shown in stream:
            yield shown, "", ""

    def send_api(text: Any, history: Any, request: gr.Request) -> Iterator[tuple[Any, str]]:
        """The `send` endpoint for scripts: a refused message is an error, as an API caller
        expects (the page uses `send_from_page`, which says it in the note instead)."""
        identity = require_student(sessions, request)
        if not isinstance(text, str):
            raise gr.Error("Please type a message.")
        try:
            stream = reply_to(identity.id, text, history)
        except MessageRejected as error:
            raise gr.Error(str(error)) from None
        except StoreBusy:
            raise gr.Error(BUSY) from None
        except StoreFull:
            raise gr.Error(FULL) from None
        for shown in stream:
            yield shown, ""

    def button(name: str) -> Callable[..., Iterator[Any]]:
        shown_as = BUTTON_LABELS[name][1]

        def handler(history: Any, request: gr.Request) -> Iterator[Any]:
            identity = require_student(sessions, request)
            try:
                pieces = getattr(tutor, name)(identity.id)
            except StoreBusy:
                yield gr.skip(), BUSY
                return
            except StoreFull:
                yield gr.skip(), FULL
                return
            shown = chat_view.normalise(history)
            shown.append({"role": "user", "content": shown_as})
            yield from _stream_into(shown, pieces, after=lambda h: (h, ""))

        handler.__name__ = name
        return handler

    def refresh_progress(request: gr.Request) -> tuple[Any, str, Any, str]:
        identity = require_student(sessions, request)
        progress = tutor.progress(identity.id)
        return (
            mastery_frame(progress, pack),
            progress_markdown(progress, pack),
            gr.update(interactive=progress.solution_allowed),
            open_question(progress),
        )

    def set_style(choice: Any, request: gr.Request) -> str:
        identity = require_student(sessions, request)
        try:
            tutor.set_style(identity.id, choice)
        except ValueError as error:
            return str(error)
        return f"Explanations will be **{choice}** from now on."

    progress_outputs = [plot, progress_md, buttons["show_solution"], question]
    send_outputs = [chatbot, message, note]
    for trigger in (send_button.click, message.submit):
        trigger(
            send_from_page,
            [message, chatbot],
            send_outputs,
            api_visibility="private",
            **MODEL_EVENT,
        ).then(refresh_progress, None, progress_outputs, api_visibility="private")
    api_send = gr.Button(visible=False, elem_id="api-send")  # for scripts: the API only
    api_send.click(
        send_api, [message, chatbot], [chatbot, message], api_name="send", **MODEL_EVENT
    ).then(refresh_progress, None, progress_outputs, api_name="progress")
    for name, btn in buttons.items():
        btn.click(button(name), [chatbot], [chatbot, note], api_name=name, **MODEL_EVENT).then(
            refresh_progress, None, progress_outputs, api_visibility="private"
        )
    # .input: only the student's own choice saves; filling in the stored style does not.
    # always_last: arrowing through the choices fires quickly; the last one is saved.
    style.input(set_style, [style], [style_note], api_name="set_style", trigger_mode="always_last")
    ready.change(None, None, None, js=FOCUS_ANSWER)

    def load(request: gr.Request) -> tuple[Any, ...]:
        """Fill the view for a student; leave it untouched for anyone else."""
        identity = caller(sessions, request)
        if identity is None or identity.role != "student":
            return tuple(gr.skip() for _ in range(8))
        progress = tutor.progress(identity.id)
        history = chat_view.from_store(tutor.history(identity.id))
        return (
            history,
            mastery_frame(progress, pack),
            progress_markdown(progress, pack),
            gr.update(interactive=progress.solution_allowed),
            model_notice(services),
            stored_style(sessions, identity.id),
            open_question(progress),
            1,
        )

    return {
        "load": load,
        "load_outputs": [
            chatbot,
            plot,
            progress_md,
            buttons["show_solution"],
            notice,
            style,
            question,
            ready,
        ],
    }


def _stream_into(
    shown: list[dict[str, str]], pieces: Iterator[str], *, after: Callable[[Any], Any]
) -> Iterator[Any]:
    """Yield the history with the reply growing piece by piece (lists kept apart from the
    paragraph after them, so the next question is not read as the solution's last step)."""
    reply = {"role": "assistant", "content": ""}
    shown.append(reply)
    yield after(shown)
    text = ""
    for piece in pieces:
        text += piece
        reply["content"] = chat_view.separate_lists(text)
        yield after(shown)
