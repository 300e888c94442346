"""Login throttling: five wrong secrets lock a name for 15 minutes, ten tries a minute at most,
unknown names lock the same way, a success clears the count, parallel guesses cannot outrun it."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from argon2 import PasswordHasher

import students_db as db
from tests import test_tutor_fixtures
from tutor import accounts

sessions = test_tutor_fixtures.sessions  # the shared fixture

T0 = datetime(2026, 5, 1, 9, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def cheap_hashes(monkeypatch: pytest.MonkeyPatch) -> None:
    """Argon2 at its lowest cost: these tests count attempts, not hashing strength."""
    cheap = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    monkeypatch.setattr(accounts, "_hasher", lambda: cheap)
    monkeypatch.setattr(accounts, "_DECOY_HASH", cheap.hash("nobody knows this"))


@pytest.fixture
def pupil(sessions: db.SessionFactory) -> tuple[str, str]:
    """("CODE/name", PIN) of a real student with an argon2-hashed PIN."""
    teacher = accounts.create_teacher(sessions=sessions, username="smith", password="longpassword")
    room = accounts.create_class(sessions=sessions, teacher_id=teacher.id, name="5A")
    ((login, pin),) = accounts.add_students(
        sessions=sessions, teacher_id=teacher.id, classroom_id=room.id, names=["Ada"]
    )
    return f"{room.join_code}/{login}", pin


def _login(sessions: db.SessionFactory, user: str, secret: str, at: datetime) -> bool:
    found = accounts.authenticate(sessions=sessions, username=user, password=secret, now=at)
    return found is not None


def test_five_failures_lock_the_name_for_fifteen_minutes(
    sessions: db.SessionFactory, pupil: tuple[str, str]
) -> None:
    user, pin = pupil
    wrong = "000000" if pin != "000000" else "111111"
    for i in range(accounts.LOCKOUT_FAILURES):
        assert not _login(sessions, user, wrong, T0 + timedelta(seconds=i))
    locked_at = T0 + timedelta(seconds=10)
    assert not _login(sessions, user, pin, locked_at)  # the right PIN, but locked
    assert accounts.login_lock(sessions=sessions, username=user, now=locked_at) is not None
    # The same name typed another way is the same lock.
    code, name = user.split("/")
    assert not _login(sessions, f"{code.lower()} {name.upper()}", pin, locked_at)
    just_before = T0 + timedelta(seconds=4) + accounts.LOCKOUT_DURATION - timedelta(seconds=1)
    assert not _login(sessions, user, pin, just_before)
    after = T0 + timedelta(seconds=4) + accounts.LOCKOUT_DURATION
    assert _login(sessions, user, pin, after)
    assert accounts.login_lock(sessions=sessions, username=user, now=after) is None


def test_a_success_clears_the_consecutive_failures(
    sessions: db.SessionFactory, pupil: tuple[str, str]
) -> None:
    user, pin = pupil
    wrong = "000000" if pin != "000000" else "111111"
    moment = T0
    for _ in range(3):  # 4 failures, a success, 4 failures: never 5 in a row
        for _ in range(4):
            moment += timedelta(seconds=20)
            assert not _login(sessions, user, wrong, moment)
        moment += timedelta(seconds=20)
        assert _login(sessions, user, pin, moment)
    with db.read_session(sessions) as session:
        record = db.login_attempts_of(session=session, username_key=accounts.login_key(user))
    assert record is not None and record.failures == 0 and record.locked_until is None


def test_unknown_names_and_teachers_lock_the_same_way(sessions: db.SessionFactory) -> None:
    accounts.create_teacher(sessions=sessions, username="jones", password="longpassword")
    for user, secret in [("NOSUCH12/nobody", "123456"), ("ghost", "whatever"), ("jones", "x")]:
        for i in range(accounts.LOCKOUT_FAILURES):
            assert not _login(sessions, user, secret, T0 + timedelta(seconds=i))
        assert accounts.login_lock(sessions=sessions, username=user, now=T0) is not None
    assert not _login(sessions, "jones", "longpassword", T0 + timedelta(minutes=1))
    assert _login(sessions, "jones", "longpassword", T0 + timedelta(minutes=16))


def test_at_most_ten_tries_a_minute_even_when_they_succeed(
    sessions: db.SessionFactory, pupil: tuple[str, str]
) -> None:
    user, pin = pupil
    for i in range(accounts.RATE_LIMIT_ATTEMPTS):
        assert _login(sessions, user, pin, T0 + timedelta(seconds=i))
    assert not _login(sessions, user, pin, T0 + timedelta(seconds=30))
    assert _login(sessions, user, pin, T0 + accounts.RATE_LIMIT_WINDOW)


def test_parallel_guesses_get_at_most_five_password_checks(
    sessions: db.SessionFactory, pupil: tuple[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    user, _ = pupil
    checked = []
    real_verify = accounts.verify_secret

    def counting(secret_hash: str, secret: str) -> bool:
        checked.append(secret)
        return real_verify(secret_hash, secret)

    monkeypatch.setattr(accounts, "verify_secret", counting)
    results: list[bool] = []
    guesses = [f"{n:06d}" for n in range(12)]
    threads = [
        threading.Thread(target=lambda g=g: results.append(_login(sessions, user, g, T0)))
        for g in guesses
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == len(guesses)
    assert len(checked) <= accounts.LOCKOUT_FAILURES


def test_stale_counters_are_purged_but_live_locks_stay(sessions: db.SessionFactory) -> None:
    for i in range(accounts.LOCKOUT_FAILURES):
        _login(sessions, "locked", "x", T0 + timedelta(seconds=i))
    _login(sessions, "stale", "x", T0 - timedelta(days=2))
    with db.write_session(sessions) as session:
        purged = db.purge_login_attempts(session=session, before=T0 - timedelta(days=1))
    assert purged == 1
    assert accounts.login_lock(sessions=sessions, username="locked", now=T0) is not None


def test_each_failure_says_what_happened_and_unknown_names_read_the_same(
    sessions: db.SessionFactory, pupil: tuple[str, str]
) -> None:
    """What the login page shows per attempt (tutor.ui.login_page.refusal_text): wrong, then
    tries left, then locked with how long and who unlocks; a name nobody has reads alike."""
    from tutor.ui.login_page import UNLOCK, WRONG, refusal_text

    user, pin = pupil
    code, _name = user.split("/")
    wrong = "000000" if pin != "000000" else "111111"
    said: dict[str, list[str]] = {user: [], f"{code}/nobody.here": []}
    for name, words in said.items():
        for i in range(accounts.LOCKOUT_FAILURES + 1):
            at = T0 + timedelta(seconds=i)
            assert not accounts.log_in(
                sessions=sessions, username=name, password=wrong, now=at, client="10.0.0.7"
            )
            refusal = accounts.login_refusal(
                sessions=sessions, username=name, client="10.0.0.7", now=at
            )
            words.append(refusal_text(refusal, now=at))
    real, unknown = said.values()
    assert real == unknown
    assert real[0] == WRONG
    assert real[2] == f"{WRONG} 2 more wrong tries will lock this login for 15 minutes."
    assert real[3] == f"{WRONG} 1 more wrong try will lock this login for 15 minutes."
    locked = f"This login is locked for 15 more minutes after too many wrong tries. {UNLOCK}"
    assert real[4] == locked and real[5] == locked
    # From another address the name is not locked (the per-client budget), and says so.
    elsewhere = accounts.login_refusal(sessions=sessions, username=user, client="10.0.0.8", now=T0)
    assert refusal_text(elsewhere, now=T0) == WRONG
