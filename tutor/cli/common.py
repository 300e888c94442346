"""What every command module shares: the settings the root callback built, and the store."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

import typer

from tutor.settings import Settings, load_settings

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

    from students_db import SessionFactory


def settings_of(ctx: typer.Context) -> Settings:
    """The one settings object, built by the root callback and passed down in `ctx.obj`."""
    root = ctx.find_root()
    if not isinstance(root.obj, Settings):
        root.obj = load_settings()
    return root.obj


@contextmanager
def open_engine(ctx: typer.Context, *, check_schema: bool = True) -> Iterator[Engine]:
    """The engine on the configured database (from the root's settings), disposed when the
    block ends: the CLI's one way to the store (`tutor db` takes it for migrations).

    With `check_schema` (the default) a database that is not at the head revision stops the
    command with the message naming `tutor db upgrade` (exit code 1)."""
    import students_db as db

    engine = db.make_engine(settings_of(ctx).resolved_database_url)
    try:
        if check_schema:
            try:
                db.ensure_schema_current(engine)
            except db.SchemaOutOfDate as error:
                typer.echo(f"Error: {error}", err=True)
                raise typer.Exit(code=1) from None
        yield engine
    finally:
        engine.dispose()


@contextmanager
def open_store(ctx: typer.Context, *, check_schema: bool = True) -> Iterator[SessionFactory]:
    """A session factory on the configured database, released when the block ends
    (`open_engine`, with the same schema check)."""
    import students_db as db

    with open_engine(ctx, check_schema=check_schema) as engine:
        yield db.make_session_factory(engine)
