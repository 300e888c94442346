"""Writing a built dataset to disk: JSON Lines per split and the data part of the manifest.

The CLI (`tutor adapters ...`) and the trainer call this; keeping the layout here means a
folder written by one run reads the same in the next.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

from adapters.data.dataset import TaskDataset

MANIFEST_NAME = "data_manifest.json"


def write_dataset(dataset: TaskDataset, folder: Path) -> tuple[Path, ...]:
    """Write `train.jsonl`, `validation.jsonl` and `data_manifest.json` into `folder`.

    One example per line: {"task", "version", "prompt", "completion"}. Files are written
    to a temporary name and renamed, so a crash never leaves a half-written split behind.
    """
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, examples in (("train", dataset.train), ("validation", dataset.validation)):
        lines = "".join(json.dumps(asdict(e), ensure_ascii=False) + "\n" for e in examples)
        written.append(_write(folder / f"{name}.jsonl", lines))
    manifest = {**dataset.manifest(), "skipped": {s.reason: s.count for s in dataset.skipped}}
    written.append(_write(folder / MANIFEST_NAME, json.dumps(manifest, indent=2) + "\n"))
    return tuple(written)


def _write(path: Path, text: str) -> Path:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)
    return path
