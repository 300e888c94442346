"""The model loaded in a thread while the app starts: templates answer until it is ready.

Loading the base and its adapters (importing torch and transformers, reading the weights)
takes longer than everything else at start-up together; a student who logs in meanwhile
gets every explanation from the templates, exactly as when no model can load, and the
model's words from the first request after it is ready. The swap is one reference
assignment, so a turn in flight finishes on the generator it started with.

`TUTOR_REQUIRE_MODEL=true` does not use this: there the app must not start without its
model, so the model is loaded before serving (tutor.ui.compose.serve).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator

from prompts.request import GenerationRequest
from tutor.generation import TextGenerator, UnavailableGenerator

log = logging.getLogger(__name__)
LOADING = "the language model is still loading"


class BackgroundModel:
    """A `TextGenerator` whose real generator `load()` builds in a daemon thread.

    Until then it is unavailable (reason: LOADING); a `load` that raises leaves it
    unavailable with the error as the reason. Attributes the tutor reads by name
    (`count_tokens`, `max_prompt_tokens`, `adapters`, `close`, ...) are the loaded
    generator's."""

    def __init__(
        self,
        load: Callable[[], TextGenerator],
        *,
        on_ready: Callable[[TextGenerator], None] | None = None,
    ) -> None:
        self._load = load
        self._on_ready = on_ready
        self._inner: TextGenerator = UnavailableGenerator(LOADING)
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._run, name="model-load", daemon=True)

    def start(self) -> BackgroundModel:
        self._thread.start()
        return self

    def _run(self) -> None:
        try:
            loaded = self._load()
        except Exception as error:  # the app serves on with templates, and says why
            log.exception("the model did not load")
            loaded = UnavailableGenerator(str(error) or type(error).__name__)
        self._inner = loaded
        self._done.set()
        if self._on_ready is not None:
            try:
                self._on_ready(loaded)
            except Exception:
                log.exception("after the model loaded")

    @property
    def loading(self) -> bool:
        return not self._done.is_set()

    def wait(self, timeout_s: float | None = None) -> bool:
        """Block until the load ended (True) or `timeout_s` passed (False)."""
        return self._done.wait(timeout_s)

    @property
    def available(self) -> bool:
        return bool(self._inner.available)

    @property
    def unavailable_reason(self) -> str | None:
        return self._inner.unavailable_reason

    def stream(self, request: GenerationRequest) -> Iterator[str]:
        return self._inner.stream(request)

    def __getattr__(self, name: str) -> object:
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(self._inner, name)

    def close(self) -> None:
        """Release the loaded generator (waiting a little for a load still running)."""
        self._done.wait(5.0)
        close = getattr(self._inner, "close", None)
        if callable(close):
            close()
