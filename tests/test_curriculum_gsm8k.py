"""GSM8K import: annotations checked, drops counted by reason, keys accepted by the checker."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from tutor.cli import app
from tutor.curriculum import check_answer, load_pack
from tutor.curriculum.gsm8k import import_gsm8k, write_pack

# 152 real lines of GSM8K's training split (MIT); tests/assets/gsm8k/README.md says which.
GSM8K = Path(__file__).resolve().parent / "assets" / "gsm8k" / "train_sample.jsonl"


def _line(question: str, answer: str) -> str:
    return json.dumps({"question": question, "answer": answer})


LINES = [
    _line(
        "Natalia sold 48 clips in April and half as many in May. How many altogether?",
        "In May she sold 48/2 = <<48/2=24>>24.\nAltogether 48+24 = <<48+24=72>>72.\n#### 72",
    ),
    _line(
        "A shirt costs $20 and is 25% off. What is the new price?",
        "The discount is 20*.25 = $<<20*.25=5>>5.\nSo 20-5 = $<<20-5=15>>15.\n#### 15",
    ),
    _line("Bad sum?", "2+2 = <<2+2=5>>5\n#### 5"),
    _line("No final line?", "2+2 = <<2+2=4>>4"),
    _line("Final differs?", "2+2 = <<2+2=4>>4\n#### 5"),
    _line("No annotations?", "It is four.\n#### 4"),
    "not json",
    _line(
        "Rounded thirds",
        "10/3 = <<10/3=3.33>>3.33 each, so 3.33*3 = <<3.33*3=9.99>>9.99\n#### 9.99",
    ),
    _line("Thousands", "1000+250 = <<1000+250=1250>>1250\n#### 1,250"),
]


def test_inline_jsonl_keeps_consistent_items_and_counts_drops(tmp_path: Path) -> None:
    result = import_gsm8k(LINES, prefix="t")
    assert [i["id"] for i in result.items] == ["t-1", "t-2", "t-8", "t-9"]
    assert result.dropped == {
        "annotation result differs from its sum": 1,
        "no '#### N' final line": 1,
        "final answer differs from the last annotation": 1,
        "no <<calculation>> annotations": 1,
        "not valid JSON": 1,
    }
    first, second = result.items[0], result.items[1]
    assert first["skills"] == ["fractions.of_quantity", "whole.add", "whole.divide"]
    assert second["skills"][0] == "percent.of_quantity" and "decimals.multiply" in second["skills"]
    assert first["solution"][0] == {
        "text": "In May she sold 48/2 = 24.",
        "expression": "48/2",
        "result": "24",
    }
    out = tmp_path / "pack.yaml"
    write_pack(result, out, name="t")
    pack = load_pack(out)
    assert len(pack.items) == 4
    exercise = pack.exercise("whole.divide", 0)
    assert exercise.id == "item:t-1" and check_answer(exercise, "72").correct
    assert check_answer(pack.exercise_by_id("item:t-9", 0), "1,250").correct


def test_command_reports_kept_and_dropped(tmp_path: Path) -> None:
    source = tmp_path / "in.jsonl"
    source.write_text("\n".join(LINES) + "\n")
    out = tmp_path / "out.yaml"
    result = CliRunner().invoke(app, ["content", "import-gsm8k", str(source), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "kept 4, dropped 5" in result.output
    assert "checker accepts 4/4 keys" in result.output


def test_real_gsm8k_lines() -> None:
    with GSM8K.open(encoding="utf-8") as lines:
        result = import_gsm8k(lines)
    assert result.lines == 152
    assert result.kept == 139
    assert result.dropped == {
        "final answer differs from the last annotation": 10,
        "annotation we cannot read": 2,
        "no <<calculation>> annotations": 1,
    }
    assert result.items[0]["id"] == "gsm8k-1" and result.items[0]["answers"] == ["72"]
    from tutor.curriculum.loader import _Reader  # the key reader the pack loader uses

    reader = _Reader(GSM8K)
    for item in result.items:
        key, text = reader.key(item["answers"][0], "number", False, "answers[0]")
        assert key.value.is_Rational


def test_command_on_real_lines(tmp_path: Path) -> None:
    out = tmp_path / "gsm8k.yaml"
    result = CliRunner().invoke(app, ["content", "import-gsm8k", str(GSM8K), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "kept 139, dropped 13" in result.output
    assert "checker accepts 139/139 keys" in result.output
    assert len(load_pack(out).items) == 139
