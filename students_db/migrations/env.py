"""Alembic's environment: always handed a live connection by `students_db.migrate`.

There is no `alembic.ini`: the configuration is built in code so the CLI, the app and the
tests migrate exactly the same way. Batch mode is on for SQLite, whose ALTER TABLE is too weak
for most changes (Alembic then copies the table).
"""

from __future__ import annotations

from alembic import context

from students_db.models import Base

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError(
        "students_db migrations run through students_db.migrate (e.g. `tutor db upgrade`), "
        "which passes a connection in; the plain `alembic` command is not configured"
    )

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    # Our SQLite engine emits its own BEGIN, so DDL is transactional there too: a failed
    # migration leaves the schema as it was.
    transactional_ddl=True,
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
