"""Generation on an existing serving engine over the OpenAI-compatible completions API.

    Tutor --stream(request)--> RemoteGenerator --POST /v1/completions, "stream": true-->
          <------------- text chunks <------------- SSE "data: {...}" ... "data: [DONE]"

vLLM, llama.cpp's server and TGI all speak `/v1/completions` and `/v1/models`. The adapter
is chosen per request through the `model` field: vLLM (`--enable-lora --lora-modules
hint=/path ...`) lists every LoRA module in `/v1/models` beside its base (with a `parent`), so
a request for adapter `hint` is sent as `"model": "hint"`. For a base the engine has no LoRA
support for (GPT-2 on vLLM or TGI), serve one merged model per task under the adapter's name:
the client cannot tell the difference, which is the point. A request for an adapter the engine
does not list fails before any text (`RemoteAdapterMissing`), as the local generator does, so
the tutor uses its template.

Standard library only (urllib): an app replica that generates remotely needs no torch.
Failures are loud, as in the local generator: logged at ERROR and kept in `last_failure`.
"""

from __future__ import annotations

import json
import logging
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from prompts.request import Decoding, GenerationRequest

log = logging.getLogger(__name__)


class RemoteUnavailable(RuntimeError):
    """The engine cannot be reached or answered with an error: use templates."""


class RemoteAdapterMissing(ValueError):
    """A request named an adapter the engine does not serve."""


@dataclass(frozen=True)
class RemoteFailure:
    """The latest failed request: what the teacher view shows, and the log says."""

    at: float
    error: str
    count: int

    def __str__(self) -> str:
        when = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(self.at))
        return f"{self.error} at {when} ({self.count} failure(s) so far)"


def completion_body(model: str, request: GenerationRequest) -> dict[str, Any]:
    """The JSON body for one request: OpenAI fields, plus vLLM's `top_k` and
    `repetition_penalty` (llama.cpp and TGI ignore fields they do not know)."""
    d: Decoding = request.decoding
    body: dict[str, Any] = {
        "model": model,
        "prompt": request.prompt,
        "max_tokens": d.max_new_tokens,
        "stream": True,
        "temperature": d.temperature if d.do_sample else 0.0,  # 0: greedy on every engine
    }
    if d.do_sample and d.top_p is not None:
        body["top_p"] = d.top_p
    if d.do_sample and d.top_k is not None:
        body["top_k"] = d.top_k
    if d.repetition_penalty != 1.0:
        body["repetition_penalty"] = d.repetition_penalty
    if d.stop:
        body["stop"] = list(d.stop)
    if d.seed is not None:
        body["seed"] = d.seed
    return body


class RemoteGenerator:
    """Fits `tutor.generation.TextGenerator`; `TUTOR_GENERATOR_URL` selects it."""

    def __init__(
        self,
        url: str,
        *,
        base_model: str | None = None,
        api_key: str | None = None,
        connect_timeout_s: float = 5.0,
    ) -> None:
        self.url = url.rstrip("/")
        if self.url.endswith("/v1"):
            self.url = self.url[: -len("/v1")]
        self.base_model_hint = base_model
        self._api_key = api_key
        self._connect_timeout_s = connect_timeout_s
        self._lock = threading.Lock()
        self._probed = False
        self._reason: str | None = None
        self._base: str | None = None
        self._served: tuple[str, ...] = ()
        self._failures = 0
        self._last_failure: RemoteFailure | None = None

    # ---- the TextGenerator protocol -------------------------------------------------------

    @property
    def available(self) -> bool:
        self._probe()
        return self._base is not None

    @property
    def unavailable_reason(self) -> str | None:
        self._probe()
        return self._reason

    def stream(self, request: GenerationRequest) -> Iterator[str]:
        """Send `request` now; the iterator yields the engine's text as it streams.

        Raises RemoteUnavailable (no engine) or RemoteAdapterMissing at once, before any text.
        """
        if not self.available:
            raise RemoteUnavailable(self._reason or "the generation engine is unavailable")
        model = self._model_for(request.adapter)
        body = json.dumps(completion_body(model, request)).encode()
        try:
            response = self._open("/v1/completions", body, request.decoding.time_limit_s)
        except RemoteUnavailable as error:
            self._record_failure(error)
            raise
        return self._chunks(response, request.decoding.time_limit_s)

    def generate(self, request: GenerationRequest) -> str:
        return "".join(self.stream(request))

    # ---- what is served ------------------------------------------------------------------

    @property
    def adapter_names(self) -> tuple[str, ...]:
        self._probe()
        return tuple(sorted(m for m in self._served if m != self._base))

    @property
    def serving_path(self) -> str:
        return f"remote {self.url} ({self._base or 'unreachable'})"

    @property
    def last_failure(self) -> RemoteFailure | None:
        return self._last_failure

    @property
    def failure_count(self) -> int:
        return self._failures

    def refresh(self) -> None:
        """Ask the engine again which models it serves (after it restarts with new ones)."""
        with self._lock:
            self._probed = False
        self._probe()

    def close(self) -> None:
        """Nothing to release: every request has its own connection."""

    # ---- internals -----------------------------------------------------------------------

    def _probe(self) -> None:
        with self._lock:
            if self._probed:
                return
            self._probed = True
            try:
                listing = json.load(self._open("/v1/models", None, self._connect_timeout_s))
                entries = listing.get("data", [])
                ids = tuple(str(e["id"]) for e in entries)
                bases = [str(e["id"]) for e in entries if not e.get("parent")]
            except (RemoteUnavailable, ValueError, KeyError, TypeError) as error:
                self._reason = f"generation engine at {self.url} unavailable: {error}"
                log.error("%s", self._reason)
                return
            if not bases:
                self._reason = f"generation engine at {self.url} lists no model"
                log.error("%s", self._reason)
                return
            hint = self.base_model_hint
            self._base = hint if hint in bases else bases[0]
            self._served = ids
            log.info(
                "generating on %s: base %s, adapters %s",
                self.url,
                self._base,
                ", ".join(m for m in ids if m != self._base) or "none",
            )

    def _model_for(self, adapter: str | None) -> str:
        if adapter is None or adapter == "__base__":
            assert self._base is not None
            return self._base
        if adapter in self._served:
            return adapter
        served = ", ".join(self.adapter_names) or "none"
        raise RemoteAdapterMissing(
            f"adapter {adapter!r} is not served by {self.url} (served: {served})"
        )

    def _open(self, path: str, body: bytes | None, timeout_s: float) -> Any:
        headers = {"Accept": "text/event-stream" if body else "application/json"}
        if body is not None:
            headers["Content-Type"] = "application/json"
        if self._api_key:
            headers["Authorization"] = f"Bearer {self._api_key}"
        req = urllib.request.Request(self.url + path, data=body, headers=headers)
        try:
            return urllib.request.urlopen(req, timeout=max(timeout_s, self._connect_timeout_s))
        except urllib.error.HTTPError as error:
            detail = error.read(500).decode("utf-8", "replace")
            raise RemoteUnavailable(f"HTTP {error.code} from {path}: {detail}") from error
        except (urllib.error.URLError, OSError) as error:
            raise RemoteUnavailable(f"{path}: {error}") from error

    def _chunks(self, response: Any, time_limit_s: float) -> Iterator[str]:
        """Server-sent events: `data: {json}` lines, a blank line between events, `[DONE]`."""
        deadline = time.monotonic() + time_limit_s
        try:
            with response:
                for raw in response:
                    line = raw.decode("utf-8").strip()
                    if not line.startswith("data:"):
                        continue  # blank separators, comments, `event:` lines
                    data = line[len("data:") :].strip()
                    if data == "[DONE]":
                        return
                    event = json.loads(data)
                    if "error" in event:
                        raise RemoteUnavailable(f"engine error: {event['error']}")
                    text = event["choices"][0].get("text") or ""
                    if text:
                        yield text
                    if time.monotonic() >= deadline:
                        log.info("remote request timed out after %.1f s", time_limit_s)
                        return
        except (RemoteUnavailable, OSError, ValueError, KeyError, IndexError) as error:
            failure = error if isinstance(error, RemoteUnavailable) else RemoteUnavailable(error)
            self._record_failure(failure)
            raise failure from error

    def _record_failure(self, error: BaseException) -> None:
        with self._lock:
            self._failures += 1
            self._last_failure = RemoteFailure(
                time.time(), f"{type(error).__name__}: {error}", self._failures
            )
        log.error(
            "MODEL FAILURE (remote %s): %s; the tutor falls back to templates", self.url, error
        )
