"""How well the learner model predicts held-out students, measured like pyBKT's figures.

Protocol: fit on the training students only; for each test student and skill, predict each
response from the responses before it on that skill (the filtered state), never from the one
being predicted, with the tutor's own live update (`bkt.update`, the function a turn calls);
score a split over all its held-out responses pooled (one AUC over every response of every
skill, as pyBKT's reference does). Over k folds, the folds' scores are
averaged, and all folds pooled are scored too. The baseline predicts each skill's mean
correctness on the training students. All models are measured in the same run, on the same
predictions, so their differences mean something.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from tutor.learner.bkt import predict_correct, update
from tutor.learner.fit import SkillSequences, fit_bkt
from tutor.learner.hmm import build_layout
from tutor.learner.kt_data import Responses, sequences_by_skill, student_folds
from tutor.learner.metrics import accuracy, auc, rmse, within_group_auc
from tutor.learner.params import BktParams

MODELS = ("BKT", "BKT+forget", "per-skill mean")

REFERENCE = {
    "BKT": {"auc": 0.760, "rmse": 0.415, "within_skill_auc": 0.67},
    "BKT+forget": {"auc": 0.826, "rmse": 0.389},
    "per-skill mean": {"auc": 0.617, "rmse": 0.454},
}
"""pyBKT 1.4.3 on the ASSISTments 2009 split released with Deep Knowledge Tracing, on its own
held-out students, which are not in the training file we cross-validate. Our EM, prediction
order, initialisation and bounds were checked against pyBKT's source and give the same model;
a fold's AUC still moves by several hundredths with the students it holds out (students with
hundreds of responses on a skill are predicted at AUC ~0.98), so compare with the fold range."""


@dataclass(frozen=True)
class Scores:
    auc: float
    rmse: float
    accuracy: float
    within_skill_auc: float
    n: int


@dataclass(frozen=True)
class ModelResult:
    """A model's scores: the mean of the folds' own scores, each fold's, and all pooled.

    `scores` is the mean over folds: each fold is one train/test split scored over all its
    held-out responses, which is how pyBKT's reference figures were measured on their one
    split. `pooled` scores every fold's predictions together instead; it mixes predictions of
    different fitted models, which for the per-skill mean turns fold-to-fold differences into
    a spurious within-skill ranking (its within-skill AUC drops below 0.5). `folds` shows how
    much the figure depends on which students are held out: on ASSISTments a few students
    with hundreds of responses on one skill carry a large share of a fold's responses.
    """

    model: str
    scores: Scores
    fit_seconds: float  # mean over the fits this result pools
    folds: tuple[Scores, ...] = ()
    pooled: Scores | None = None


@dataclass(frozen=True)
class Predictions:
    """Per held-out response: its skill, its outcome, and each model's P(correct)."""

    skill: np.ndarray
    correct: np.ndarray
    by_model: Mapping[str, np.ndarray]


def score(correct: np.ndarray, predicted: np.ndarray, skill: np.ndarray) -> Scores:
    return Scores(
        auc=auc(correct, predicted),
        rmse=rmse(correct, predicted),
        accuracy=accuracy(correct, predicted),
        within_skill_auc=within_group_auc(correct, predicted, skill),
        n=len(correct),
    )


def predict_in_order(
    sequences: SkillSequences, params: Mapping[str, BktParams], *, default: BktParams
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(skill, correct, P(correct)) for every response, each predicted from the ones before it.

    Scored through the tutor's own functions: `bkt.predict_correct` before each response and
    `bkt.update` after it, stepped over all of a skill's held-out sequences at once (the
    time-major layout of `hmm.build_layout`). So the figures are those of the update the
    tutor runs live, with no floor or shortcut of the fitting code. A skill with no fitted
    parameters (absent from training) uses `default`.
    """
    skills: list[str] = []
    corrects: list[np.ndarray] = []
    predictions: list[np.ndarray] = []
    for key in sorted(k for k, v in sequences.items() if len(v)):
        seqs = [np.asarray(s) for s in sequences[key] if len(s)]
        if not seqs:
            continue
        skill_params = params.get(key, default)
        layout = build_layout(seqs)
        predicted = np.empty_like(layout.obs)
        p = np.full(layout.n_rows, skill_params.p_init, dtype=np.float64)
        for t in range(layout.n_steps):
            a, b = layout.steps[t], layout.steps[t + 1]
            k = b - a  # the k longest sequences are still going at step t
            predicted[a:b] = predict_correct(p[:k], skill_params)
            p[:k] = update(p[:k], layout.obs[a:b] > 0.5, skill_params)
        skills.extend([key] * len(layout.obs))
        corrects.append(layout.obs.astype(bool))
        predictions.append(predicted)
    if not predictions:
        return np.asarray([], dtype=str), np.asarray([], dtype=bool), np.asarray([])
    return np.asarray(skills), np.concatenate(corrects), np.concatenate(predictions)


def skill_means(responses: Responses) -> tuple[dict[str, float], float]:
    """Each skill's mean correctness, and the overall mean for skills never seen."""
    skills, inverse = np.unique(responses.skill, return_inverse=True)
    totals = np.bincount(inverse, weights=responses.correct.astype(float))
    counts = np.bincount(inverse)
    return dict(zip(skills.tolist(), (totals / counts).tolist(), strict=True)), float(
        responses.correct.mean()
    )


def predict_split(
    train: Responses, test: Responses, *, restarts: int = 5, seed: int = 0
) -> tuple[Predictions, dict[str, float]]:
    """Fit every model on `train`, predict `test`; also returns each model's fit seconds."""
    train_seqs = sequences_by_skill(train)
    test_seqs = sequences_by_skill(test)
    by_model: dict[str, np.ndarray] = {}
    seconds: dict[str, float] = {}
    skill = correct = np.empty(0)
    for name, forgetting in (("BKT", False), ("BKT+forget", True)):
        start = time.perf_counter()
        params = fit_bkt(train_seqs, forgetting=forgetting, restarts=restarts, seed=seed)
        seconds[name] = time.perf_counter() - start
        skill, correct, by_model[name] = predict_in_order(test_seqs, params, default=BktParams())
    start = time.perf_counter()
    means, overall = skill_means(train)
    seconds["per-skill mean"] = time.perf_counter() - start
    by_model["per-skill mean"] = np.array([means.get(str(s), overall) for s in skill.tolist()])
    return Predictions(skill=skill, correct=correct, by_model=by_model), seconds


def evaluate_split(
    train: Responses, test: Responses, *, restarts: int = 5, seed: int = 0
) -> list[ModelResult]:
    """Scores of every model fitted on `train` and tested on `test`."""
    preds, seconds = predict_split(train, test, restarts=restarts, seed=seed)
    return fold_results([preds], [seconds])


def cross_validate(
    responses: Responses, *, folds: int, restarts: int = 5, seed: int = 0
) -> list[ModelResult]:
    """K folds by student: every student is predicted once, by models that never saw them.

    Each fold is scored on its own and the scores averaged (see `ModelResult`); the scores
    of all folds' predictions pooled come with them.
    """
    preds: list[Predictions] = []
    seconds: list[dict[str, float]] = []
    for test_students in student_folds(responses, k=folds, seed=seed):
        test = responses.select_students(test_students)
        train_students = np.setdiff1d(responses.students, test_students)
        train = responses.select_students(train_students)
        p, s = predict_split(train, test, restarts=restarts, seed=seed)
        preds.append(p)
        seconds.append(s)
    return fold_results(preds, seconds)


def fold_results(
    preds: Sequence[Predictions], seconds: Sequence[dict[str, float]]
) -> list[ModelResult]:
    """Each model's scores per fold, their mean, and the scores of all folds pooled."""
    results = []
    for name in MODELS:
        per_fold = tuple(score(p.correct, p.by_model[name], p.skill) for p in preds)
        results.append(
            ModelResult(
                model=name,
                scores=Scores(
                    auc=float(np.mean([s.auc for s in per_fold])),
                    rmse=float(np.mean([s.rmse for s in per_fold])),
                    accuracy=float(np.mean([s.accuracy for s in per_fold])),
                    within_skill_auc=float(np.mean([s.within_skill_auc for s in per_fold])),
                    n=sum(s.n for s in per_fold),
                ),
                fit_seconds=float(np.mean([s[name] for s in seconds])),
                folds=per_fold,
                pooled=score(
                    np.concatenate([p.correct for p in preds]),
                    np.concatenate([p.by_model[name] for p in preds]),
                    np.concatenate([p.skill for p in preds]),
                ),
            )
        )
    return results
