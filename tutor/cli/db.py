"""`tutor db` commands: create or upgrade the database, and say which revision it is at."""

from __future__ import annotations

import typer

from tutor.cli.common import open_engine

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

    with open_engine(ctx, check_schema=False) as engine:
        before = students_db.current_revision(engine)
        after = students_db.upgrade(engine, revision)
        where = engine.url.render_as_string(hide_password=True)
    typer.echo(f"{where}: {before or 'empty'} -> {after}")


@app.command()
def current(ctx: typer.Context) -> None:
    """Print the database's revision, marked "(head)" when it is up to date.

    Exits with status 1 when the database is behind (or empty), so scripts can check it.
    """
    import students_db

    with open_engine(ctx, check_schema=False) as engine:
        revision = students_db.current_revision(engine)
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

    with open_engine(ctx, check_schema=False) as engine:
        try:
            students_db.ensure_schema_current(engine)
        except students_db.SchemaOutOfDate as error:
            typer.echo(str(error), err=True)
            raise typer.Exit(code=1) from error
    typer.echo("schema is current")
