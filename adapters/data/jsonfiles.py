"""Reading JSON and JSON Lines from bytes, with errors that name the file and line."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path


def iter_jsonl(data: bytes, path: Path) -> Iterator[dict[str, object]]:
    """Each non-blank line of `data` as an object; a bad line raises ValueError naming it."""
    for number, line in enumerate(data.decode("utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ValueError(f"{path}:{number}: not valid JSON ({exc.msg})") from exc
        if not isinstance(record, dict):
            raise ValueError(f"{path}:{number}: expected a JSON object")
        yield record


def load_json(data: bytes, path: Path) -> object:
    """The JSON document in `data`; invalid JSON raises ValueError naming the file."""
    try:
        return json.loads(data.decode("utf-8"))
    except json.JSONDecodeError as exc:
        raise ValueError(f"{path}: not valid JSON ({exc.msg} at line {exc.lineno})") from exc


def field(record: dict[str, object], name: str, path: Path, where: object) -> str:
    """A required string field of a record; absent or not a string raises ValueError."""
    value = record.get(name)
    if not isinstance(value, str):
        raise ValueError(f"{path} ({where}): field {name!r} missing or not a string")
    return value
