"""`tutor content check`: every generator agrees with the checker (few seeds here; the
1,000-seed run is `tutor content check`)."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from tutor.cli import app
from tutor.curriculum import load_default_pack
from tutor.curriculum.packcheck import check_pack


def test_every_generator_passes_for_a_few_seeds() -> None:
    report = check_pack(load_default_pack(), seeds=25)
    failures = [(s.source, s.examples) for s in report.sources if s.failures]
    assert not failures
    assert report.skills >= 30


def test_the_command_reports_counts_and_exits_zero() -> None:
    result = CliRunner().invoke(app, ["content", "check", "--seeds", "3"])
    assert result.exit_code == 0, result.output
    assert (
        "skills" in result.output and "total:" in result.output and " 0 failures" in result.output
    )


def test_the_command_fails_on_a_broken_pack(tmp_path: Path) -> None:
    bad = tmp_path / "broken.yaml"
    bad.write_text("name: x\nversion: 1\nskills: [{key: a}]\n")
    result = CliRunner().invoke(app, ["content", "check", str(bad)])
    assert result.exit_code == 2
    assert "broken.yaml" in result.output and "name: missing" in result.output
