"""The learner store: SQLAlchemy models, engine factory, Alembic migrations, query functions.

Frozen dataclasses are what leaves this package; no ORM object does.
"""
