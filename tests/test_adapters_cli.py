"""`tutor adapters train` and `tutor adapters list` end to end on the tiny GPT-2."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

import adapters.data
from adapters.generator import Generator
from prompts.request import Decoding, GenerationRequest
from tests.fixtures.tiny_gpt2 import tiny_dataset
from tutor.cli import app
from tutor.settings import Settings


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path, adapters_dir=tmp_path / "adapters")


def invoke(settings: Settings, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args), obj=settings)
    return result.exit_code, result.output


def test_train_prints_base_vs_adapter_and_writes_a_loadable_adapter(
    settings: Settings, tiny_gpt2_dir: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    seen: dict[str, object] = {}

    def fake_build(task: str, data_root: Path, **options: object) -> object:
        seen.update(options, task=task, data_root=data_root)
        return tiny_dataset(task, " {total}, since {a} + {b} = {total}.")

    monkeypatch.setattr(adapters.data, "build_dataset", fake_build)
    code, output = invoke(
        settings,
        "adapters", "train", "--task", "explain", "--base", str(tiny_gpt2_dir),
        "--data", str(tmp_path), "--max-steps", "5", "--lr", "0.01", "--limit", "40",
        "--no-progress",
    )  # fmt: skip
    assert code == 0, output
    assert seen == {"task": "explain", "data_root": tmp_path, "seed": 0, "limit": 40,
                    "include_noncommercial": False}  # fmt: skip
    assert "trained 5 steps" in output
    assert "base " in output and "base+adapter" in output and "perplexity" in output
    out_dir = settings.resolved_adapters_dir / "explain"
    assert f"adapter written to {out_dir}" in output

    with Generator(str(tiny_gpt2_dir), settings.resolved_adapters_dir) as gen:
        assert gen.adapter_names == ("explain",)
        text = gen.generate(GenerationRequest("explain", "Question: 1 + 1?", "explain",
                                              Decoding(max_new_tokens=4)))  # fmt: skip
        assert text

    code, output = invoke(settings, "adapters", "list", "--base", str(tiny_gpt2_dir))
    assert code == 0, output
    assert "explain: verified" in output
    assert "format explain v1" in output

    code, output = invoke(settings, "adapters", "list", "--base", "openai-community/gpt2")
    assert "explain: REFUSED: adapter explain was trained on" in output

    code, output = invoke(
        settings, "adapters", "train", "--task", "explain", "--base", str(tiny_gpt2_dir),
        "--data", str(tmp_path), "--max-steps", "1", "--no-progress",
    )  # fmt: skip
    assert code == 1
    assert "--overwrite" in output


def test_train_without_data_says_so(settings: Settings, tmp_path: Path) -> None:
    code, output = invoke(
        settings, "adapters", "train", "--task", "explain", "--data", str(tmp_path / "none")
    )
    assert code == 1
    assert "no data folder" in output


def test_list_with_no_adapters(settings: Settings) -> None:
    code, output = invoke(settings, "adapters", "list")
    assert code == 0
    assert "no adapters in" in output
