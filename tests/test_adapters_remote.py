"""The remote-engine path against a real HTTP server on loopback that answers like vLLM's
OpenAI-compatible server: `/v1/models` lists the base and its LoRA modules (with `parent`),
`/v1/completions` streams server-sent events in chunked transfer encoding, ending in
`data: [DONE]`. The client, the settings switch and a tutor turn run against it."""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from adapters.remote import (
    RemoteAdapterMissing,
    RemoteGenerator,
    RemoteUnavailable,
    completion_body,
)
from prompts.request import Decoding, GenerationRequest

BASE = "HuggingFaceTB/SmolLM2-135M-Instruct"
REPLIES = {
    BASE: "Let us look at the tens column together. What is 7 - 4?",
    "hint": "Hint: count on from 7. What number comes next?",
    "explain": "11, because 4 + 7 = 11. Well done.",
}


class EngineStub(BaseHTTPRequestHandler):
    """vLLM's wire format; each word of the model's reply is one streamed token."""

    protocol_version = "HTTP/1.1"
    requests: list[dict[str, Any]] = []
    delay_s = 0.0
    fail_after: int | None = None  # drop the connection after this many chunks

    def log_message(self, *args: object) -> None:  # keep the test output clean
        pass

    def do_GET(self) -> None:
        if self.path != "/v1/models":
            self._json(404, {"error": {"message": "not found"}})
            return
        data = [{"id": BASE, "object": "model", "root": BASE, "parent": None}]
        data += [
            {"id": name, "object": "model", "root": f"/lora/{name}", "parent": BASE}
            for name in ("hint", "explain")
        ]
        self._json(200, {"object": "list", "data": data})

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        type(self).requests.append(body)
        if body["model"] not in REPLIES:
            self._json(404, {"error": {"message": f"The model `{body['model']}` does not exist."}})
            return
        words = REPLIES[body["model"]].split(" ")
        pieces = [w if i == 0 else " " + w for i, w in enumerate(words)][: body["max_tokens"]]
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        text, reason = "", "length" if len(pieces) == body["max_tokens"] else "stop"
        for n, piece in enumerate(pieces):
            if self.fail_after is not None and n == self.fail_after:
                self._chunk(b"data: {not json")  # a broken event, then the connection ends
                self.wfile.write(b"0\r\n\r\n")
                return
            cut = _stop_at(text + piece, body.get("stop") or [])
            if cut is not None:
                piece, reason = (text + piece)[:cut][len(text) :], "stop"
            text += piece
            self._event(body["model"], piece, None)
            if cut is not None:
                break
            time.sleep(self.delay_s)
        self._event(body["model"], "", reason)
        self._chunk(b"data: [DONE]\n\n")
        self.wfile.write(b"0\r\n\r\n")

    def _event(self, model: str, text: str, finish: str | None) -> None:
        event = {
            "id": "cmpl-stub",
            "object": "text_completion",
            "created": int(time.time()),
            "model": model,
            "choices": [{"index": 0, "text": text, "logprobs": None, "finish_reason": finish}],
        }
        self._chunk(f"data: {json.dumps(event)}\n\n".encode())

    def _chunk(self, payload: bytes) -> None:
        self.wfile.write(f"{len(payload):x}\r\n".encode() + payload + b"\r\n")
        self.wfile.flush()

    def _json(self, status: int, value: object) -> None:
        payload = json.dumps(value).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)


def _stop_at(text: str, stops: list[str]) -> int | None:
    hits = [text.find(s) for s in stops if s in text]
    return min(hits) if hits else None


@pytest.fixture
def engine() -> Iterator[str]:
    EngineStub.requests, EngineStub.delay_s, EngineStub.fail_after = [], 0.0, None
    server = ThreadingHTTPServer(("127.0.0.1", 0), EngineStub)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def request(adapter: str | None, **decoding: object) -> GenerationRequest:
    return GenerationRequest(
        task=adapter or "explain",
        prompt="### Task: hint (v1)\n### Response\n",
        adapter=adapter,
        decoding=Decoding(**decoding),
    )


def test_it_lists_the_base_and_the_adapters_the_engine_serves(engine: str) -> None:
    remote = RemoteGenerator(engine + "/v1", base_model=BASE)
    assert remote.available and remote.unavailable_reason is None
    assert remote.adapter_names == ("explain", "hint")


@pytest.mark.parametrize("adapter", [None, "hint", "explain"])
def test_each_request_names_its_adapter_in_the_model_field_and_streams(
    engine: str, adapter: str | None
) -> None:
    remote = RemoteGenerator(engine)
    chunks = list(remote.stream(request(adapter, max_new_tokens=40)))
    assert len(chunks) > 3
    assert "".join(chunks) == REPLIES[adapter or BASE]
    sent = EngineStub.requests[-1]
    assert sent["model"] == (adapter or BASE)
    assert sent["stream"] is True and sent["temperature"] == 0.0  # greedy
    assert sent["prompt"].startswith("### Task: hint (v1)")


def test_text_arrives_while_the_engine_is_still_writing(engine: str) -> None:
    EngineStub.delay_s = 0.15
    remote = RemoteGenerator(engine)
    started = time.monotonic()
    stream = remote.stream(request("hint", max_new_tokens=40))
    first = next(stream)
    first_at = time.monotonic() - started
    rest = "".join(stream)
    total = time.monotonic() - started
    assert first + rest == REPLIES["hint"]
    assert first_at < total / 3  # streamed, not buffered until the end


def test_decoding_settings_travel_in_the_body() -> None:
    body = completion_body(
        "hint",
        request(
            "hint",
            max_new_tokens=12,
            do_sample=True,
            temperature=0.7,
            top_p=0.9,
            top_k=40,
            repetition_penalty=1.2,
            stop=("\n### End",),
            seed=5,
        ),
    )
    assert body == {
        "model": "hint",
        "prompt": "### Task: hint (v1)\n### Response\n",
        "max_tokens": 12,
        "stream": True,
        "temperature": 0.7,
        "top_p": 0.9,
        "top_k": 40,
        "repetition_penalty": 1.2,
        "stop": ["\n### End"],
        "seed": 5,
    }


def test_max_tokens_and_stop_strings_are_the_engines_to_apply(engine: str) -> None:
    remote = RemoteGenerator(engine)
    assert remote.generate(request("hint", max_new_tokens=3)) == "Hint: count on"
    assert remote.generate(request("hint", stop=(" What",))) == "Hint: count on from 7."


def test_an_adapter_the_engine_does_not_serve_fails_before_any_text(engine: str) -> None:
    remote = RemoteGenerator(engine)
    with pytest.raises(RemoteAdapterMissing, match=r"'poem' is not served .*explain, hint"):
        remote.stream(request("poem"))
    assert EngineStub.requests == []  # nothing was sent


def test_an_unreachable_engine_is_unavailable_with_a_reason() -> None:
    remote = RemoteGenerator("http://127.0.0.1:9", connect_timeout_s=1)
    assert not remote.available
    assert "unavailable" in (remote.unavailable_reason or "")
    with pytest.raises(RemoteUnavailable):
        remote.stream(request(None))


def test_a_broken_stream_is_loud_and_kept_for_the_teacher_view(
    engine: str, caplog: pytest.LogCaptureFixture
) -> None:
    EngineStub.fail_after = 2
    remote = RemoteGenerator(engine)
    with caplog.at_level(logging.ERROR), pytest.raises(RemoteUnavailable):
        list(remote.stream(request("hint")))
    assert remote.failure_count == 1 and remote.last_failure is not None
    assert any("MODEL FAILURE" in r.getMessage() for r in caplog.records)


def test_the_setting_makes_the_app_generate_on_the_engine(engine: str, tmp_path: Path) -> None:
    from tutor.cli.serve import load_generator
    from tutor.settings import Settings

    settings = Settings(data_dir=tmp_path, generator_url=engine, base_model=BASE)
    generator = load_generator(settings)
    assert isinstance(generator, RemoteGenerator)
    assert generator.generate(request("explain")) == REPLIES["explain"]
    down = Settings(data_dir=tmp_path, generator_url="http://127.0.0.1:9")
    fallback = load_generator(down)
    assert not fallback.available and "unavailable" in (fallback.unavailable_reason or "")
