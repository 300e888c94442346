"""Adapter manifests: what an adapter folder claims to be, and the check before it is loaded.

peft writes `adapter_config.json` and `adapter_model.safetensors`; we add `manifest.json` with
the base model, the prompt format (name and version) the adapter was trained on, the training
data hash, hyperparameters, metrics and the sha256 of every weight file. An adapter trained
on another base model or another prompt format would load fine and write nonsense, so the
generator refuses it, and refuses pickle weights (`.bin`, which can run code when loaded).
Standard library only: listing adapters needs no torch.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

MANIFEST_NAME = "manifest.json"
WEIGHTS_NAME = "adapter_model.safetensors"
CONFIG_NAME = "adapter_config.json"
MANIFEST_SCHEMA = 1
PICKLE_SUFFIXES = (".bin", ".pt", ".pth", ".pkl", ".pickle", ".ckpt")


class AdapterRefused(Exception):
    """An adapter folder that must not be loaded; `reason` says what is wrong with it."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Manifest:
    """Our description of one adapter folder (peft's config says how, this says what for)."""

    base_model: str
    task: str
    prompt_format: str
    prompt_format_version: int
    data_hash: str
    hyperparameters: Mapping[str, Any] = field(default_factory=dict)
    metrics: Mapping[str, float] = field(default_factory=dict)
    created: str = ""
    files: Mapping[str, str] = field(default_factory=dict)  # file name -> sha256 hex
    schema: int = MANIFEST_SCHEMA

    def to_json(self) -> str:
        values = asdict(self)
        values["hyperparameters"] = dict(self.hyperparameters)
        values["metrics"] = dict(self.metrics)
        values["files"] = dict(self.files)
        return json.dumps(values, indent=2, sort_keys=True) + "\n"


def normalize_base_id(base_model: str) -> str:
    """The base's name in manifests: the id a converted folder declares, else its absolute
    path; a hub id as given. The same model gives the same string on every machine when its
    folder declares an id (the offline base does: `adapters.offline_base`)."""
    path = Path(base_model).expanduser()
    if not path.is_dir():
        return base_model
    from adapters.offline_base import marker_id

    return marker_id(path) or str(path.resolve())


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def write_manifest(folder: Path, manifest: Manifest) -> Path:
    """Write `manifest.json` into `folder` with the hashes of its peft files filled in."""
    files = {name: sha256_of(folder / name) for name in (CONFIG_NAME, WEIGHTS_NAME)}
    complete = Manifest(**{**asdict(manifest), "files": files})
    target = folder / MANIFEST_NAME
    target.write_text(complete.to_json(), encoding="utf-8")
    return target


def read_manifest(folder: Path) -> Manifest:
    """Parse `manifest.json`; AdapterRefused when it is missing, not JSON or lacks fields."""
    path = folder / MANIFEST_NAME
    if not path.is_file():
        raise AdapterRefused(f"adapter {folder.name}: no {MANIFEST_NAME} in {folder}")
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise AdapterRefused(f"adapter {folder.name}: {MANIFEST_NAME} is corrupt ({exc})") from exc
    if not isinstance(raw, dict):
        raise AdapterRefused(f"adapter {folder.name}: {MANIFEST_NAME} is not a JSON object")
    required = ("base_model", "task", "prompt_format", "prompt_format_version", "data_hash")
    missing = [key for key in (*required, "files") if key not in raw]
    if missing:
        raise AdapterRefused(f"adapter {folder.name}: {MANIFEST_NAME} lacks {', '.join(missing)}")
    known = set(Manifest.__dataclass_fields__)
    try:
        manifest = Manifest(**{key: value for key, value in raw.items() if key in known})
        version_ok = isinstance(manifest.prompt_format_version, int)
    except TypeError as exc:
        raise AdapterRefused(f"adapter {folder.name}: {MANIFEST_NAME} is corrupt ({exc})") from exc
    if not version_ok or not isinstance(manifest.files, dict):
        raise AdapterRefused(f"adapter {folder.name}: {MANIFEST_NAME} has fields of wrong types")
    return manifest


def looks_like_adapter(path: Path) -> bool:
    """A folder holding any adapter file (even a refused kind); other folders are ignored."""
    names = (CONFIG_NAME, WEIGHTS_NAME, MANIFEST_NAME)
    return path.is_dir() and any(
        p.name in names or p.suffix.lower() in PICKLE_SUFFIXES for p in path.iterdir()
    )


def adapter_folders(root: Path) -> list[Path]:
    """The adapter folders directly under `root`, by name; hidden (staging) folders skipped."""
    if not root.is_dir():
        return []
    return sorted(p for p in root.iterdir() if not p.name.startswith(".") and looks_like_adapter(p))


def verify_adapter_folder(
    path: Path, *, base_model: str, expected_format_versions: Mapping[str, int]
) -> Manifest:
    """The manifest of an adapter that is safe and right to load on `base_model`.

    Raises AdapterRefused naming the first problem found: pickle weights, no safetensors,
    a missing or corrupt manifest, a file whose sha256 differs (tampered), another base
    model, or a prompt format this tutor does not speak (or speaks in another version).
    """
    name = path.name
    if not path.is_dir():
        raise AdapterRefused(f"adapter {name}: {path} is not a folder")
    pickles = sorted(p.name for p in path.iterdir() if p.suffix.lower() in PICKLE_SUFFIXES)
    if pickles:
        raise AdapterRefused(
            f"adapter {name}: refusing pickle weights {', '.join(pickles)} "
            f"(only {WEIGHTS_NAME} is loaded)"
        )
    if not (path / WEIGHTS_NAME).is_file():
        raise AdapterRefused(f"adapter {name}: no {WEIGHTS_NAME} in {path}")
    if not (path / CONFIG_NAME).is_file():
        raise AdapterRefused(f"adapter {name}: no {CONFIG_NAME} in {path}")
    manifest = read_manifest(path)
    for file_name in (CONFIG_NAME, WEIGHTS_NAME):
        recorded = manifest.files.get(file_name)
        if recorded is None:
            raise AdapterRefused(f"adapter {name}: {MANIFEST_NAME} has no sha256 for {file_name}")
        if sha256_of(path / file_name) != recorded:
            raise AdapterRefused(
                f"adapter {name}: {file_name} does not match its sha256 in {MANIFEST_NAME} "
                "(changed after training: tampered or corrupt)"
            )
    loaded = normalize_base_id(base_model)
    if manifest.base_model != loaded:
        raise AdapterRefused(
            f"adapter {name} was trained on {manifest.base_model}, "
            f"the loaded base model is {loaded}"
        )
    expected = expected_format_versions.get(manifest.prompt_format)
    if expected is None:
        raise AdapterRefused(
            f"adapter {name}: prompt format {manifest.prompt_format!r} is not one this tutor "
            f"knows ({', '.join(sorted(expected_format_versions)) or 'none'})"
        )
    if manifest.prompt_format_version != expected:
        raise AdapterRefused(
            f"adapter {name}: trained on prompt format {manifest.prompt_format} "
            f"v{manifest.prompt_format_version}, the tutor formats v{expected}"
        )
    return manifest
