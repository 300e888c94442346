"""`tutor serve`: start the app from the settings (the same composition root as `app.py`)."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    @app.command()
    def serve(ctx: typer.Context) -> None:
        """Start the web app (students and teachers in the browser)."""
        typer.echo("The web app is not built yet (issue 5 of 6); try `tutor --help`.")
        raise typer.Exit(code=1)
