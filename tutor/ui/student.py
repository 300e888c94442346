"""The student view: the chat with streamed replies, the tutoring buttons, progress, style.

Every handler takes `request: gr.Request` and acts for the student `request.username` names
(read from the store each call). A message longer than the limit is refused here, before the
tutor (and the store) sees it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import gradio as gr
import pandas as pd

from students_db import StoreBusy, StoreFull
from tutor.tutor import STYLES, MessageRejected, ProgressView, Tutor
from tutor.ui import chat_view
from tutor.ui.identity import caller, require_student
from tutor.ui.services import Services, model_notice

BUSY = "The tutor is busy for a moment. Please try again."
FULL = "The tutor could not save that: the server's storage is full. Please tell your teacher."
BUTTON_LABELS = {
    "new_exercise": ("New exercise", "New exercise, please."),
    "hint": ("Hint", "Hint, please."),
    "explain_again": ("Explain differently", "Please explain that again."),
    "show_solution": ("Show solution", "Show me the solution, please."),
}
# preprocess=False: handlers get the raw payload and check its type themselves, so a
# number or a list sent through the API is refused instead of being turned into text.
MODEL_EVENT = {"concurrency_id": "model", "concurrency_limit": 4, "preprocess": False}


def mastery_frame(progress: ProgressView, pack: Any) -> pd.DataFrame:
    """Skills the student has practised (their P(known) moved) and the current one."""
    rows = []
    for row in progress.mastery:
        skill = pack.skills.get(row.skill_key)
        prior = skill.bkt.p_init if skill is not None else None
        if row.skill_key == progress.current_skill or prior is None or row.p_known != prior:
            rows.append({"skill": row.skill_name, "mastery": round(row.p_known, 3)})
    return pd.DataFrame(rows, columns=["skill", "mastery"])


def progress_markdown(progress: ProgressView, pack: Any) -> str:
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


def build_student_view(services: Services) -> dict[str, Any]:
    """Create the student components inside the current Blocks and wire their events.

    Returns the components the page-load chain fills (see `load`)."""
    sessions = services.sessions
    tutor: Tutor = services.tutor

    notice = gr.Markdown(model_notice(services), elem_id="model-notice")
    with gr.Row():
        with gr.Column(scale=3):
            chatbot = gr.Chatbot(
                label="Tutor",
                latex_delimiters=chat_view.LATEX_DELIMITERS,
                height=520,
                elem_id="student-chat",
            )
            with gr.Row():
                message = gr.Textbox(
                    placeholder="Type your answer or a question, then press Enter",
                    show_label=False,
                    scale=5,
                    max_length=services.max_message_chars,
                    elem_id="student-message",
                )
                send_button = gr.Button("Send", variant="primary", scale=1)
            with gr.Row():
                buttons = {
                    name: gr.Button(label, elem_id=f"btn-{name.replace('_', '-')}")
                    for name, (label, _shown) in BUTTON_LABELS.items()
                }
        with gr.Column(scale=2):
            gr.Markdown("### Your progress")
            plot = gr.BarPlot(
                value=pd.DataFrame(columns=["skill", "mastery"]),
                x="skill",
                y="mastery",
                y_lim=[0, 1],
                title="Mastery per skill",
                height=260,
            )
            progress_md = gr.Markdown(elem_id="student-progress")
            style = gr.Radio(
                choices=list(STYLES),
                value=STYLES[0],
                label="How should I explain things?",
                elem_id="student-style",
            )
            style_note = gr.Markdown()

    def send(text: str, history: Any, request: gr.Request) -> Iterator[tuple[Any, str]]:
        identity = require_student(sessions, request)
        if not isinstance(text, str):
            raise gr.Error("Please type a message.")
        shown = chat_view.normalise(history)
        try:
            pieces = tutor.respond(identity.id, text)
        except MessageRejected as error:
            raise gr.Error(str(error)) from None
        except StoreBusy:
            raise gr.Error(BUSY) from None
        except StoreFull:
            raise gr.Error(FULL) from None
        shown.append({"role": "user", "content": text})
        yield from _stream_into(shown, pieces, after=lambda h: (h, ""))

    def button(name: str) -> Callable[..., Iterator[Any]]:
        shown_as = BUTTON_LABELS[name][1]

        def handler(history: Any, request: gr.Request) -> Iterator[Any]:
            identity = require_student(sessions, request)
            try:
                pieces = getattr(tutor, name)(identity.id)
            except StoreBusy:
                raise gr.Error(BUSY) from None
            except StoreFull:
                raise gr.Error(FULL) from None
            shown = chat_view.normalise(history)
            shown.append({"role": "user", "content": shown_as})
            yield from _stream_into(shown, pieces, after=lambda h: h)

        handler.__name__ = name
        return handler

    def refresh_progress(request: gr.Request) -> tuple[Any, str, Any]:
        identity = require_student(sessions, request)
        progress = tutor.progress(identity.id)
        return (
            mastery_frame(progress, services.pack),
            progress_markdown(progress, services.pack),
            gr.update(interactive=progress.solution_allowed),
        )

    def set_style(choice: str, request: gr.Request) -> str:
        identity = require_student(sessions, request)
        try:
            tutor.set_style(identity.id, choice)
        except ValueError as error:
            raise gr.Error(str(error)) from None
        return f"Explanations will be **{choice}** from now on."

    progress_outputs = [plot, progress_md, buttons["show_solution"]]
    events = send_button.click(
        send, [message, chatbot], [chatbot, message], api_name="send", **MODEL_EVENT
    )
    events.then(refresh_progress, None, progress_outputs, api_name="progress")
    message.submit(
        send, [message, chatbot], [chatbot, message], api_visibility="private", **MODEL_EVENT
    ).then(refresh_progress, None, progress_outputs, api_visibility="private")
    for name, btn in buttons.items():
        btn.click(button(name), [chatbot], [chatbot], api_name=name, **MODEL_EVENT).then(
            refresh_progress, None, progress_outputs, api_visibility="private"
        )
    style.change(set_style, [style], [style_note], api_name="set_style")

    def load(request: gr.Request) -> tuple[Any, ...]:
        """Fill the view for a student; leave it untouched for anyone else."""
        identity = caller(sessions, request)
        if identity is None or identity.role != "student":
            return tuple(gr.skip() for _ in range(6))
        progress = tutor.progress(identity.id)
        history = chat_view.from_store(tutor.history(identity.id))
        return (
            history,
            mastery_frame(progress, services.pack),
            progress_markdown(progress, services.pack),
            gr.update(interactive=progress.solution_allowed),
            model_notice(services),
            gr.skip(),
        )

    return {
        "load": load,
        "load_outputs": [chatbot, plot, progress_md, buttons["show_solution"], notice, style],
    }


def _stream_into(
    shown: list[dict[str, str]], pieces: Iterator[str], *, after: Callable[[Any], Any]
) -> Iterator[Any]:
    """Yield the history with the reply growing piece by piece."""
    reply = {"role": "assistant", "content": ""}
    shown.append(reply)
    yield after(shown)
    for piece in pieces:
        reply["content"] += piece
        yield after(shown)
