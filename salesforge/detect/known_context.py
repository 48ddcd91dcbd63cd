"""Fitting a transaction detector on the rows whose product context is known."""

from __future__ import annotations

import numpy as np
import pandas as pd

from salesforge.base.detector import Detector


def fit_on_known_context(detector: Detector, inputs: pd.DataFrame,
                         ratio: pd.DataFrame) -> np.ndarray:
    """Fit on the rows whose product context is known (their product has enough rows for a
    baseline) and score every row. Rows without context have all-zero inputs; learning
    "normal" from them would shrink every scale towards 0."""
    return fit_score_raw_on_known_context(detector, inputs, ratio)[0]


def fit_score_raw_on_known_context(detector: Detector, inputs: pd.DataFrame,
                                   ratio: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Like :func:`fit_on_known_context`, returning ``(scores, raw statistics)``; every row
    is scored once (the training rows while fitting)."""
    known = ratio["price_vs_product"].notna().to_numpy()
    if known.all() or known.sum() < 10:
        return detector.fit_score_raw(inputs)
    scores, raw = np.empty(len(inputs)), np.empty(len(inputs))
    scores[known], raw[known] = detector.fit_score_raw(inputs[known])
    if (~known).any():
        scores[~known], raw[~known] = detector.scores_and_raw(inputs[~known])
    return scores, raw
