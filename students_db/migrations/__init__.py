"""Alembic migrations of the store; run them with `tutor db upgrade` (see `students_db.migrate`)."""
