"""Run Alembic from code: upgrade, downgrade, the current and the head revision.

The configuration is built here (no `alembic.ini`) and every command runs on a connection
from our own engine, so migrations see the same pragmas as the app. On SQLite, foreign keys are
switched off for the duration (batch mode copies tables, which enforced keys would break) and
checked before the transaction commits.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine

from students_db.engine import WRITE_OPTION
from students_db.errors import StoreError

SCRIPT_LOCATION = "students_db:migrations"


def alembic_config() -> Config:
    """Alembic's configuration, built in code."""
    config = Config()
    config.set_main_option("script_location", SCRIPT_LOCATION)
    return config


def head_revision() -> str:
    """The newest revision the code knows."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    if head is None:
        raise StoreError("the migrations folder has no revisions")
    return head


def known_revisions() -> set[str]:
    script = ScriptDirectory.from_config(alembic_config())
    return {rev.revision for rev in script.walk_revisions()}


def current_revision(engine: Engine) -> str | None:
    """The database's revision, or None for a database Alembic never touched.

    A SQLite file that does not exist yet is reported as None rather than created.
    """
    database = engine.url.database
    is_file = engine.dialect.name == "sqlite" and database and database != ":memory:"
    if is_file and database is not None and not Path(database).exists():
        return None
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def upgrade(engine: Engine, revision: str = "head") -> str | None:
    """Upgrade the database to `revision` in one transaction; returns the revision reached."""
    with _migration_connection(engine) as connection:
        config = alembic_config()
        config.attributes["connection"] = connection
        command.upgrade(config, revision)
    return current_revision(engine)


def downgrade(engine: Engine, revision: str) -> str | None:
    """Downgrade the database to `revision` (e.g. "base") in one transaction."""
    with _migration_connection(engine) as connection:
        config = alembic_config()
        config.attributes["connection"] = connection
        command.downgrade(config, revision)
    return current_revision(engine)


@contextmanager
def _migration_connection(engine: Engine) -> Iterator[Connection]:
    writer = engine.execution_options(**{WRITE_OPTION: True})
    with writer.connect() as connection:
        if connection.dialect.name != "sqlite":
            with connection.begin():
                yield connection
            return
        raw = connection.connection.dbapi_connection
        assert raw is not None
        raw.execute("PRAGMA foreign_keys=OFF")  # outside any transaction, or it is ignored
        try:
            with connection.begin():
                yield connection
                broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                if broken:
                    raise StoreError(f"migration left broken foreign keys: {broken[:5]}")
        finally:
            raw.execute("PRAGMA foreign_keys=ON")
