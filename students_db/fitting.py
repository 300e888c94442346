"""What fitting BKT reads and writes: the graded responses and the fitted parameters per skill.

Parameters come in as any object (or mapping) with p_init/p_learn/p_guess/p_slip/p_forget,
so this package needs nothing from `tutor` (it may not import it).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, cast

from sqlalchemy import Table, select
from sqlalchemy.orm import Session

from students_db import models
from students_db._common import insert_for, require_probability, require_write
from students_db.records import Response, SkillParamsRecord
from students_db.timestamps import utcnow

PARAM_NAMES = ("p_init", "p_learn", "p_guess", "p_slip", "p_forget")
_SKILL_PARAMS = cast(Table, models.SkillParams.__table__)  # a Table: typed for insert()
_ATTEMPTS = cast(Table, models.Attempt.__table__)


def _param(params: object, name: str) -> float:
    value = (
        params.get(name, 0.0 if name == "p_forget" else None)
        if isinstance(params, Mapping)
        else getattr(params, name, 0.0 if name == "p_forget" else None)
    )
    return require_probability(name, value)


def save_skill_params(
    *, session: Session, params: Mapping[str, object], source: str = "fit"
) -> list[SkillParamsRecord]:
    """Create or replace the parameters of each skill in `params` (skill key -> parameters)."""
    require_write(session, "save_skill_params")
    now = utcnow()
    saved: list[SkillParamsRecord] = []
    for skill_key, skill_params in sorted(params.items()):
        values = {name: _param(skill_params, name) for name in PARAM_NAMES}
        statement = insert_for(session, _SKILL_PARAMS).values(
            skill_key=skill_key, fitted_at=now, source=source, **values
        )
        statement = statement.on_conflict_do_update(
            index_elements=["skill_key"], set_={**values, "fitted_at": now, "source": source}
        ).returning(*_SKILL_PARAMS.c)
        saved.append(_params_record(session.execute(statement).one()))
    return saved


def load_skill_params(*, session: Session) -> dict[str, SkillParamsRecord]:
    rows = session.execute(select(*_SKILL_PARAMS.c).order_by(_SKILL_PARAMS.c.skill_key))
    return {row.skill_key: _params_record(row) for row in rows}


def _params_record(row: Any) -> SkillParamsRecord:
    return SkillParamsRecord(
        skill_key=row.skill_key,
        p_init=row.p_init,
        p_learn=row.p_learn,
        p_guess=row.p_guess,
        p_slip=row.p_slip,
        p_forget=row.p_forget,
        fitted_at=row.fitted_at,
        source=row.source,
    )


def iter_responses(
    *, session: Session, kind: str | None = None, batch_size: int = 10_000
) -> Iterator[Response]:
    """Every graded attempt as (student_id, skill_key, correct), ordered by student, skill and
    time (the order BKT's sequences need), streamed in batches rather than loaded whole.

    `correct` is the outcome as the learner model counts it, as the live update does: a right
    answer given after help (`hints_used` > 0: a hint or a worked example) is a failure."""
    query = select(
        _ATTEMPTS.c.student_id,
        _ATTEMPTS.c.skill_key,
        _ATTEMPTS.c.correct & (_ATTEMPTS.c.hints_used == 0),
    )
    if kind is not None:
        query = query.where(_ATTEMPTS.c.kind == kind)
    query = query.order_by(
        _ATTEMPTS.c.student_id, _ATTEMPTS.c.skill_key, _ATTEMPTS.c.created_at, _ATTEMPTS.c.id
    ).execution_options(yield_per=batch_size)
    for student_id, skill_key, correct in session.execute(query):
        yield Response(student_id=student_id, skill_key=skill_key, correct=bool(correct))
