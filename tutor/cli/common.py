"""What every command module shares: the settings the root callback built."""

from __future__ import annotations

import typer

from tutor.settings import Settings, load_settings


def settings_of(ctx: typer.Context) -> Settings:
    """The one settings object, built by the root callback and passed down in `ctx.obj`."""
    root = ctx.find_root()
    if not isinstance(root.obj, Settings):
        root.obj = load_settings()
    return root.obj
