"""`tutor export`, `tutor delete`, `tutor maintenance`, `tutor backup`, `tutor restore`: the
operator's data-rights and safety commands (the teacher view has its own export and delete).

A student is named as they log in, "CODE/name", or by id ("#12"). These commands run as the
operator: the access log records them as "admin".
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import typer

from tutor.cli.common import open_engine, open_store, settings_of

if TYPE_CHECKING:
    from contextlib import AbstractContextManager

    from students_db import SessionFactory

STUDENT_HELP = 'The student as they log in, "CODE/name", or "#<id>".'


def register(app: typer.Typer) -> None:
    """Add the commands to the root `tutor` app."""
    app.command("export")(export)
    app.command("delete")(delete)
    app.command("maintenance")(maintenance)
    app.command("backup")(backup)
    app.command("restore")(restore)


def export(
    ctx: typer.Context,
    student: str = typer.Option(..., "--student", help=STUDENT_HELP),
    to: str = typer.Option(
        "", "--to", help="Folder for student.json and one CSV per table; default: print JSON."
    ),
) -> None:
    """Export everything held about one student as JSON (and CSV files with --to)."""
    from tutor.privacy import export_student

    with _store(ctx) as sessions:
        student_id = _student_id(sessions, student)
        found = export_student(sessions=sessions, student_id=student_id)
    if found is None:
        _fail(f"no student {student}")
    if not to:
        typer.echo(found.to_json())
        return
    folder = Path(to)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "student.json").write_text(found.to_json(), encoding="utf-8")
    for name, text in found.to_csv_files().items():
        (folder / name).write_text(text, encoding="utf-8")
    counts = ", ".join(f"{t.table} {len(t.rows)}" for t in found.tables)
    typer.echo(f"exported student #{student_id} to {folder}: {counts}")


def delete(
    ctx: typer.Context,
    student: str = typer.Option(..., "--student", help=STUDENT_HELP),
    yes: bool = typer.Option(False, "--yes", help="Confirm: erasure cannot be undone."),
) -> None:
    """Erase a student: every row about them, leaving a content-free tombstone in the access
    log. They can no longer log in. Backups keep them until pruned (`tutor maintenance`)."""
    from tutor.privacy import delete_student

    with _store(ctx) as sessions:
        student_id = _student_id(sessions, student)
        if not yes:
            _fail(f"this erases student #{student_id} ({student}) for good: add --yes to confirm")
        deleted = delete_student(
            sessions=sessions, student_id=student_id, requested_by="operator (cli)"
        )
    if not deleted:
        _fail(f"no student {student}")
    typer.echo(f"deleted student #{student_id}; tombstone written to the access log")


def maintenance(
    ctx: typer.Context,
    keep_backups: int | None = typer.Option(
        None, "--keep-backups", min=1, help="Also delete all but the N newest backups."
    ),
) -> None:
    """Apply the retention rules: old chat messages (TUTOR_MESSAGE_RETENTION_DAYS), stale
    login counters, and old backups with --keep-backups."""
    from tutor.maintenance import run_maintenance

    settings = settings_of(ctx)
    if keep_backups is not None and settings.backup_dir is None:
        _fail("--keep-backups needs TUTOR_BACKUP_DIR")
    with _store(ctx) as sessions:
        report = run_maintenance(
            sessions=sessions,
            message_retention_days=settings.message_retention_days,
            backup_dir=settings.backup_dir,
            keep_backups=keep_backups,
        )
    if report.skipped:
        typer.echo(f"maintenance skipped: {report.skipped}")
        return
    if report.messages_deleted is None:
        typer.echo("messages: no retention set (TUTOR_MESSAGE_RETENTION_DAYS), none deleted")
    else:
        days = settings.message_retention_days
        typer.echo(f"messages older than {days} days deleted: {report.messages_deleted}")
    typer.echo(f"stale login counters deleted: {report.login_attempts_deleted}")
    if report.backups_deleted is not None:
        typer.echo(f"old backups deleted: {len(report.backups_deleted)}")


def backup(
    ctx: typer.Context,
    to: str = typer.Option("", "--to", help="Folder; default: TUTOR_BACKUP_DIR."),
) -> None:
    """Take an online, integrity-checked backup of the SQLite database (safe while serving)."""
    import students_db as db

    settings = settings_of(ctx)
    folder = Path(to) if to else settings.backup_dir
    if folder is None:
        _fail("no backup folder: pass --to or set TUTOR_BACKUP_DIR", code=2)
    with open_engine(ctx, check_schema=False) as engine:
        try:
            path = db.backup_sqlite(engine=engine, destination_dir=folder)
        except db.StoreError as error:
            _fail(str(error))
    typer.echo(f"backup written: {path}")


def restore(
    ctx: typer.Context,
    source: str = typer.Option(
        "",
        "--from",
        help="A backup file, or a folder (its newest valid backup); default: TUTOR_BACKUP_DIR.",
    ),
    yes: bool = typer.Option(False, "--yes", help="Overwrite an existing database."),
) -> None:
    """Restore the SQLite database from a backup (stop the app first). Refuses to overwrite
    an existing database without --yes."""
    from sqlalchemy.engine import make_url

    import students_db as db

    settings = settings_of(ctx)
    url = make_url(settings.resolved_database_url)
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        _fail("restore is for a SQLite file; restore PostgreSQL with its own tools")
    target = Path(url.database)
    origin = Path(source) if source else settings.backup_dir
    if origin is None:
        _fail("nothing to restore from: pass --from or set TUTOR_BACKUP_DIR", code=2)
    if target.exists() and not yes:
        _fail(f"{target} exists: add --yes to overwrite it (take a backup first)")
    try:
        if origin.is_dir():
            used = db.restore_newest(backup_dir=origin, target_path=target, force=yes)
            if used is None:
                _fail(f"no valid backup in {origin}")
        else:
            used = origin
            db.restore_backup(source=origin, target_path=target, force=yes)
    except db.StoreError as error:
        _fail(str(error))
    typer.echo(f"restored {target} from {used}")


def _store(ctx: typer.Context) -> AbstractContextManager[SessionFactory]:
    """A session factory on the configured database, checked to be at the head revision."""
    return open_store(ctx)


def _student_id(sessions: SessionFactory, student: str) -> int:
    """The id of "CODE/name" or "#12"; exits with a clear message when there is none."""
    import students_db as db
    from tutor.accounts import split_student_username

    text = student.strip()
    if text.startswith("#") and text[1:].isdigit():
        return int(text[1:])
    parts = split_student_username(text)
    if parts is None or not parts[1]:
        _fail(f'name the student as "CODE/name" or "#<id>"; got {student!r}', code=2)
    with db.read_session(sessions) as session:
        login = db.get_student_login(session=session, join_code=parts[0], login_name=parts[1])
    if login is None:
        _fail(f"no student {student}")
    return login.id


def _fail(message: str, code: int = 1) -> NoReturn:
    typer.echo(message, err=True)
    raise typer.Exit(code=code)
