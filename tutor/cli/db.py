"""`tutor db` commands: create or upgrade the database, and say which revision it is at."""

from __future__ import annotations

import typer

from tutor.cli.common import settings_of

app = typer.Typer(
    help="The learner database: migrations (Alembic) and checks.", no_args_is_help=True
)


@app.command()
def upgrade(
    ctx: typer.Context,
    revision: str = typer.Option("head", help="Alembic revision to upgrade to."),
) -> None:
    """Create the database or bring its schema up to date (safe to run again).

    Uses DATABASE_URL, else the SQLite file `tutor.db` in TUTOR_DATA_DIR. Take a backup of a
    database that holds real data first.
    """
    import students_db

    url = settings_of(ctx).resolved_database_url
    engine = students_db.make_engine(url)
    try:
        before = students_db.current_revision(engine)
        after = students_db.upgrade(engine, revision)
    finally:
        engine.dispose()
    where = engine.url.render_as_string(hide_password=True)
    typer.echo(f"{where}: {before or 'empty'} -> {after}")


@app.command()
def current(ctx: typer.Context) -> None:
    """Print the database's revision, marked "(head)" when it is up to date.

    Exits with status 1 when the database is behind (or empty), so scripts can check it.
    """
    import students_db

    engine = students_db.make_engine(settings_of(ctx).resolved_database_url)
    try:
        revision = students_db.current_revision(engine)
    finally:
        engine.dispose()
    head = students_db.head_revision()
    if revision == head:
        typer.echo(f"{revision} (head)")
        return
    typer.echo(f"{revision or 'none'} (head is {head}: run `tutor db upgrade`)")
    raise typer.Exit(code=1)


@app.command()
def check(ctx: typer.Context) -> None:
    """Refuse (exit 1, with the reason) unless the database is at the head revision."""
    import students_db

    engine = students_db.make_engine(settings_of(ctx).resolved_database_url)
    try:
        students_db.ensure_schema_current(engine)
    except students_db.SchemaOutOfDate as error:
        typer.echo(str(error), err=True)
        raise typer.Exit(code=1) from error
    finally:
        engine.dispose()
    typer.echo("schema is current")


@app.command()
def backup(
    ctx: typer.Context,
    to: str = typer.Option("", help="Folder for the copy; default: TUTOR_BACKUP_DIR."),
) -> None:
    """Take an online, integrity-checked backup of the SQLite database (safe while serving)."""
    from pathlib import Path

    import students_db
    from students_db.backup import backup_sqlite

    settings = settings_of(ctx)
    folder = Path(to) if to else settings.backup_dir
    if folder is None:
        typer.echo("no backup folder: pass --to or set TUTOR_BACKUP_DIR", err=True)
        raise typer.Exit(code=2)
    engine = students_db.make_engine(settings.resolved_database_url)
    try:
        path = backup_sqlite(engine=engine, destination_dir=folder)
    except students_db.StoreError as error:
        typer.echo(str(error), err=True)
        raise typer.Exit(code=1) from error
    finally:
        engine.dispose()
    typer.echo(f"backup written: {path}")
