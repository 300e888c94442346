"""`tutor learner` commands."""

from __future__ import annotations

import typer

app = typer.Typer(help="learner commands.", no_args_is_help=True)
