"""One request inside a running batch, and the step that picks, records and streams its token.

Both schedulers (transformers' forward in static batches, the fast path's continuous batch)
hand every step's logits to `step_rows`, so stop strings, time limits, cancellation and a
per-request failure behave the same whichever path computed the logits.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import torch

from adapters.sampling import choose_token, make_rng
from adapters.textstream import TextAssembler
from prompts.request import GenerationRequest

log = logging.getLogger("adapters.generator")

DONE = object()  # the end of a request's output queue


@dataclass
class Job:
    """One request in flight: the worker writes chunks, an exception or DONE to `out`."""

    request: GenerationRequest
    adapter: str
    submitted: float
    out: queue.Queue[Any] = field(default_factory=queue.Queue)
    cancelled: threading.Event = field(default_factory=threading.Event)


class Row:
    """One request's state inside a running batch."""

    def __init__(
        self, job: Job, prompt_ids: list[int], max_new: int, decode: Callable[[Any], str]
    ) -> None:
        self.job = job
        self.decoding = job.request.decoding
        self.max_new = max_new
        self.prompt_ids = list(prompt_ids)
        self.seen = list(prompt_ids)  # for the repetition penalty
        self.text = TextAssembler(decode, self.decoding.stop)
        self.rng = make_rng(self.decoding)
        self.produced = 0
        self.deadline = job.submitted + self.decoding.time_limit_s
        self.done = False
        self.next_token = 0  # the token chosen last, fed at the next decode step

    @property
    def simple_greedy(self) -> bool:
        return not self.decoding.do_sample and self.decoding.repetition_penalty == 1.0

    def finish(self, error: BaseException | None = None) -> None:
        self.done = True
        if error is not None:
            self.job.out.put(error)
            return
        tail = self.text.finish()
        if tail:
            self.job.out.put(tail)
        self.job.out.put(DONE)


def make_row(job: Job, tokenizer: Any, max_positions: int) -> Row:
    """Tokenise the prompt, cut it from the left to leave room for the reply."""
    eos = tokenizer.eos_token_id
    ids = tokenizer(job.request.prompt)["input_ids"] or [eos]
    max_new = min(job.request.decoding.max_new_tokens, max_positions - 1)
    room = max_positions - max_new
    if len(ids) > room:
        log.warning("prompt of %d tokens cut to its last %d to fit", len(ids), room)
        ids = ids[-room:]

    def decode(token_ids: Any) -> str:
        return tokenizer.decode(
            list(token_ids), skip_special_tokens=True, clean_up_tokenization_spaces=False
        )

    return Row(job, ids, max_new, decode)


def step_rows(
    rows: Sequence[Row], logits: torch.Tensor, *, eos_id: int | None, stop_at_eos: bool
) -> list[int]:
    """Choose, record and stream one token per row ((B, vocab) logits); mark finished rows."""
    greedy = logits.argmax(-1).tolist()
    now = time.monotonic()
    chosen: list[int] = []
    for i, row in enumerate(rows):
        token = eos_id if eos_id is not None else 0
        if row.job.cancelled.is_set():
            row.finish()
            chosen.append(token)
            continue
        try:
            token = greedy[i] if row.simple_greedy else _choose(row, logits[i])
            _accept(row, token, now, eos_id=eos_id, stop_at_eos=stop_at_eos)
        except Exception as exc:  # this request only; the others go on
            log.error("request for %s failed mid-generation: %r", row.job.adapter, exc)
            row.finish(exc)
        row.next_token = token
        chosen.append(token)
    return chosen


def _choose(row: Row, logits: torch.Tensor) -> int:
    from adapters import generator  # the tests patch `generator.choose_token`

    seen = torch.tensor(row.seen, dtype=torch.long)
    chooser = getattr(generator, "choose_token", choose_token)
    return chooser(logits.float().cpu(), seen, row.decoding, row.rng)


def _accept(row: Row, token: int, now: float, *, eos_id: int | None, stop_at_eos: bool) -> None:
    if stop_at_eos and token == eos_id:
        row.finish()
        return
    row.seen.append(token)
    row.produced += 1
    delta = row.text.push(token)
    if delta:
        row.job.out.put(delta)
    if row.text.stopped or row.produced >= row.max_new:
        row.finish()
    elif now >= row.deadline:
        log.info("request for %s timed out at %d tokens", row.job.adapter, row.produced)
        row.finish()
