"""`tutor content` commands: check a pack, import GSM8K word problems."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer

from tutor.curriculum import PackError, load_default_pack, load_pack
from tutor.curriculum.gsm8k import import_gsm8k, write_pack
from tutor.curriculum.packcheck import SourceReport, check_pack, exercise_problems

app = typer.Typer(help="Content packs: check them, import word problems.", no_args_is_help=True)


@app.command("check")
def check(
    pack: Annotated[
        Path | None, typer.Argument(help="Pack YAML file (default: the shipped pack).")
    ] = None,
    seeds: Annotated[int, typer.Option("--seeds", min=1, help="Seeds per generator.")] = 1000,
) -> None:
    """Validate a pack: schema, prerequisite DAG, every generator for many seeds, each
    worked solution checked step by step."""
    started = time.perf_counter()
    try:
        loaded = load_default_pack() if pack is None else load_pack(pack)
    except PackError as error:
        typer.echo(f"pack error: {error}", err=True)
        raise typer.Exit(2) from None
    typer.echo(
        f"pack {loaded.name} v{loaded.version}: {len(loaded.skills)} skills, "
        f"{len(loaded.generators())} generators, {len(loaded.items)} fixed items"
    )
    typer.echo(
        "each exercise: key accepted, misconceptions named, statement numbers, leak guard, "
        "trace (every step's sum, last step = key, no code notation, questions answered)"
    )

    def show(report: SourceReport) -> None:
        if report.source.startswith("gen:") or report.failures:
            typer.echo(
                f"  {report.source:<40} {report.runs:>6} runs  {report.failures:>4} failures"
            )
        for example in report.examples:
            typer.echo(f"      {example}")

    report = check_pack(loaded, seeds=seeds, progress=show)
    elapsed = time.perf_counter() - started
    typer.echo(f"total: {report.runs} runs, {report.failures} failures ({elapsed:.1f} s)")
    if report.failures:
        raise typer.Exit(1)


@app.command("import-gsm8k")
def import_gsm8k_command(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="GSM8K-format JSONL.")],
    out: Annotated[Path, typer.Option("--out", help="Where to write the pack YAML.")],
    name: Annotated[str, typer.Option(help="The pack's name.")] = "gsm8k",
) -> None:
    """Turn GSM8K problems into a pack of word-problem items; report what was kept and why."""
    with file.open(encoding="utf-8") as lines:
        result = import_gsm8k(lines, prefix=name)
    typer.echo(
        f"read {result.lines} problems: kept {result.kept}, dropped {sum(result.dropped.values())}"
    )
    for reason, count in result.dropped.most_common():
        typer.echo(f"  dropped {count:>5}: {reason}")
    if not result.items:
        typer.echo("nothing to write", err=True)
        raise typer.Exit(1)
    write_pack(result, out, name=name)
    try:
        loaded = load_pack(out)  # validates every item: its key parses and the checker takes it
    except PackError as error:
        typer.echo(f"the written pack does not load: {error}", err=True)
        raise typer.Exit(1) from None
    bad = [
        e
        for e in (loaded.exercise_by_id(i.source_id, 0) for i in loaded.items)
        if any("own answer" in p for p in exercise_problems(e))
    ]
    typer.echo(
        f"wrote {out}: {len(loaded.items)} items; checker accepts "
        f"{len(loaded.items) - len(bad)}/{len(loaded.items)} keys"
    )
    if bad:
        raise typer.Exit(1)
