"""Adapter folders the generator must refuse, each with a message that says why.

Folders here are built by hand (bytes standing in for weights): the checks are about files
and hashes, so no model is needed. The real round trip is in test_adapters_generator.py.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from adapters.manifest import (
    CONFIG_NAME,
    MANIFEST_NAME,
    WEIGHTS_NAME,
    AdapterRefused,
    Manifest,
    read_manifest,
    verify_adapter_folder,
    write_manifest,
)

BASE = "openai-community/gpt2"
VERSIONS = {"explain": 2, "hint": 1}


def make_folder(root: Path, name: str = "explain") -> Path:
    folder = root / name
    folder.mkdir()
    (folder / CONFIG_NAME).write_text('{"r": 8}', encoding="utf-8")
    (folder / WEIGHTS_NAME).write_bytes(b"\x00weights\x01" * 10)
    write_manifest(
        folder,
        Manifest(
            base_model=BASE,
            task="explain",
            prompt_format="explain",
            prompt_format_version=2,
            data_hash="abc123",
            hyperparameters={"r": 8},
            metrics={"val_loss": 1.5},
            created="2026-01-01T00:00:00+00:00",
        ),
    )
    return folder


def edit_manifest(folder: Path, **changes: object) -> None:
    raw = json.loads((folder / MANIFEST_NAME).read_text(encoding="utf-8"))
    raw.update(changes)
    (folder / MANIFEST_NAME).write_text(json.dumps(raw), encoding="utf-8")


def test_a_good_folder_verifies_and_its_manifest_round_trips(tmp_path: Path) -> None:
    folder = make_folder(tmp_path)
    manifest = verify_adapter_folder(folder, base_model=BASE, expected_format_versions=VERSIONS)
    assert manifest == read_manifest(folder)
    assert manifest.prompt_format_version == 2
    assert set(manifest.files) == {CONFIG_NAME, WEIGHTS_NAME}
    assert all(len(digest) == 64 for digest in manifest.files.values())
    assert manifest.metrics["val_loss"] == 1.5


CASES: list[tuple[str, Callable[[Path], None], str]] = [
    ("pickle", lambda f: (f / "adapter_model.bin").write_bytes(b"pickle"), "pickle weights"),
    ("no-weights", lambda f: (f / WEIGHTS_NAME).unlink(), f"no {WEIGHTS_NAME}"),
    ("no-manifest", lambda f: (f / MANIFEST_NAME).unlink(), f"no {MANIFEST_NAME}"),
    ("corrupt", lambda f: (f / MANIFEST_NAME).write_text("{not json"), "corrupt"),
    (
        "missing-field",
        lambda f: (f / MANIFEST_NAME).write_text('{"task": "explain"}'),
        "lacks base_model",
    ),
    (
        "tampered",
        lambda f: (f / WEIGHTS_NAME).write_bytes(b"\x00weights\x02" * 10),
        f"{WEIGHTS_NAME} does not match its sha256",
    ),
    (
        "other-base",
        lambda f: edit_manifest(f, base_model="EleutherAI/gpt-neo-125m"),
        f"was trained on EleutherAI/gpt-neo-125m, the loaded base model is {BASE}",
    ),
    (
        "old-format",
        lambda f: edit_manifest(f, prompt_format_version=1),
        "prompt format explain v1, the tutor formats v2",
    ),
    (
        "unknown-format",
        lambda f: edit_manifest(f, prompt_format="poem"),
        "prompt format 'poem' is not one this tutor knows",
    ),
]


@pytest.mark.parametrize(("case", "damage", "message"), CASES, ids=[c[0] for c in CASES])
def test_a_damaged_folder_is_refused_with_a_message_naming_the_problem(
    tmp_path: Path, case: str, damage: Callable[[Path], None], message: str
) -> None:
    folder = make_folder(tmp_path)
    damage(folder)
    with pytest.raises(AdapterRefused) as refused:
        verify_adapter_folder(folder, base_model=BASE, expected_format_versions=VERSIONS)
    assert message in refused.value.reason
    assert "explain" in refused.value.reason  # names the adapter


def test_a_local_base_folder_matches_by_resolved_path(tmp_path: Path) -> None:
    model_dir = tmp_path / "models" / "tiny"
    model_dir.mkdir(parents=True)
    folder = make_folder(tmp_path)
    edit_manifest(folder, base_model=str(model_dir.resolve()))
    relative = (
        str(model_dir.relative_to(Path.cwd())) if model_dir.is_relative_to(Path.cwd()) else None
    )
    spelled = relative or f"{model_dir}/../tiny"
    manifest = verify_adapter_folder(folder, base_model=spelled, expected_format_versions=VERSIONS)
    assert manifest.base_model == str(model_dir.resolve())
