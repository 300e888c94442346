"""What can go wrong in the store, as exceptions the rest of the app can act on.

Callers catch `StoreBusy` to show a friendly "try again" (it is retryable: nothing was
written), and `SchemaOutOfDate` at start-up to refuse to serve on an old schema.
"""

from __future__ import annotations


class StoreError(Exception):
    """Base class: every error this package raises on purpose."""


class StoreBusy(StoreError):
    """The database stayed locked past the busy timeout; the transaction was rolled back.

    Retryable: nothing of the transaction was kept, so running it again is safe.
    """

    def __init__(self, detail: str = "") -> None:
        message = "the database is busy right now; nothing was saved, please try again"
        super().__init__(f"{message} ({detail})" if detail else message)


class SchemaOutOfDate(StoreError):
    """The database's migration revision is not the code's head: serving would corrupt data."""


class NotFound(StoreError):
    """A row that a write needs (a student, a chat session, a message) does not exist."""


class InvalidInput(StoreError, ValueError):
    """A value the schema cannot hold (an unknown kind, a probability outside [0, 1])."""


class StoreFull(StoreError):
    """The disk (or the database's size limit) is full; the transaction was rolled back.

    Nothing of it was kept; retrying helps only once space was freed.
    """

    def __init__(self, detail: str = "") -> None:
        message = "the database's disk is full; nothing was saved"
        super().__init__(f"{message} ({detail})" if detail else message)
