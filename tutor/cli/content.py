"""`tutor content` commands."""

from __future__ import annotations

import typer

app = typer.Typer(help="content commands.", no_args_is_help=True)
