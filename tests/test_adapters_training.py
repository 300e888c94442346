"""Training an adapter on the tiny GPT-2: the folder it writes and what it measured."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch

from adapters.manifest import CONFIG_NAME, MANIFEST_NAME, WEIGHTS_NAME, read_manifest
from adapters.recipes import LoraRecipe, lora_config, uses_conv1d
from adapters.training import IGNORE, encode_example, train_adapter
from prompts import FORMAT_VERSIONS, TrainingExample
from tests.fixtures.tiny_gpt2 import tiny_dataset


def test_the_adapter_folder_holds_peft_files_and_a_full_manifest(
    tiny_gpt2_dir: Path, tiny_adapters_dir: Path
) -> None:
    folder = tiny_adapters_dir / "explain"
    assert {CONFIG_NAME, WEIGHTS_NAME, MANIFEST_NAME} <= {p.name for p in folder.iterdir()}
    assert not list(folder.glob("*.bin"))
    manifest = read_manifest(folder)
    assert manifest.base_model == str(tiny_gpt2_dir.resolve())
    assert (manifest.task, manifest.prompt_format) == ("explain", "explain")
    assert manifest.prompt_format_version == FORMAT_VERSIONS["explain"]
    assert manifest.data_hash == "tiny-explain"
    assert manifest.hyperparameters["r"] == 8
    assert manifest.hyperparameters["target_modules"] == ["c_attn", "c_proj"]
    assert manifest.created
    config = json.loads((folder / CONFIG_NAME).read_text())
    assert config["fan_in_fan_out"] is True  # GPT-2's Conv1D
    assert set(config["target_modules"]) == {"c_attn", "c_proj"}


def test_base_and_adapter_are_both_measured_and_training_helped(tiny_adapters_dir: Path) -> None:
    metrics = read_manifest(tiny_adapters_dir / "hint").metrics
    for key in ("base_val_loss", "base_val_perplexity", "val_loss", "val_perplexity"):
        assert metrics[key] > 0
    assert metrics["val_loss"] < metrics["base_val_loss"] - 0.5
    assert metrics["steps"] == 80


def test_a_short_run_reports_its_history_and_stops_at_max_steps(
    tiny_gpt2_dir: Path, tmp_path: Path
) -> None:
    recipe = LoraRecipe(lr=1e-2, epochs=5, batch_size=4, max_steps=6, max_length=48)
    result = train_adapter(
        base=str(tiny_gpt2_dir),
        task="hint",
        dataset=tiny_dataset("hint", " Hint: add {a} and {b}.", n=10),
        recipe=recipe,
        out_dir=tmp_path / "hint",
        progress=False,
    )
    assert result.steps == 6
    assert result.epochs == 3  # 8 training examples / 4 per step: 2 steps an epoch
    assert len(result.validation_losses) == 3
    assert result.device == "cpu"
    assert result.manifest.metrics["val_loss"] == pytest.approx(result.adapter.loss)
    assert result.adapter.loss < result.base.loss
    assert not list(tmp_path.glob(".hint-*"))  # the staging folder was renamed away


def test_an_existing_adapter_is_not_overwritten_by_accident(
    tiny_gpt2_dir: Path, tmp_path: Path
) -> None:
    out = tmp_path / "explain"
    out.mkdir()
    (out / "manifest.json").write_text("{}")
    with pytest.raises(FileExistsError, match="--overwrite"):
        train_adapter(
            base=str(tiny_gpt2_dir),
            task="explain",
            dataset=tiny_dataset("explain", " {total}."),
            recipe=LoraRecipe(max_steps=1),
            out_dir=out,
            progress=False,
        )
    assert (out / "manifest.json").read_text() == "{}"


def test_a_dataset_for_another_task_is_refused(tiny_gpt2_dir: Path, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="for task 'hint', not 'explain'"):
        train_adapter(
            base=str(tiny_gpt2_dir),
            task="explain",
            dataset=tiny_dataset("hint", " x"),
            recipe=LoraRecipe(max_steps=1),
            out_dir=tmp_path / "x",
            progress=False,
        )


def test_only_completion_tokens_carry_labels_and_long_prompts_lose_their_start(
    tiny_gpt2_dir: Path,
) -> None:
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(tiny_gpt2_dir)
    example = TrainingExample("explain", 1, "Question: what is 2 + 2?\nAnswer:", " 4.")
    encoded = encode_example(tokenizer, example, max_length=64)
    prompt_len = len(tokenizer(example.prompt)["input_ids"])
    assert encoded.labels[:prompt_len] == [IGNORE] * prompt_len
    assert encoded.labels[prompt_len:] == encoded.input_ids[prompt_len:]
    assert encoded.input_ids[-1] == tokenizer.eos_token_id

    short = encode_example(tokenizer, example, max_length=8)
    assert len(short.input_ids) == 8
    assert short.input_ids[-3:] == encoded.input_ids[-3:]  # the completion survives


def test_fan_in_fan_out_is_set_only_for_conv1d_models(tiny_gpt2_dir: Path) -> None:
    from transformers import AutoModelForCausalLM

    gpt2 = AutoModelForCausalLM.from_pretrained(tiny_gpt2_dir)
    assert lora_config(LoraRecipe(), gpt2).fan_in_fan_out is True

    class LinearModel(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.c_attn = torch.nn.Linear(4, 4)

    assert not uses_conv1d(LinearModel(), ("c_attn",))
    explicit = LoraRecipe(target_modules=("c_attn",))
    assert lora_config(explicit, LinearModel()).fan_in_fan_out is False

    class LlamaShaped(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            for name in ("q_proj", "k_proj", "v_proj", "o_proj"):
                setattr(self, name, torch.nn.Linear(4, 4))

    config = lora_config(LoraRecipe(), LlamaShaped())
    assert set(config.target_modules) == {"q_proj", "k_proj", "v_proj", "o_proj"}
    assert config.fan_in_fan_out is False
    with pytest.raises(ValueError, match="no LoRA recipe"):
        lora_config(LoraRecipe(), torch.nn.Linear(2, 2))


def test_a_contradictory_recipe_names_every_problem() -> None:
    with pytest.raises(ValueError, match="r must be at least 1.*lr must be positive"):
        LoraRecipe(r=0, lr=0)
    assert "Rank" in LoraRecipe.field_help()["r"]
