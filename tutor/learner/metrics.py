"""Prediction metrics for 0/1 outcomes, in numpy: AUC (rank statistic), RMSE, accuracy."""

from __future__ import annotations

import math

import numpy as np


def auc(y: np.ndarray, p: np.ndarray) -> float:
    """Area under the ROC curve as the Mann-Whitney statistic; tied scores count half.

    NaN when only one class is present (the area is undefined, not 0.5).
    """
    y = np.asarray(y, dtype=bool)
    p = np.asarray(p, dtype=np.float64)
    if y.shape != p.shape:
        raise ValueError("labels and predictions must have the same shape")
    n_pos = int(y.sum())
    n_neg = len(y) - n_pos
    if n_pos == 0 or n_neg == 0:
        return math.nan
    _, inverse, counts = np.unique(p, return_inverse=True, return_counts=True)
    # Average 1-based rank of each distinct score: the middle of its run in sorted order.
    mid_rank = np.cumsum(counts) - (counts - 1) / 2.0
    rank_sum = float(mid_rank[inverse][y].sum())
    return (rank_sum - n_pos * (n_pos + 1) / 2.0) / (n_pos * n_neg)


def rmse(y: np.ndarray, p: np.ndarray) -> float:
    diff = np.asarray(p, dtype=np.float64) - np.asarray(y, dtype=np.float64)
    return float(np.sqrt(np.mean(diff * diff)))


def accuracy(y: np.ndarray, p: np.ndarray, threshold: float = 0.5) -> float:
    """Share of responses whose predicted side of `threshold` matches the outcome."""
    return float(np.mean((np.asarray(p) >= threshold) == np.asarray(y, dtype=bool)))


def within_group_auc(y: np.ndarray, p: np.ndarray, group: np.ndarray) -> float:
    """Unweighted mean of each group's AUC, over groups that have both outcomes.

    Pooled AUC rewards telling easy skills from hard ones (what the per-skill mean does);
    this one asks whether the model orders responses within a skill.
    """
    group = np.asarray(group)
    order = np.argsort(group, kind="stable")
    g_sorted = group[order]
    cuts = np.flatnonzero(g_sorted[1:] != g_sorted[:-1]) + 1
    values = [
        auc(np.asarray(y)[idx], np.asarray(p)[idx]) for idx in np.split(order, cuts) if len(idx) > 0
    ]
    values = [v for v in values if not math.isnan(v)]
    return float(np.mean(values)) if values else math.nan
