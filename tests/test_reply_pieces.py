"""How a reply reaches the page: ready text in one piece, the model's words after it.

Every piece is a whole update of the chat on the page (the history re-sent, diffed and
serialised by Gradio): under load that was a good part of the server's CPU per request.
"""

from __future__ import annotations

from collections.abc import Iterator

from prompts import GenerationRequest
from tutor.dialogue.pipeline import ModelPart, ReplyStream
from tutor.generation import ScriptedGenerator, UnavailableGenerator, estimate_tokens


def _request() -> GenerationRequest:
    return GenerationRequest(task="hint", adapter="hint", prompt="Plan: say hello.")


def test_fixed_parts_and_templates_come_as_one_piece() -> None:
    parts = ["Not quite.", ModelPart(request=None, template="Look at the tens."), "Try again?"]
    stream = ReplyStream(
        parts, generator=UnavailableGenerator("off"), count_tokens=estimate_tokens,
        notice_pending=False,
    )  # fmt: skip
    assert list(stream) == ["Not quite.\nLook at the tens.\nTry again?"]
    assert stream.outcome().text == "Not quite.\nLook at the tens.\nTry again?"


def test_ready_text_is_sent_before_the_model_is_asked_and_the_model_streams_live() -> None:
    order: list[str] = []

    def model(request: GenerationRequest) -> Iterator[str]:
        order.append("model asked")
        yield "Hello "
        yield "there."

    parts = ["Not quite.", ModelPart(request=_request(), template="Hi."), "Your turn?"]
    stream = ReplyStream(
        parts, generator=ScriptedGenerator(default=model), count_tokens=estimate_tokens,
        notice_pending=False,
    )  # fmt: skip
    pieces = []
    for piece in stream:
        order.append(f"shown {piece!r}")
        pieces.append(piece)
    assert order[0] == "shown 'Not quite.'" and order[1] == "model asked"
    assert len(pieces) >= 3  # the model's words arrive as they come, not held back
    assert "".join(pieces).strip() == stream.outcome().text
    assert pieces[-1].endswith("Your turn?")
