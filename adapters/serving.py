"""Which base model the tutor serves, and with which adapters: decided once, at start.

    TUTOR_BASE_MODEL set ──────────────────────────────► that base (its shipped adapters)
    GPT-2 adapters shipped, and GPT-2 loadable
      (in the local cache, or the hub answers) ────────► openai-community/gpt2
    otherwise ─────────────────────────────────────────► the offline base (SmolLM2-135M,
                                                         from the package index) and the
                                                         adapters shipped for it

The hub is probed once, with one short TCP connect (`hub_reachable`); when it does not
answer, `HF_HUB_OFFLINE=1` is set for the process so no later load spends a minute and a
half on retries. Adapters ship in the repository under `adapters/trained/<base-slug>/<task>/`;
`TUTOR_ADAPTERS_DIR` overrides the folder. Standard library only (the offline base's
conversion imports torch when it runs).
"""

from __future__ import annotations

import logging
import os
import re
import socket
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

from adapters.manifest import adapter_folders
from adapters.offline_base import (
    OFFLINE_BASE_ID,
    OFFLINE_BASE_SLUG,
    OfflineBaseError,
    ensure_offline_base,
    marker_id,
    offline_base_dir,
)

log = logging.getLogger(__name__)

GPT2_ID = "openai-community/gpt2"
SHIPPED_ROOT = Path(__file__).resolve().parent / "trained"
HUB_PROBE_TIMEOUT_S = 1.5
_TRUE = ("1", "true", "yes", "on")
_probe: dict[str, bool] = {}  # one probe per process


@dataclass(frozen=True)
class ServingChoice:
    """The base to load (hub id or folder), the id manifests name it by, its adapters."""

    base_model: str
    base_id: str
    adapters_dir: Path | None
    reason: str


def base_slug(base_id: str) -> str:
    """The folder name of a base's shipped adapters: `gpt2`, `smollm2-135m-instruct`, ..."""
    if base_id == OFFLINE_BASE_ID:
        return OFFLINE_BASE_SLUG
    name = base_id.rstrip("/").rsplit("/", 1)[-1].split("@", 1)[0]
    return re.sub(r"[^a-z0-9._-]+", "-", name.lower()).strip("-") or "base"


def shipped_adapters_dir(base_id: str) -> Path:
    return SHIPPED_ROOT / base_slug(base_id)


def hub_reachable(timeout_s: float = HUB_PROBE_TIMEOUT_S) -> bool:
    """One TCP connect to the hub (HF_ENDPOINT), once per process; False under HF_HUB_OFFLINE.

    When it fails, HF_HUB_OFFLINE=1 is set so transformers uses only cached files instead of
    retrying for about 80 s per model.
    """
    if os.environ.get("HF_HUB_OFFLINE", "").strip().lower() in _TRUE:
        return False
    if "hub" not in _probe:
        endpoint = urlparse(os.environ.get("HF_ENDPOINT") or "https://huggingface.co")
        port = endpoint.port or (80 if endpoint.scheme == "http" else 443)
        try:
            with socket.create_connection((endpoint.hostname or "", port), timeout=timeout_s):
                _probe["hub"] = True
        except OSError:
            _probe["hub"] = False
            log.info("the model hub does not answer: offline mode (cached files only)")
            go_offline()
    return _probe["hub"]


def go_offline() -> None:
    """Make every later hub call of this process a cache lookup, not a network retry."""
    os.environ["HF_HUB_OFFLINE"] = "1"
    import sys

    constants = sys.modules.get("huggingface_hub.constants")
    if constants is not None:  # already imported: it read the variable at import time
        constants.HF_HUB_OFFLINE = True  # type: ignore[attr-defined]


def in_hub_cache(model_id: str) -> bool:
    """True when the hub cache holds `model_id`'s config (loadable without the network)."""
    try:
        from huggingface_hub import try_to_load_from_cache
    except ImportError:
        return False
    found = try_to_load_from_cache(model_id, "config.json")
    return isinstance(found, str)


def _has_adapters(folder: Path) -> bool:
    return bool(adapter_folders(folder))


def choose_serving(
    *,
    base_model: str | None = None,
    adapters_dir: Path | None = None,
    models_dir: Path | None = None,
    allow_download: bool = True,
    echo: Callable[[str], None] = log.info,
) -> ServingChoice:
    """The base and adapters to serve; see the module docstring for the order.

    `base_model`: an explicit choice (TUTOR_BASE_MODEL), or None to choose. Raises
    OfflineBaseError when the offline base is needed and cannot be had.
    """
    if base_model:
        path = Path(base_model).expanduser()
        base_id = (marker_id(path) if path.is_dir() else None) or base_model
        if not path.is_dir() and not in_hub_cache(base_model):
            hub_reachable()  # sets offline mode when it does not answer: a fast failure
        chosen = adapters_dir or shipped_adapters_dir(base_id)
        return ServingChoice(base_model, base_id, chosen, "TUTOR_BASE_MODEL")
    gpt2_adapters = adapters_dir or shipped_adapters_dir(GPT2_ID)
    if _has_adapters(gpt2_adapters):
        if in_hub_cache(GPT2_ID) or hub_reachable():
            return ServingChoice(GPT2_ID, GPT2_ID, gpt2_adapters, "GPT-2 and its adapters")
        reason = "GPT-2 cannot be loaded (no hub, not cached): the offline base"
    else:
        reason = "no GPT-2 adapters: the offline base"
        if not in_hub_cache(GPT2_ID):
            hub_reachable()
    folder = offline_base_dir(models_dir)
    if not folder.is_dir() or marker_id(folder) != OFFLINE_BASE_ID:
        echo("the offline base model is not converted yet: fetching it once")
    folder = ensure_offline_base(models_dir, allow_download=allow_download, echo=echo)
    chosen = adapters_dir or shipped_adapters_dir(OFFLINE_BASE_ID)
    return ServingChoice(str(folder), OFFLINE_BASE_ID, chosen, reason)


def choose_for_settings(settings: object, *, allow_download: bool = True) -> ServingChoice:
    """`choose_serving` from the tutor's settings (read by attribute: adapters cannot import
    `tutor`): TUTOR_BASE_MODEL if set, TUTOR_ADAPTERS_DIR if set (else adapters trained into
    the data folder's `lora_adapters`, else the shipped ones), TUTOR_MODELS_DIR."""
    explicit: str | None = getattr(settings, "explicit_base_model", None)
    adapters_dir: Path | None = getattr(settings, "adapters_dir", None)
    trained_here: Path | None = getattr(settings, "resolved_adapters_dir", None)
    if adapters_dir is None and trained_here is not None and _has_adapters(trained_here):
        adapters_dir = trained_here
    return choose_serving(
        base_model=explicit,
        adapters_dir=adapters_dir,
        models_dir=getattr(settings, "models_dir", None),
        allow_download=allow_download,
    )


__all__ = [
    "choose_for_settings",
    "GPT2_ID",
    "SHIPPED_ROOT",
    "OfflineBaseError",
    "ServingChoice",
    "base_slug",
    "choose_serving",
    "hub_reachable",
    "shipped_adapters_dir",
]
