"""The engine factory and the two kinds of transaction the app uses.

SQLite (the default) gets WAL, foreign keys and a busy timeout on every connection. pysqlite's
own transaction handling is switched off (`isolation_level=None`) and we emit BEGIN ourselves,
because only then can a write transaction take the write lock up front (`BEGIN IMMEDIATE`): a
deferred transaction that reads and then writes fails at once with "database is locked" when
another writer committed in between, whatever the busy timeout. Read transactions use a plain
BEGIN, so dashboards and history views run alongside writers.

Commits leave fsync and checkpoints to a background thread. SQLite's automatic checkpoint
runs inside whichever commit pushes the WAL past 1,000 pages, copying them into the database
file and fsyncing it there and then, and `synchronous=FULL` fsyncs the WAL in every commit:
on a large database with random students those were the record-an-attempt tail (p99 15 ms
against a 1.8 ms median; this disk's own fsync p99 is ~4 ms). A file database's connections
therefore run `synchronous=NORMAL` with `wal_autocheckpoint=0`, and a thread per engine, every
`CHECKPOINT_EVERY_S`, fsyncs the WAL file and runs a PASSIVE checkpoint (never waits for, nor
blocks, readers and writers; one with nothing to copy costs a read of the WAL index).
`journal_size_limit` trims a WAL that grew in a burst.

What that keeps and what it gives up: a commit has written its WAL frames to the operating
system before the app acknowledges the answer, so an acknowledged answer survives SIGKILL, a
crash of the app or of its server process (`benchmarks/crash.py`); after a crash SQLite replays
the WAL on open. A power cut or kernel crash may lose the answers acknowledged in the last
`CHECKPOINT_EVERY_S` (half a second) before it, never more than that unless the disk stalls,
and never leaves a torn database (the WAL's checksums end replay at the last whole commit).
Tools that build an engine with `background_checkpoints=False` keep `synchronous=FULL`.

PostgreSQL (`postgresql+psycopg://...`) runs the same code; its row locks need no such care.

Nothing is created at import time: `make_engine(url)` is called at the edge.
"""

from __future__ import annotations

import fcntl
import hashlib
import logging
import os
import sqlite3
import threading
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from students_db.errors import StoreBusy, StoreFull

BUSY_TIMEOUT_S = 15.0
# Execution option that marks a connection's transactions as writes (BEGIN IMMEDIATE).
WRITE_OPTION = "students_db_write"
# Key in `Session.info` telling query functions that they run in a write transaction.
WRITE_INFO = "students_db.write"
CHECKPOINT_EVERY_S = 0.5  # how often the checkpoint thread fsyncs the WAL and copies it over
WAL_SIZE_LIMIT = 64 * 2**20  # bytes a WAL file is trimmed back to after a checkpoint
log = logging.getLogger(__name__)
_BUSY_MARKERS = ("database is locked", "database is busy", "database table is locked")
# PostgreSQL: serialization failure, deadlock, lock not available.
_BUSY_PGCODES = {"40001", "40P01", "55P03"}


def make_engine(
    url: str,
    *,
    busy_timeout_s: float = BUSY_TIMEOUT_S,
    background_checkpoints: bool = True,
    **kwargs: Any,
) -> Engine:
    """An engine for `url`, set up for our transactions; SQLite or PostgreSQL alike.

    `background_checkpoints=False` keeps SQLite's checkpoints in the commits (tools that
    write a few rows and exit)."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(
            url,
            busy_timeout_s=busy_timeout_s,
            background=background_checkpoints and not _is_memory(url),
            **kwargs,
        )
    kwargs.setdefault("pool_pre_ping", True)
    return create_engine(url, **kwargs)


def _sqlite_engine(url: str, *, busy_timeout_s: float, background: bool, **kwargs: Any) -> Engine:
    connect_args = {"timeout": busy_timeout_s, **kwargs.pop("connect_args", {})}
    engine = create_engine(url, connect_args=connect_args, **kwargs)
    timeout_ms = int(busy_timeout_s * 1000)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we emit BEGIN ourselves, below
        cursor = dbapi_connection.cursor()
        try:
            if not _is_memory(url):
                cursor.execute("PRAGMA journal_mode=WAL")
            # NORMAL only where the checkpoint thread fsyncs the WAL every CHECKPOINT_EVERY_S.
            cursor.execute(f"PRAGMA synchronous={'NORMAL' if background else 'FULL'}")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute(f"PRAGMA busy_timeout={timeout_ms}")
            if background:
                cursor.execute("PRAGMA wal_autocheckpoint=0")  # the checkpoint thread does it
                cursor.execute(f"PRAGMA journal_size_limit={WAL_SIZE_LIMIT}")
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        writes = connection.get_execution_options().get(WRITE_OPTION, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if writes else "BEGIN")

    if background:
        _start_checkpointer(engine, make_url(url).database or "", busy_timeout_s)
    return engine


def _start_checkpointer(engine: Engine, path: str, busy_timeout_s: float) -> None:
    """A daemon thread that checkpoints `path`'s WAL while `engine` lives (it holds only a
    weak reference and stops once the engine is collected)."""
    stop = threading.Event()
    alive = weakref.ref(engine)
    wal = f"{path}-wal"

    def run() -> None:
        while not stop.wait(CHECKPOINT_EVERY_S) and alive() is not None:
            if not os.path.exists(wal):
                continue  # nothing written yet (or the database is gone)
            try:
                fsync_path(wal)  # the durability bound of synchronous=NORMAL: see the module doc
                # A connection per round, never held: when the app closes its last one,
                # SQLite must still see it as the last and fold the WAL into the file.
                conn = sqlite3.connect(path, timeout=busy_timeout_s, isolation_level=None)
                try:
                    conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
                finally:
                    conn.close()
            except (sqlite3.Error, OSError) as error:  # say so, and try again next round
                log.warning("WAL checkpoint of %s failed: %s", path, error)

    threading.Thread(target=run, name="sqlite-checkpoint", daemon=True).start()


def fsync_path(path: str | os.PathLike[str]) -> None:
    """Flush a file's (or a folder's) written pages to the disk, whoever wrote them: the page
    cache is the file's. A path deleted meanwhile is skipped; other errors are raised."""
    try:
        descriptor = os.open(path, os.O_RDONLY)
    except FileNotFoundError:
        return
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _is_memory(url: str) -> bool:
    database = make_url(url).database
    return not database or database == ":memory:"


@dataclass(frozen=True)
class SessionFactory:
    """Makes read and write sessions on one engine (one pool, two transaction kinds)."""

    engine: Engine
    reader: sessionmaker[Session]
    writer: sessionmaker[Session]


def make_session_factory(engine: Engine) -> SessionFactory:
    """Session makers for `read_session` and `write_session`, sharing the engine's pool."""
    write_engine = engine.execution_options(**{WRITE_OPTION: True})
    return SessionFactory(
        engine=engine,
        reader=sessionmaker(bind=engine, expire_on_commit=False, info={WRITE_INFO: False}),
        writer=sessionmaker(bind=write_engine, expire_on_commit=False, info={WRITE_INFO: True}),
    )


@contextmanager
def write_session(factory: SessionFactory) -> Iterator[Session]:
    """A short write transaction: write lock taken at BEGIN, committed on success.

    Raises `StoreBusy` (retryable; nothing saved) when the lock stays taken past the timeout.
    Never hold one open across model generation.
    """
    with _translated_errors(), factory.writer() as session, session.begin():
        yield session


@contextmanager
def read_session(factory: SessionFactory) -> Iterator[Session]:
    """A read-only transaction (plain BEGIN): runs alongside writers on SQLite's WAL."""
    with _translated_errors(), factory.reader() as session:
        try:
            yield session
        finally:
            session.rollback()


def is_write_session(session: Session) -> bool:
    """Whether `session` came from `write_session` (functions that write check this)."""
    return bool(session.info.get(WRITE_INFO, False))


@contextmanager
def _translated_errors() -> Iterator[None]:
    """Turn the driver's "locked" and "full" into our two errors a caller can act on."""
    try:
        yield
    except DBAPIError as error:
        first_line = str(error.orig).splitlines()[0] if str(error.orig) else repr(error.orig)
        if _is_busy(error):
            raise StoreBusy(first_line) from error
        if _is_full(error):
            raise StoreFull(first_line) from error
        raise


def _is_full(error: DBAPIError) -> bool:
    """SQLite's SQLITE_FULL, or PostgreSQL's disk_full (53100)."""
    if isinstance(error, OperationalError) and "database or disk is full" in str(error.orig):
        return True
    return getattr(error.orig, "sqlstate", None) == "53100"


def _is_busy(error: DBAPIError) -> bool:
    if isinstance(error, OperationalError):
        text = str(error.orig).lower()
        if any(marker in text for marker in _BUSY_MARKERS):
            return True
    return getattr(error.orig, "sqlstate", None) in _BUSY_PGCODES


@contextmanager
def run_once(engine: Engine, job: str) -> Iterator[bool]:
    """Whether this process may run `job` now: True for exactly one process at a time among
    all that share the database (app replicas, cron on every machine), False for the others.

    PostgreSQL: a session advisory lock (`pg_try_advisory_lock`), held on one pooled
    connection for the block and released after it (or by the server if the process dies).
    SQLite (one machine by design): an exclusive `flock` on a file beside the database.
    """
    if engine.dialect.name == "postgresql":
        key = int.from_bytes(hashlib.sha256(job.encode()).digest()[:8], "big", signed=True)
        with engine.connect() as connection:
            won = bool(
                connection.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": key}).scalar()
            )
            connection.commit()
            try:
                yield won
            finally:
                if won:
                    connection.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": key})
                    connection.commit()
        return
    database = make_url(str(engine.url)).database
    if not database or database == ":memory:":
        yield True  # a private in-memory database: nobody else can run it
        return
    with open(f"{database}.{job}.lock", "a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
