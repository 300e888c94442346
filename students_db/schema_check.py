"""Refuse to serve on a database whose schema is not the code's: the app and the CLI call
`ensure_schema_current(engine)` before anything else touches the store."""

from __future__ import annotations

from sqlalchemy import Engine

from students_db.errors import SchemaOutOfDate
from students_db.migrate import current_revision, head_revision, known_revisions

UPGRADE_COMMAND = "tutor db upgrade"


def ensure_schema_current(engine: Engine) -> str:
    """Return the head revision, or raise `SchemaOutOfDate` saying what to do."""
    where = engine.url.render_as_string(hide_password=True)
    current = current_revision(engine)
    head = head_revision()
    if current == head:
        return head
    if current is None:
        raise SchemaOutOfDate(
            f"database at {where} has no schema yet (revision none), head is {head}: "
            f"run `{UPGRADE_COMMAND}`"
        )
    if current not in known_revisions():
        raise SchemaOutOfDate(
            f"database at {where} is at revision {current}, which this code does not know "
            f"(head is {head}): it was migrated by a newer version; upgrade the code"
        )
    raise SchemaOutOfDate(
        f"database at {where} is at revision {current}, head is {head}: run `{UPGRADE_COMMAND}`"
    )
