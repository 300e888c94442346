"""`tutor learner` commands: fit BKT parameters, and measure the learner model on held-out data."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Annotated

import typer

from tutor.cli.common import open_store

app = typer.Typer(
    help="The learner model: fit BKT parameters and evaluate them.", no_args_is_help=True
)

LayoutOption = Annotated[
    str | None,
    typer.Option(
        "--layout",
        help="dkt (3 lines per student) or long (one row per response); "
        "guessed from the file when left out.",
    ),
]


def _fail(message: str) -> typer.Exit:
    typer.echo(f"Error: {message}", err=True)
    return typer.Exit(code=1)


def _read(path: Path, layout: str | None):  # -> Responses (imported lazily: numpy)
    from tutor.learner.kt_data import read_responses

    if layout not in (None, "dkt", "long"):
        raise _fail(f"--layout must be dkt or long, got {layout!r}")
    if not path.is_file():
        raise _fail(f"{path}: no such file")
    try:
        return read_responses(path, layout)  # type: ignore[arg-type]
    except (ValueError, UnicodeDecodeError) as error:
        raise _fail(str(error)) from None


@app.command()
def fit(
    ctx: typer.Context,
    source: Annotated[
        Path | None, typer.Option("--from", help="Response log to fit on (see --layout).")
    ] = None,
    from_store: Annotated[
        bool,
        typer.Option(
            "--from-store",
            help="Fit on every graded attempt in the database, and "
            "save the parameters there (the online update then uses them).",
        ),
    ] = False,
    layout: LayoutOption = None,
    out: Annotated[
        Path | None, typer.Option("--out", help="Write the parameters here (JSON).")
    ] = None,
    forgetting: Annotated[
        bool,
        typer.Option(
            "--forgetting/--no-forgetting",
            help="Fit P(forget) too (the default: the live update then forgets as fitted; "
            "BKT with forgetting predicts held-out students better).",
        ),
    ] = True,
    restarts: Annotated[int, typer.Option(min=1, help="Random starts per skill.")] = 5,
    seed: Annotated[int, typer.Option(help="Seed of the random starts.")] = 0,
) -> None:
    """Fit per-skill BKT parameters by EM, from a file or from the store."""
    from tutor.learner.fit import fit_bkt
    from tutor.learner.kt_data import Responses, responses_from_rows, sequences_by_skill
    from tutor.learner.params_file import dump_params, save_params

    if (source is None) == (not from_store):
        raise _fail("give exactly one of --from FILE and --from-store")
    if from_store and layout is not None:
        raise _fail("--layout applies to --from FILE only")
    responses: Responses = (
        _read(source, layout) if source is not None else responses_from_rows(_store_rows(ctx))
    )
    if len(responses) == 0:
        raise _fail("no responses to fit on")
    start = time.perf_counter()
    params = fit_bkt(
        sequences_by_skill(responses), forgetting=forgetting, restarts=restarts, seed=seed
    )
    seconds = time.perf_counter() - start
    typer.echo(
        f"Fitted {len(params)} skills on {len(responses):,} responses of "
        f"{len(responses.students):,} students in {seconds:.1f} s"
        + (" (with forgetting)." if forgetting else ".")
    )
    if from_store:
        saved = _save_to_store(ctx, params)
        typer.echo(f"Saved the parameters of {saved} skills to the database.")
    if out is not None:
        try:
            save_params(out, params, forgetting=forgetting)
        except OSError as error:
            raise _fail(f"cannot write {out}: {error}") from None
        typer.echo(f"Wrote {out}.")
    elif not from_store:
        typer.echo(dump_params(params, forgetting=forgetting), nl=False)


def _store_rows(ctx: typer.Context) -> list[tuple[int, str, bool]]:
    import students_db as db

    try:
        with open_store(ctx) as sessions, db.read_session(sessions) as session:
            return [tuple(r) for r in db.iter_responses(session=session)]  # type: ignore[misc]
    except db.StoreError as error:
        raise _fail(str(error)) from None


def _save_to_store(ctx: typer.Context, params: dict) -> int:
    import students_db as db

    try:
        with open_store(ctx, check_schema=False) as sessions, db.write_session(sessions) as session:
            return len(db.save_skill_params(session=session, params=params, source="fit"))
    except db.StoreError as error:
        raise _fail(str(error)) from None


@app.command()
def evaluate(
    data: Annotated[
        Path | None, typer.Argument(help="Response log to cross-validate (--folds).")
    ] = None,
    train: Annotated[Path | None, typer.Option("--train", help="Fit on this file...")] = None,
    test: Annotated[Path | None, typer.Option("--test", help="...and predict this one.")] = None,
    folds: Annotated[
        int | None, typer.Option("--folds", min=2, help="K-fold by student on one file.")
    ] = None,
    layout: LayoutOption = None,
    restarts: Annotated[int, typer.Option(min=1, help="Random starts per skill.")] = 5,
    seed: Annotated[int, typer.Option(help="Seed of the folds and the random starts.")] = 0,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
) -> None:
    """Predict held-out students' responses in order; print AUC, RMSE, accuracy per model.

    Models: BKT, BKT with forgetting and the per-skill mean baseline, all fitted on the
    training students in this run and scored through the tutor's live update function
    (`bkt.update`); pyBKT's published figures are printed for comparison.
    """
    from tutor.learner.evaluate import cross_validate, evaluate_split

    start = time.perf_counter()
    if train is not None or test is not None:
        if train is None or test is None or data is not None or folds is not None:
            raise _fail("use --train FILE --test FILE, or --folds K FILE")
        results = evaluate_split(
            _read(train, layout), _read(test, layout), restarts=restarts, seed=seed
        )
        setup = f"train {train.name}, test {test.name}"
    else:
        if data is None or folds is None:
            raise _fail("use --train FILE --test FILE, or --folds K FILE")
        responses = _read(data, layout)
        try:
            results = cross_validate(responses, folds=folds, restarts=restarts, seed=seed)
        except ValueError as error:
            raise _fail(str(error)) from None
        setup = f"{folds}-fold by student on {data.name}, seed {seed}"
    elapsed = time.perf_counter() - start
    if as_json:
        typer.echo(json.dumps(_as_json(results, setup, elapsed), indent=2))
    else:
        typer.echo(_table(results, setup, elapsed))


def _as_json(results: list, setup: str, elapsed: float) -> dict:
    from dataclasses import asdict

    from tutor.learner.evaluate import REFERENCE

    return {
        "setup": setup,
        "seconds": elapsed,
        "results": [asdict(r) for r in results],
        "pybkt_reference": REFERENCE,
    }


def _table(results: list, setup: str, elapsed: float) -> str:
    from tutor.learner.evaluate import REFERENCE

    def ref(model: str, key: str) -> str:
        value = REFERENCE.get(model, {}).get(key)
        return "  -  " if value is None else f"{value:.3f}"

    def fold_range(r) -> str:
        aucs = [f.auc for f in r.folds]
        return "-" if len(aucs) < 2 else f"{min(aucs):.3f}-{max(aucs):.3f}"

    def pooled(r) -> str:
        p = r.pooled
        return "    -      -" if p is None or len(r.folds) < 2 else f"{p.auc:>7.3f}{p.rmse:>7.3f}"

    lines = [
        f"Learner model evaluation: {setup}; {results[0].scores.n:,} predicted responses",
        f"{'model':<16}{'AUC':>7}{'RMSE':>7}{'acc':>7}{'skill AUC':>11}{'fold AUCs':>13}"
        f"{'pooled AUC':>12}{'RMSE':>7}{'fit s':>7}   | pyBKT ref AUC  RMSE  skill AUC",
    ]
    for r in results:
        s = r.scores
        lines.append(
            f"{r.model:<16}{s.auc:>7.3f}{s.rmse:>7.3f}{s.accuracy:>7.3f}"
            f"{s.within_skill_auc:>11.3f}{fold_range(r):>13}{pooled(r):>19}{r.fit_seconds:>7.1f}"
            f"   |         {ref(r.model, 'auc')} {ref(r.model, 'rmse')}"
            f"  {ref(r.model, 'within_skill_auc')}"
        )
    lines.append(
        "Each fold is scored over all its responses (as pyBKT's reference is on its one split); "
        "AUC, RMSE, acc, skill AUC are means over folds, fold AUCs their range; pooled scores "
        "all folds' predictions together. skill AUC: macro mean of within-skill AUCs; fit s: "
        "mean time of one fit."
    )
    lines.append(
        "BKT rows are predicted by bkt.predict_correct and bkt.update, the functions the tutor "
        "calls on every answer, with each model's fitted parameters (forgetting included)."
    )
    lines.append(
        "pyBKT reference: pyBKT 1.4.3 on the ASSISTments DKT split, its own held-out students. "
        f"Total {elapsed:.1f} s."
    )
    return "\n".join(lines)
