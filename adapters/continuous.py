"""Continuous batching on the fast path: requests join and leave the running batch per step.

    waiting (FIFO) --admit--> prefilling (one row, chunk by chunk) --first token--> running
                                  ^ reuses the longest cached prefix        | one decode step
                                    of a free slot with the same adapter    | for all rows
                                                                            v
                                                  finished: slot freed, its K/V kept

Each loop turn does at most one prefill chunk, then one decode step for every running row,
so a long prompt never stalls the rows already speaking by more than one chunk, and a request
that arrives mid-batch decodes in the step right after its prefill. Running rows occupy
slots 0..n-1 (a finished row swaps with the last), so a decode step reads a view of the cache.
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Callable, Iterator
from typing import Any

import torch

from adapters.fastpath import FastDecoder, KVSlots, common_prefix
from adapters.rows import Job, Row, make_row, step_rows

log = logging.getLogger("adapters.generator")


class ContinuousBatch:
    """The running set of one worker (or of one inline call, with one slot)."""

    def __init__(
        self,
        decoder: FastDecoder,
        tokenizer: Any,
        *,
        slots: int,
        chunk: int,
        stop_at_eos: bool,
        on_failure: Callable[[BaseException, int], None],
    ) -> None:
        self.decoder = decoder
        self.tokenizer = tokenizer
        self.slots = slots
        self.chunk = max(1, chunk)
        self.stop_at_eos = stop_at_eos
        self.eos_id = tokenizer.eos_token_id
        self.on_failure = on_failure
        self.cache: KVSlots = decoder.new_cache(slots)
        self.waiting: deque[Job] = deque()
        self.running: list[Row] = []
        self.prefilling: Row | None = None
        self._slot = 0  # the prefilling row's slot
        self._fed = 0  # how many of its prompt tokens are in the cache
        self.reused_tokens = 0  # prompt tokens served from a cached prefix (for stats)

    @property
    def busy(self) -> bool:
        return bool(self.waiting or self.running or self.prefilling)

    def add(self, job: Job) -> None:
        self.waiting.append(job)

    def step(self) -> None:
        """One turn: admit, one prefill chunk, one decode step. Failures end the rows hit."""
        try:
            with torch.inference_mode():
                self._admit()
                if self.prefilling is not None:
                    self._prefill_chunk()
                if self.running:
                    self._decode()
        except Exception as exc:  # a forward pass failed: every row in it gets the error
            hit = self.running + ([self.prefilling] if self.prefilling else [])
            self.on_failure(exc, len(hit))
            for row in hit:
                if not row.done:
                    row.finish(exc)
            self.running, self.prefilling = [], None
            self.cache = self.decoder.new_cache(self.slots)

    def steps_for(self, jobs: list[Job]) -> Iterator[None]:
        for job in jobs:
            self.add(job)
        while self.busy:
            self.step()
            yield None

    # ---- admission and prefill -----------------------------------------------------------

    def _admit(self) -> None:
        while self.prefilling is None and self.waiting and len(self.running) < self.slots:
            job = self.waiting.popleft()
            if job.cancelled.is_set():
                job.out.put(_done())
                continue
            row = make_row(job, self.tokenizer, self.decoder.max_positions)
            self._slot, self._fed = self._best_slot(row)
            self.prefilling = row

    def _best_slot(self, row: Row) -> tuple[int, int]:
        """A free slot, preferring the one whose cached tokens share the longest prefix with
        this prompt under the same adapter; returns (slot, tokens reused)."""
        best, reuse = len(self.running), 0
        want = None if row.job.adapter == "__base__" else row.job.adapter
        for slot in range(len(self.running), self.slots):
            if self.cache.adapter[slot] != want:
                continue
            shared = common_prefix(self.cache.tokens[slot], row.prompt_ids)
            shared = min(shared, len(row.prompt_ids) - 1)  # at least one token to prefill
            if shared > reuse:
                best, reuse = slot, shared
        self.cache.tokens[best] = self.cache.tokens[best][:reuse]
        self.reused_tokens += reuse
        return best, reuse

    def _prefill_chunk(self) -> None:
        row = self.prefilling
        assert row is not None
        ids = row.prompt_ids[self._fed : self._fed + self.chunk]
        adapter = None if row.job.adapter == "__base__" else row.job.adapter
        logits = self.decoder.prefill(self.cache, self._slot, ids, self._fed, adapter)
        self._fed += len(ids)
        if self._fed < len(row.prompt_ids):
            return
        self.prefilling = None
        step_rows([row], logits[None], eos_id=self.eos_id, stop_at_eos=self.stop_at_eos)
        if not row.done:
            target = len(self.running)
            self.cache.swap(self._slot, target)
            self.running.append(row)

    # ---- decoding ------------------------------------------------------------------------

    def _decode(self) -> None:
        rows = self.running
        lengths = [len(self.cache.tokens[i]) for i in range(len(rows))]
        adapters = [None if r.job.adapter == "__base__" else r.job.adapter for r in rows]
        logits = self.decoder.decode(self.cache, [r.next_token for r in rows], lengths, adapters)
        step_rows(rows, logits, eos_id=self.eos_id, stop_at_eos=self.stop_at_eos)
        for i in range(len(rows) - 1, -1, -1):  # from the end, so swaps keep 0..n-1 running
            if rows[i].done:
                last = len(rows) - 1
                self.cache.swap(i, last)
                rows[i] = rows[last]
                rows.pop()


def _done() -> object:
    from adapters.rows import DONE

    return DONE
