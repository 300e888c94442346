"""Per-skill BKT parameters as a JSON file: what `tutor learner fit` writes and others load.

The file names its own format and version, so a file from something else is refused with a
message rather than half-read.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import asdict
from pathlib import Path

from tutor.learner.params import BktParams

FORMAT = "tutor-bkt-params"
VERSION = 1


def dump_params(params: Mapping[str, BktParams], *, forgetting: bool) -> str:
    body = {
        "format": FORMAT,
        "version": VERSION,
        "forgetting": forgetting,
        "skills": {key: asdict(p) for key, p in sorted(params.items())},
    }
    return json.dumps(body, indent=2) + "\n"


def save_params(path: Path | str, params: Mapping[str, BktParams], *, forgetting: bool) -> None:
    """Write atomically: a crash mid-write never leaves a truncated parameter file."""
    path = Path(path)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(dump_params(params, forgetting=forgetting), encoding="utf-8")
    tmp.replace(path)


def load_params(path: Path | str) -> dict[str, BktParams]:
    path = Path(path)
    try:
        body = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise ValueError(f"{path}: not JSON ({exc})") from None
    if not isinstance(body, dict) or body.get("format") != FORMAT:
        raise ValueError(f"{path}: not a {FORMAT} file")
    if body.get("version") != VERSION:
        raise ValueError(f"{path}: version {body.get('version')!r}, this code reads {VERSION}")
    try:
        return {key: BktParams(**values) for key, values in body["skills"].items()}
    except (TypeError, ValueError, AttributeError, KeyError) as exc:
        raise ValueError(f"{path}: bad skill parameters ({exc})") from None
