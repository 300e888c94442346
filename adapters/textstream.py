"""Turning one row's growing token list into safe text deltas, and stopping at stop strings.

A byte-level BPE token can end in the middle of a UTF-8 character, and a stop string can
arrive split across tokens. So each step decodes the whole running token list and emits only
the new suffix, holding back an unfinished character (decoded as U+FFFD) and any tail that
could still become a stop string. The joined deltas always equal the final text.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

Decode = Callable[[Sequence[int]], str]
REPLACEMENT = "\ufffd"


class TextAssembler:
    """Accumulates token ids for one request; `push` returns the text that is safe to show."""

    def __init__(self, decode: Decode, stop: Sequence[str] = ()) -> None:
        self._decode = decode
        self._stop = tuple(s for s in stop if s)
        self._ids: list[int] = []
        self._emitted = ""
        self.stopped = False  # a stop string was reached: the row is finished

    @property
    def token_ids(self) -> list[int]:
        return list(self._ids)

    @property
    def text(self) -> str:
        """The text emitted so far."""
        return self._emitted

    def push(self, token_id: int) -> str:
        """Add a token; return the new text that can be shown now (maybe empty)."""
        self._ids.append(token_id)
        text = self._decode(self._ids)
        cut = self._first_stop(text)
        if cut is not None:
            self.stopped = True
            return self._emit(text[:cut])
        safe = len(text) - self._held_back(text)
        return self._emit(text[:safe])

    def finish(self) -> str:
        """The row ended (length, end of text, time): flush whatever was held back."""
        if self.stopped:
            return ""
        text = self._decode(self._ids)
        cut = self._first_stop(text)
        return self._emit(text if cut is None else text[:cut])

    def _emit(self, upto: str) -> str:
        if not upto.startswith(self._emitted):
            # Decoding more tokens changed earlier text; never retract what was shown.
            return ""
        delta = upto[len(self._emitted) :]
        self._emitted = upto
        return delta

    def _first_stop(self, text: str) -> int | None:
        # Only the unshown tail can hold a new stop string; earlier text was checked already.
        start = max(0, len(self._emitted) - max((len(s) for s in self._stop), default=0))
        hits = [i for i in (text.find(s, start) for s in self._stop) if i >= 0]
        return min(hits) if hits else None

    def _held_back(self, text: str) -> int:
        hold = 1 if text.endswith(REPLACEMENT) else 0
        for stop in self._stop:
            for k in range(min(len(stop) - 1, len(text)), hold, -1):
                if text.endswith(stop[:k]):
                    hold = k
                    break
        return hold
