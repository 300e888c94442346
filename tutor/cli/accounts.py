"""`tutor teacher add`: create a teacher account (password from a hidden prompt or stdin)."""

from __future__ import annotations

import sys

import typer

from tutor.cli.common import open_store

app = typer.Typer(help="Teacher accounts.", no_args_is_help=True)


@app.command("add")
def add(
    ctx: typer.Context,
    username: str = typer.Argument(..., help="The teacher's login name."),
    display_name: str | None = typer.Option(None, "--name", help="Name shown to students."),
    password_stdin: bool = typer.Option(
        False, "--password-stdin", help="Read the password from standard input (scripts)."
    ),
) -> None:
    """Create a teacher who logs in with USERNAME and a password (at least 8 characters).

    The password is asked for twice with hidden input, or read from stdin with
    --password-stdin; it is never taken from the command line, where shells keep history.
    """
    import students_db as db
    from tutor.accounts import create_teacher

    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        with open_store(ctx) as sessions:
            teacher = create_teacher(
                sessions=sessions, username=username, password=password, display_name=display_name
            )
    except (ValueError, db.InvalidInput) as error:
        typer.echo(f"Error: {error}", err=True)
        raise typer.Exit(code=1) from None
    typer.echo(f"Teacher {teacher.username!r} created (id {teacher.id}).")
