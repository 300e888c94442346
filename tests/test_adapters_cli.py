"""`tutor adapters train` and `tutor adapters list` end to end on the tiny GPT-2."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

import tutor.training_data
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


def _tiny(tasks: object, **options: object) -> object:
    from dataclasses import dataclass

    @dataclass(frozen=True)
    class Joint:
        task: str
        tasks: tuple[str, ...]
        train: tuple[object, ...]
        validation: tuple[object, ...]
        data_hash: str

    names = tuple(tasks)  # type: ignore[arg-type]
    parts = [tiny_dataset(t, " {total}, since {a} + {b} = {total}.") for t in names]
    return Joint(
        "+".join(names),
        names,
        tuple(e for p in parts for e in p.train),
        tuple(e for p in parts for e in p.validation),
        "tiny-" + "-".join(names),
    )


def test_train_prints_base_vs_adapter_and_writes_a_loadable_adapter(
    settings: Settings, tiny_gpt2_dir: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    seen: dict[str, object] = {}

    def fake_build(tasks: object, **options: object) -> object:
        seen.update(options, tasks=tuple(tasks))  # type: ignore[arg-type]
        return _tiny(tasks)

    monkeypatch.setattr(tutor.training_data, "build_dataset", fake_build)
    out = tmp_path / "trained"
    code, output = invoke(
        settings,
        "adapters", "train", "--task", "explain", "--task", "hint", "--base", str(tiny_gpt2_dir),
        "--out", str(out), "--max-steps", "5", "--lr", "0.01", "--train-per-task", "20",
        "--no-progress",
    )  # fmt: skip
    assert code == 0, output
    assert seen["tasks"] == ("explain", "hint") and seen["train_per_task"] == 20
    assert "trained 5 steps" in output
    assert "base " in output and "base+adapter" in output and "perplexity" in output
    assert f"adapter written to {out / 'explain'}" in output
    assert not (out / ".joint").exists()  # the joint run is published per task, then removed

    with Generator(str(tiny_gpt2_dir), out) as gen:
        assert gen.adapter_names == ("explain", "hint")
        text = gen.generate(GenerationRequest("explain", "Question: 1 + 1?", "explain",
                                              Decoding(max_new_tokens=4)))  # fmt: skip
        assert text

    code, output = invoke(settings, "adapters", "list", "--base", str(tiny_gpt2_dir),
                          "--root", str(out))  # fmt: skip
    assert code == 0, output
    assert "explain: verified" in output and "hint: verified" in output
    assert "format explain v3" in output

    code, output = invoke(settings, "adapters", "list", "--base", "openai-community/gpt2",
                          "--root", str(out))  # fmt: skip
    assert "explain: REFUSED: adapter explain was trained on" in output

    code, output = invoke(
        settings, "adapters", "train", "--task", "explain", "--task", "hint",
        "--base", str(tiny_gpt2_dir), "--out", str(out), "--max-steps", "1", "--no-progress",
    )  # fmt: skip
    assert code == 1
    assert "--overwrite" in output


def test_train_needs_a_known_task(settings: Settings) -> None:
    code, output = invoke(settings, "adapters", "train")
    assert code == 1 and "--all" in output
    code, output = invoke(settings, "adapters", "train", "--task", "poems")
    assert code == 1 and "unknown task" in output


def test_train_help_names_the_folder_it_writes() -> None:
    code, output = invoke(Settings(), "adapters", "train", "--help")
    assert code == 0
    assert "adapters/trained/" in re.sub(r"[\s│]", "", output)
    assert "../shared" not in output
