"""Streams a reply made of parts: fixed text from code, and model text with its guards.

A reply is a sequence of parts (a verdict line, the model's feedback, an offer of a hint...).
Model parts come in two kinds:
- guarded (`accept` given): the whole generation is read first, cleaned, and checked; a text
  that fails the check (it states the answer, or an exercise wording whose numbers differ from
  the spec) is replaced by the template. Nothing unchecked reaches the student, at the price of
  not streaming these short texts token by token.
- live (`accept` None): text streams as it comes, held back only while a link or tag may still
  be open, so markup filtering sees it whole.
A model that is unavailable, or fails before anything was shown, gives way to the template; one
that fails after text was shown ends the reply with a friendly line and the status "failed".
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from prompts.request import GenerationRequest
from tutor.dialogue import texts
from tutor.dialogue.guards import MAX_MODEL_CHARS, clean_model_text, strip_markup, unbalanced
from tutor.generation import TextGenerator

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ModelPart:
    """A part of the reply the model writes, with the template that stands in for it."""

    request: GenerationRequest | None  # None: no request could be built; use the template
    template: str
    accept: Callable[[str], bool] | None = None  # guarded part: True when the text may be shown
    last_resort: str = ""  # shown when even the template fails `accept` (it should not)
    prompt_tokens: int = 0
    move: str = ""  # the plan's move kind, for the log line that says who wrote the words


Part = str | ModelPart


@dataclass(frozen=True)
class ReplyOutcome:
    """What the store keeps about a finished (or abandoned) reply."""

    text: str
    status: str  # "ok" | "fallback" | "failed"
    task: str | None
    adapter: str | None
    prompt_tokens: int
    completion_tokens: int
    latency_ms: int
    notice_shown: bool
    guard_replacements: int


class ReplyStream:
    """Iterate to stream the reply's text pieces; `outcome()` then says how it went.

    `notice_pending`: the "templates right now" notice has not been shown in this chat session
    yet; it is shown once, before the first template that stands in for an unavailable model.
    """

    def __init__(
        self,
        parts: Iterable[Part],
        *,
        generator: TextGenerator,
        count_tokens: Callable[[str], int],
        notice_pending: bool,
        max_model_chars: int = MAX_MODEL_CHARS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._parts = list(parts)
        self._generator = generator
        self._count = count_tokens
        self._notice_pending = notice_pending
        self._max_chars = max_model_chars
        self._clock = clock
        self._shown: list[str] = []
        self._status = "ok"
        self._finished = False
        self._notice_shown = False
        self._replaced = 0
        self._task: str | None = None
        self._adapter: str | None = None
        self._prompt_tokens = 0
        self._completion_tokens = 0
        self._started = clock()

    def __iter__(self) -> Iterator[str]:
        """Text that is ready at once (fixed parts, templates) comes as one piece, sent just
        before the model is asked for the next part: each piece costs the web page a whole
        update of the chat, and nothing is gained by sending ready text in several."""
        ready: list[str] = []
        for part in self._parts:
            if isinstance(part, str):
                ready += self._show(part)
                continue
            if not self._asks_model(part):
                ready += self._model(part)  # its template, at once
                continue
            if ready:
                yield "".join(ready)
                ready = []
            yield from self._model(part)  # live, or whole once verified
            if self._status == "failed":
                break
        if ready:
            yield "".join(ready)
        self._finished = True

    def _asks_model(self, part: ModelPart) -> bool:
        return part.request is not None and self._generator.available

    def outcome(self) -> ReplyOutcome:
        """The reply as shown so far; a stream abandoned midway counts as failed."""
        status = self._status if self._finished else "failed"
        return ReplyOutcome(
            text="".join(self._shown).strip(),
            status=status,
            task=self._task,
            adapter=self._adapter,
            prompt_tokens=self._prompt_tokens,
            completion_tokens=self._completion_tokens,
            latency_ms=int((self._clock() - self._started) * 1000),
            notice_shown=self._notice_shown,
            guard_replacements=self._replaced,
        )

    # -- parts ---------------------------------------------------------------------------

    def _show(self, text: str) -> Iterator[str]:
        if not text:
            return
        piece = ("\n" if self._shown else "") + text  # each part on its own line
        self._shown.append(piece)
        yield piece

    def _use_template(self, part: ModelPart, *, model_down: bool) -> Iterator[str]:
        if model_down and self._notice_pending:
            self._notice_pending = False
            self._notice_shown = True
            yield from self._show(texts.MODEL_OFF_NOTICE)
        if self._status == "ok":
            self._status = "fallback"
        text = part.template
        if part.accept is not None and not part.accept(text):
            text = part.last_resort
            if not part.accept(text):
                text = texts.NUMBERLESS
        yield from self._show(text)

    def _model(self, part: ModelPart) -> Iterator[str]:
        if part.request is None or not self._generator.available:
            yield from self._use_template(part, model_down=True)
            return
        self._task, self._adapter = part.request.task, part.request.adapter
        self._prompt_tokens += part.prompt_tokens
        if part.accept is not None:
            yield from self._guarded(part)
        else:
            yield from self._live(part)

    def _guarded(self, part: ModelPart) -> Iterator[str]:
        assert part.request is not None and part.accept is not None
        try:
            raw = self._read_all(part.request)
        except Exception:  # any model failure: nothing shown yet, use the template
            yield from self._use_template(part, model_down=True)
            return
        self._completion_tokens += self._count(raw) if raw else 0
        text = clean_model_text(raw, self._max_chars)
        request = part.request
        if text and part.accept(text):
            log.info(
                "words by the model: task=%s adapter=%s move=%s (%d chars, verified)",
                request.task, request.adapter, part.move or "-", len(text),
            )  # fmt: skip
            yield from self._show(text)
            return
        log.info(
            "words by the template: task=%s adapter=%s move=%s (the model's %d chars failed "
            "the checks)",
            request.task, request.adapter, part.move or "-", len(text),
        )  # fmt: skip
        self._replaced += 1
        yield from self._use_template(part, model_down=False)

    def _read_all(self, request: GenerationRequest) -> str:
        """The whole generation, stopped early once it is longer than anything we would show."""
        pieces: list[str] = []
        size = 0
        stream = self._generator.stream(request)
        try:
            for chunk in stream:
                pieces.append(chunk)
                size += len(chunk)
                if size > 2 * self._max_chars:
                    break
        finally:
            close = getattr(stream, "close", None)
            if callable(close):
                close()
        return "".join(pieces)

    def _live(self, part: ModelPart) -> Iterator[str]:
        assert part.request is not None
        pending = ""
        shown_chars = 0
        started = False
        raw_total: list[str] = []
        stream = self._generator.stream(part.request)
        try:
            for chunk in stream:
                raw_total.append(chunk)
                pending += chunk
                cut = max(pending.rfind(" "), pending.rfind("\n"))
                if cut <= 0 or unbalanced(pending[:cut]):
                    continue
                ready, pending = strip_markup(pending[:cut]), pending[cut:]
                if not started:
                    ready = ready.lstrip()
                    if not ready:
                        continue
                    ready = ("\n" if self._shown else "") + ready
                    started = True
                shown_chars += len(ready)
                self._shown.append(ready)
                yield ready
                if shown_chars > self._max_chars:
                    pending = ""
                    break
        except Exception:  # the model failed midway
            self._completion_tokens += self._count("".join(raw_total)) if raw_total else 0
            if not started:
                yield from self._use_template(part, model_down=True)
                return
            self._status = "failed"
            yield from self._show(texts.REPLY_FAILED)
            return
        finally:
            close = getattr(stream, "close", None)
            if callable(close):
                close()
        self._completion_tokens += self._count("".join(raw_total)) if raw_total else 0
        tail = strip_markup(pending).rstrip() if not unbalanced(pending) else ""
        if not started:
            tail = tail.strip()
            if not tail:
                yield from self._use_template(part, model_down=False)
                return
            tail = ("\n" if self._shown else "") + tail
        if tail:
            self._shown.append(tail)
            yield tail
