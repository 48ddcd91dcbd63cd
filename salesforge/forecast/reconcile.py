"""Hierarchical reconciliation: make forecasts at total / group / sub-group levels add up.

A hierarchy is given by the ``forecast.by`` columns, top first (e.g. [category, product]):
its levels are the total, by[:1], by[:2], ... Every reconciled forecast is ``S P y_hat``
with ``S`` the summing matrix (series x bottom series) and
``P = (S' W^-1 S)^-1 S' W^-1``: bottom-up keeps the bottom forecasts, OLS takes W = I,
MinT takes W = the shrunk covariance of the model's backtest residuals
(Wickramasuriya, Athanasopoulos & Hyndman 2019; Schäfer-Strimmer shrinkage).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from salesforge.errors import ConfigError, DataError
from salesforge.forecast.series import SEPARATOR, build_series

METHODS = ("none", "bottom_up", "ols", "mint")


def hierarchy_series(clean: pd.DataFrame, target: str, freq: str,
                     by: Sequence[str]) -> tuple[pd.DataFrame, dict[str, tuple[str, ...]]]:
    """Series of every level (total first, then by[:1], by[:2], ...) on one period grid,
    and each series' key: the tuple of its group values (``()`` for the total)."""
    frames = [build_series(clean, target, freq, list(by[:depth]))
              for depth in range(len(by) + 1)]
    keys: dict[str, tuple[str, ...]] = {}
    for depth, frame in enumerate(frames):
        for sid in frame["series_id"].unique():
            if sid in keys:
                raise DataError(f"series {sid!r} appears at two levels of forecast.by="
                                f"{list(by)}; rename the group value to reconcile.")
            keys[sid] = () if depth == 0 else tuple(str(sid).split(SEPARATOR))
    series = pd.concat(frames, ignore_index=True)
    grid = series["ds"].drop_duplicates().sort_values()
    full = pd.MultiIndex.from_product([list(keys), grid], names=["series_id", "ds"])
    series = series.set_index(["series_id", "ds"])["y"].reindex(full, fill_value=0.0)
    return series.reset_index(), keys


def summing_matrix(keys: dict[str, tuple[str, ...]]) -> tuple[np.ndarray, list[str], list[str]]:
    """``(S, ids, bottom)``: S[i, j] = 1 when bottom series j belongs to series i."""
    ids = list(keys)
    depth = max(len(k) for k in keys.values())
    bottom = [sid for sid in ids if len(keys[sid]) == depth]
    S = np.array([[keys[b][:len(keys[sid])] == keys[sid] for b in bottom] for sid in ids],
                 dtype="float64")
    return S, ids, bottom


def shrunk_covariance(residuals: np.ndarray) -> np.ndarray:
    """Schäfer-Strimmer shrinkage of the residual covariance toward its diagonal
    (``residuals``: rows = forecast periods, columns = series)."""
    n = residuals.shape[0]
    centred = residuals - residuals.mean(axis=0)
    covariance = centred.T @ centred / n
    sd = np.sqrt(np.diag(covariance))
    sd[sd == 0] = 1.0
    standard = centred / sd
    corr = standard.T @ standard / n
    np.fill_diagonal(corr, 0.0)
    products = np.einsum("ti,tj->tij", standard, standard)
    variance = products.var(axis=0) * n / max(n - 1, 1)
    np.fill_diagonal(variance, 0.0)
    denominator = float((corr ** 2).sum())
    lam = 1.0 if denominator == 0 else float(np.clip(variance.sum() / denominator, 0.0, 1.0))
    shrunk = lam * np.diag(np.diag(covariance)) + (1 - lam) * covariance
    shrunk[np.diag_indices_from(shrunk)] = np.maximum(np.diag(shrunk), 1e-12)
    return shrunk


def projection(S: np.ndarray, method: str, residuals: np.ndarray | None = None) -> np.ndarray:
    """The reconciliation matrix ``S P`` (series x series) of ``method``; the bottom
    series are the last rows of ``S`` (as :func:`hierarchy_series` orders them)."""
    n, m = S.shape
    if method == "bottom_up":
        P = np.hstack([np.zeros((m, n - m)), np.eye(m)])
        return S @ P
    if method == "ols":
        W_inv = np.eye(n)
    elif method == "mint":
        if residuals is None or residuals.shape[0] < 2:
            raise DataError("forecast.reconcile=mint needs backtest residuals of at least two "
                            "periods; use ols or more backtest windows.")
        W_inv = np.linalg.pinv(shrunk_covariance(residuals))
    else:
        raise ConfigError(f"config key forecast.reconcile must be one of {', '.join(METHODS)}, "
                          f"not {method!r}.")
    P = np.linalg.solve(S.T @ W_inv @ S, S.T @ W_inv)
    return S @ P


def reconcile_frame(frame: pd.DataFrame, ids: list[str], matrix: np.ndarray,
                    keys: Sequence[str] = ("ds",)) -> pd.DataFrame:
    """Reconciled copy of ``frame`` (series_id, y_pred, bound columns, ...): for each
    group of ``keys`` (one forecast period of every series) y_pred becomes
    ``matrix @ y_pred``; bounds move by the same amount as their point forecast."""
    keys = list(keys)
    wide = frame.pivot_table(index=keys, columns="series_id", values="y_pred",
                             aggfunc="first")[ids]
    adjusted = pd.DataFrame(wide.to_numpy() @ matrix.T, index=wide.index, columns=ids)
    delta = (adjusted - wide).stack().rename("delta")
    out = frame.join(delta, on=[*keys, "series_id"])
    shift = out.pop("delta").fillna(0.0).to_numpy()
    bounds = [c for c in out.columns if c.startswith(("y_lo", "y_hi"))]
    for column in ["y_pred", *bounds]:
        out[column] = out[column] + shift
    return out


def residual_matrix(scored: pd.DataFrame, ids: list[str]) -> np.ndarray:
    """Backtest residuals (y_true - y_pred), rows = (cutoff, ds), columns = ``ids``."""
    wide = (scored.assign(e=scored["y_true"] - scored["y_pred"])
            .pivot_table(index=["cutoff", "ds"], columns="series_id", values="e")
            .reindex(columns=ids))
    return wide.dropna().to_numpy()


def is_coherent(frame: pd.DataFrame, keys: dict[str, tuple[str, ...]],
                rtol: float = 1e-6) -> bool:
    """True when every series' y_pred equals the sum of its bottom series, per ds."""
    S, ids, bottom = summing_matrix(keys)
    wide = frame.pivot_table(index="ds", columns="series_id", values="y_pred")[ids]
    expected = wide[bottom].to_numpy() @ S.T
    scale = max(1.0, float(np.abs(expected).max()))
    return bool(np.allclose(wide.to_numpy(), expected, rtol=rtol, atol=rtol * scale))

