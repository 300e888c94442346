"""Accounts: argon2 hashes only, generated PINs shown once, logins for both roles."""

from __future__ import annotations

import pytest
from sqlalchemy import select

import students_db as db
from students_db import models
from tests import test_tutor_fixtures
from tutor import accounts

sessions = test_tutor_fixtures.sessions  # the shared fixture


def test_hash_and_verify_round_trip() -> None:
    hashed = accounts.hash_secret("correct horse")
    assert hashed.startswith("$argon2id$") and "correct horse" not in hashed
    assert accounts.verify_secret(hashed, "correct horse")
    assert not accounts.verify_secret(hashed, "wrong horse")
    assert not accounts.verify_secret("not a hash", "correct horse")
    assert not accounts.verify_secret(hashed, "")
    with pytest.raises(ValueError):
        accounts.hash_secret("")


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("ABCD2345/ada", ("ABCD2345", "ada")),
        ("abcd2345 Ada", ("abcd2345", "ada")),
        ("  ABCD-2345 / Ada Lovelace ", ("ABCD-2345", "ada.lovelace")),
        ("justaname", None),
    ],
)
def test_student_usernames(typed: str, expected: tuple[str, str] | None) -> None:
    assert accounts.split_student_username(typed) == expected


def test_teacher_and_students_log_in(sessions: db.SessionFactory) -> None:
    teacher = accounts.create_teacher(
        sessions=sessions, username="Smith", password="s3cret-pass", display_name="Ms Smith"
    )
    with pytest.raises(ValueError, match="at least 8"):
        accounts.create_teacher(sessions=sessions, username="short", password="123")
    klass = accounts.create_class(sessions=sessions, teacher_id=teacher.id, name="5A")
    issued = accounts.add_students(
        sessions=sessions, teacher_id=teacher.id, classroom_id=klass.id, names=["Ada", "Alan T"]
    )
    assert [login for login, _ in issued] == ["ada", "alan.t"]
    assert all(len(pin) == 6 and pin.isdigit() for _, pin in issued)

    with db.read_session(sessions) as s:
        stored = list(s.scalars(select(models.Student.pin_hash)))
    assert all(h.startswith("$argon2id$") for h in stored)
    assert not any(pin in h for h in stored for _, pin in issued)

    who = accounts.authenticate(sessions=sessions, username="smith", password="s3cret-pass")
    assert who == accounts.Identity("teacher", teacher.id, "smith")
    assert accounts.authenticate(sessions=sessions, username="smith", password="nope1234") is None

    (ada, ada_pin), (alan, alan_pin) = issued
    me = accounts.authenticate(
        sessions=sessions, username=f"{klass.join_code}/Ada", password=ada_pin
    )
    assert me is not None and me.role == "student" and me.display == "ada"
    spaced = f"{klass.join_code.lower()} alan t"
    assert accounts.authenticate(sessions=sessions, username=spaced, password=alan_pin) is not None
    assert (
        accounts.authenticate(
            sessions=sessions, username=f"{klass.join_code}/ada", password=alan_pin
        )
        is None
    )
    assert (
        accounts.authenticate(sessions=sessions, username="NOCODE00/ada", password=ada_pin) is None
    )
    assert accounts.authenticate(sessions=sessions, username="nobody", password="whatever1") is None


def test_adding_students_to_another_teachers_class_creates_nothing(
    sessions: db.SessionFactory,
) -> None:
    smith = accounts.create_teacher(sessions=sessions, username="smith", password="s3cret-pass")
    jones = accounts.create_teacher(sessions=sessions, username="jones", password="s3cret-pass")
    theirs = accounts.create_class(sessions=sessions, teacher_id=jones.id, name="5B")
    with pytest.raises(PermissionError):
        accounts.add_students(
            sessions=sessions, teacher_id=smith.id, classroom_id=theirs.id, names=["Eve"]
        )
    with db.read_session(sessions) as s:
        assert s.scalar(select(models.Student.id)) is None
    made = accounts.add_students(
        sessions=sessions, teacher_id=jones.id, classroom_id=theirs.id, names=["Al", "al", "李明"]
    )
    assert [login for login, _ in made] == ["al", "al.2", "student.1"]


def test_a_second_batch_never_collides_with_the_class_logins(sessions: db.SessionFactory) -> None:
    """One path for every caller: a later batch (the demo's, the CLI's or the teacher view's)
    gets logins the class does not have yet, and the student who had "ada" keeps it."""
    teacher = accounts.create_teacher(sessions=sessions, username="mills", password="s3cret-pass")
    room = accounts.create_class(sessions=sessions, teacher_id=teacher.id, name="6C")
    ((first, first_pin),) = accounts.add_students(
        sessions=sessions, teacher_id=teacher.id, classroom_id=room.id, names=["Ada"]
    )
    again = accounts.add_students(
        sessions=sessions, teacher_id=teacher.id, classroom_id=room.id, names=["Ada", "ADA", "Bo"]
    )
    assert first == "ada"
    assert [login for login, _ in again] == ["ada.2", "ada.3", "bo"]
    who = accounts.authenticate(
        sessions=sessions, username=f"{room.join_code}/ada", password=first_pin
    )
    assert who is not None and who.role == "student"
    second = accounts.authenticate(
        sessions=sessions, username=f"{room.join_code}/ada.2", password=again[0][1]
    )
    assert second is not None and second.id != who.id


def test_hash_secrets_keeps_order_and_each_verifies() -> None:
    pins = ["111111", "222222", "333333", "444444", "555555"]
    hashes = accounts.hash_secrets(pins)
    assert len(set(hashes)) == len(pins)  # salted: no two alike
    assert all(accounts.verify_secret(h, pin) for h, pin in zip(hashes, pins, strict=True))
    assert not accounts.verify_secret(hashes[0], pins[1])
