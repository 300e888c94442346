"""`tutor adapters` commands: train one task's LoRA adapter, list the adapters and their checks.

`adapters` (and with it torch) is imported inside each command, so the rest of the CLI starts
without it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from tutor.cli.common import settings_of

app = typer.Typer(help="Train and inspect the LoRA adapters.", no_args_is_help=True)


def _fail(message: str) -> typer.Exit:
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(code=1)


@app.command()
def train(
    ctx: typer.Context,
    task: Annotated[str, typer.Option(help="Task to train (explain, hint, ...).")],
    base: Annotated[str | None, typer.Option(help="Base id or folder; default: settings.")] = None,
    data: Annotated[Path | None, typer.Option(help="Data folder; default: ../shared/data.")] = None,
    out: Annotated[Path | None, typer.Option(help="Out folder; default: adapters/TASK.")] = None,
    max_steps: Annotated[int | None, typer.Option(help="Stop after N optimiser steps.")] = None,
    epochs: Annotated[int, typer.Option(help="Passes over the training data.")] = 3,
    limit: Annotated[int | None, typer.Option(help="Use at most N examples.")] = None,
    lr: Annotated[float, typer.Option(help="Peak learning rate.")] = 2e-4,
    r: Annotated[int, typer.Option(help="LoRA rank (alpha = 2r).")] = 8,
    batch_size: Annotated[int, typer.Option(help="Examples per optimiser step.")] = 8,
    max_length: Annotated[int, typer.Option(help="Longest example in tokens.")] = 512,
    patience: Annotated[int, typer.Option(help="Epochs without improvement to stop.")] = 2,
    seed: Annotated[int, typer.Option(help="Seed for split, init and shuffling.")] = 0,
    device: Annotated[str | None, typer.Option(help="auto, cpu, cuda; default: settings.")] = None,
    include_noncommercial: Annotated[
        bool, typer.Option(help="Also use non-commercial data (experiments only).")
    ] = False,
    overwrite: Annotated[bool, typer.Option(help="Replace an existing adapter.")] = False,
    progress: Annotated[bool, typer.Option(help="Show a progress bar.")] = True,
) -> None:
    """Train a LoRA adapter for TASK and print base vs adapter validation loss/perplexity."""
    from adapters.data import build_dataset, default_data_root
    from adapters.recipes import LoraRecipe
    from adapters.training import train_adapter

    settings = settings_of(ctx)
    base_model = base or settings.base_model
    data_root = data or default_data_root()
    if data_root is None or not data_root.is_dir():
        raise _fail(f"no data folder at {data_root or '../shared/data'}; pass --data DIR")
    out_dir = out or settings.resolved_adapters_dir / task
    try:
        recipe = LoraRecipe(
            r=r,
            alpha=2 * r,
            lr=lr,
            epochs=epochs,
            batch_size=batch_size,
            max_steps=max_steps,
            max_length=max_length,
            patience=patience,
            seed=seed,
        )
        dataset = build_dataset(
            task, data_root, seed=seed, limit=limit, include_noncommercial=include_noncommercial
        )
        typer.echo(
            f"task {task}: {len(dataset.train)} training / {len(dataset.validation)} validation "
            f"examples from {data_root} (data hash {dataset.data_hash[:12]})"
        )
        result = train_adapter(
            base=base_model,
            task=task,
            dataset=dataset,
            recipe=recipe,
            out_dir=out_dir,
            device=device or settings.device,
            progress=progress,
            overwrite=overwrite,
        )
    except (ValueError, KeyError, FileExistsError, FileNotFoundError, OSError) as exc:
        raise _fail(str(exc)) from exc
    typer.echo(
        f"trained {result.steps} steps over {result.epochs} epoch(s) on {result.device}"
        f"{' (stopped early)' if result.stopped_early else ''}; "
        f"{result.trainable_parameters} trainable parameters"
    )
    typer.echo(f"{'':14}{'val loss':>10}{'perplexity':>12}   ({result.adapter.tokens} tokens)")
    for label, scores in (("base", result.base), ("base+adapter", result.adapter)):
        typer.echo(f"{label:14}{scores.loss:>10.4f}{scores.perplexity:>12.2f}")
    typer.echo(f"adapter written to {result.out_dir}")


@app.command("list")
def list_adapters(
    ctx: typer.Context,
    base: Annotated[str | None, typer.Option(help="Base to check; default: settings.")] = None,
) -> None:
    """Each adapter folder: task, base, format version, metrics, and whether it would load."""
    from adapters.manifest import (
        AdapterRefused,
        adapter_folders,
        read_manifest,
        verify_adapter_folder,
    )
    from prompts import FORMAT_VERSIONS

    settings = settings_of(ctx)
    base_model = base or settings.base_model
    root = settings.resolved_adapters_dir
    folders = adapter_folders(root)
    if not folders:
        typer.echo(f"no adapters in {root}")
        return
    for folder in folders:
        try:
            verify_adapter_folder(
                folder, base_model=base_model, expected_format_versions=FORMAT_VERSIONS
            )
            verdict = "verified"
        except AdapterRefused as exc:
            verdict = f"REFUSED: {exc.reason}"
        typer.echo(f"{folder.name}: {verdict}")
        try:
            manifest = read_manifest(folder)
        except AdapterRefused:
            continue
        metrics = ", ".join(
            f"{key} {value:.4g}"
            for key, value in manifest.metrics.items()
            if key in ("base_val_loss", "val_loss", "val_perplexity", "steps")
        )
        typer.echo(
            f"  task {manifest.task}, base {manifest.base_model}, format "
            f"{manifest.prompt_format} v{manifest.prompt_format_version}, created "
            f"{manifest.created}\n  {metrics}"
        )
