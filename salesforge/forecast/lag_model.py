"""A global model on lags, rolling windows and calendar terms of a whole panel.

:class:`GlobalLagForecaster` is the public base of salesforge's global lag models
(``linear``, ``random_forest``, the ``xgboost`` and ``lightgbm`` plugins): a subclass
implements :meth:`~GlobalLagForecaster._regressor` (a fresh scikit-learn style regressor)
and declares its settings in a dataclass inheriting :class:`LagModelConfig`; the
features, the per-series scaling, the strategies and the divergence guard live here.
"""

from __future__ import annotations

from abc import abstractmethod
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np
import pandas as pd

from salesforge.base.forecaster import Forecaster
from salesforge.forecast.lag_features import (
    MIN_LAG_ROWS,
    HistorySpec,
    calendar_features,
    calendar_names,
    default_lags,
    default_windows,
    history_features,
    last_known,
    period_grid,
    season_lags,
    series_age,
    usable_lags,
    window_level,
)
from salesforge.forecast.lag_settings import (
    NORMALIZE,
    STRATEGIES,
    LagModelConfig,
    default_direct_steps,
    default_scale_window,
    positive,
)
from salesforge.forecast.lag_target import (
    TRANSFORMS,
    forward,
    guard_band,
    inverse,
    never_negative,
    recent_level,
    recent_mean,
)
from salesforge.forecast.seasonality import season_length

__all__ = ["CALENDAR", "STRATEGIES", "TERMS", "GlobalLagForecaster", "LagModelConfig",
           "default_direct_steps", "default_lags", "default_scale_window",
           "default_windows"]

#: Features after the history and calendar features, before the covariates: the time in
#: years since the first training period, the series' code (its position in
#: ``series_``) and its age (periods observed before the forecast origin, at most twice
#: the widest rolling window: new products ramp up).
TERMS = ("trend", "series", "age")
#: The features after the history ones for daily data with a year of history (the
#: calendar of :func:`~salesforge.forecast.lag_features.calendar_names`, then
#: :data:`TERMS`); other frequencies have their own calendar.
CALENDAR = (*calendar_names("D", None), *TERMS)


if TYPE_CHECKING:
    _LagSettings = LagModelConfig
else:
    # Not a base at run time: a class between a model and its config dataclass that
    # inherits a dataclass would hand the model LagModelConfig's defaults over its own
    # config's (dataclasses read each base's fields by getattr, in reverse MRO).
    _LagSettings = object


class GlobalLagForecaster(Forecaster, _LagSettings):
    """One regressor for all series on features of the series' own history (lags
    ``lag_<k>``, rolling means and standard deviations ``mean_<w>``/``std_<w>``, the
    mean around the seasonal lag ``season_mean``), the calendar of the target period
    (day of week, week of year, month, holidays, ``calendar_``: see
    :func:`~salesforge.forecast.lag_features.calendar_names`), :data:`TERMS` and the
    covariates of ``forecast.exog`` (``exog_<name>``).

    Every series is divided by its recent level (:func:`~salesforge.forecast.lag_target.
    recent_level`), optionally transformed (``target_transform``). ``strategy=recursive``
    fits one model for the next period and forecasts step h from a buffer holding the
    history and the forecasts of steps < h; ``strategy=direct`` fits one model per group
    of steps (``direct_steps``) whose features read only values up to the forecast
    origin, and continues block by block beyond the last group. No feature ever reads an
    actual after the cutoff. The divergence guard (``guard``): a series whose forecast
    leaves a band around its recent range (``band_``) is forecast by its recent mean
    (``fallback_``) instead, at every step; after :meth:`predict`, ``diverged_series_``
    lists those series and ``replaced_`` counts the forecasts replaced.

    The settings are :class:`~salesforge.forecast.lag_settings.LagModelConfig`'s; a model
    declares its own in a dataclass inheriting that one and is itself a dataclass over
    both (``@dataclass(eq=False) class Model(GlobalLagForecaster, ModelConfig)``), so its
    ``__init__`` is derived from the declarations.

    A subclass implements :meth:`_regressor` and may override :meth:`_encode` /
    :meth:`_encoded_names` (e.g. to impute NaN or one-hot encode for a linear model); by
    default the regressor gets the raw float32 design, NaN where a value is missing.
    After fit: ``feature_names_`` (the regressor's columns), ``feature_importances_`` (a
    Series summing to 1, when the regressor has native importances; averaged over the
    models of ``direct``), ``model_`` (the regressor; a list of them, one per group of
    ``offsets_``, under ``direct``), ``scale_`` (level per series).
    """

    supports_exog: ClassVar[bool] = True
    #: Settings the contract suite (:mod:`salesforge.contract`) checks besides the
    #: defaults: the other strategy (two step groups, to keep it quick), target
    #: transform and normalisation.
    contract_settings: ClassVar[tuple[dict[str, Any], ...]] = (
        {"strategy": "direct", "direct_steps": [7, 14], "target_transform": "diff",
         "normalize": "window"},)
    #: Which of :data:`TERMS` the design holds (a subclass may drop them).
    terms: ClassVar[tuple[str, ...]] = TERMS

    @abstractmethod
    def _regressor(self, n_rows: int = 0) -> Any:
        """A fresh unfitted scikit-learn style regressor for ``n_rows`` training rows."""

    # --- hooks ---------------------------------------------------------------------------

    def _encode(self, design: np.ndarray) -> np.ndarray:
        """The regressor's input from the raw design (columns :meth:`raw_features`);
        by default unchanged: the regressor must accept NaN."""
        return design

    def _encoded_names(self, names: list[str]) -> list[str]:
        """Column names of :meth:`_encode`'s output for raw columns ``names``."""
        return names

    # --- settings -----------------------------------------------------------------------

    def _check_settings(self, freq: str) -> None:
        """Validate the shared settings and store their resolved values (fitted ``_``)."""
        m = season_length(freq)
        self.season_length_ = m
        self.lags_ = positive(self.lags, "lags") or default_lags(freq)
        self.windows_ = positive(self.windows, "windows") or default_windows(freq)
        if self.strategy not in STRATEGIES:
            raise ValueError(f"strategy must be one of {', '.join(STRATEGIES)}, "
                             f"got {self.strategy!r}")
        direct = positive(self.direct_steps, "direct_steps") or default_direct_steps(freq)
        self.offsets_ = direct if self.strategy == "direct" else [1]
        if self.target_transform not in TRANSFORMS:
            raise ValueError(f"target_transform must be one of {', '.join(TRANSFORMS)}, "
                             f"got {self.target_transform!r}")
        if self.normalize not in NORMALIZE:
            raise ValueError(f"normalize must be one of {', '.join(NORMALIZE)}, "
                             f"got {self.normalize!r}")
        window = default_scale_window(freq) if self.scale_window is None \
            else int(self.scale_window)
        if window < 1:
            raise ValueError(f"scale_window must be at least 1 or null, got {window}")
        self.scale_window_ = window
        if self.guard is not None and not float(self.guard) >= 0:
            raise ValueError(f"guard must be at least 0 or null, got {self.guard}")

    def _age_cap(self) -> int:
        """The largest ``age``: twice the widest rolling window."""
        return 2 * max(self.windows_)

    def _spec(self) -> HistorySpec:
        return HistorySpec(tuple(self.lags_), tuple(self.windows_), self.season_length_,
                           self.season_mean_)

    def raw_features(self) -> list[str]:
        """The design columns before :meth:`_encode`: history, calendar, :data:`TERMS`,
        covariates."""
        return [*self._spec().names(), *self.calendar_, *self.terms,
                *[f"exog_{name}" for name in self._exog_names()]]

    def expected_features(self) -> list[str]:
        """The regressor's columns this code builds for the fitted settings."""
        return self._encoded_names(self.raw_features())

    # --- fit ----------------------------------------------------------------------------

    def _fit(self, frame: pd.DataFrame) -> None:
        self._check_settings(self.freq_)
        self.series_ = pd.Index(sorted(frame["series_id"].unique()), name="series_id")
        grid = period_grid(frame["ds"], self.freq_)
        self.calendar_ = calendar_names(self.freq_, self.country_holidays,
                                        yearly=grid[-1] - grid[0] >= pd.Timedelta(days=364))
        self.lags_ = usable_lags(self.lags_, len(grid))
        self.season_mean_ = bool(season_lags(self.season_length_)) and \
            max(season_lags(self.season_length_)) + MIN_LAG_ROWS <= len(grid)
        rows = self.series_.get_indexer(frame["series_id"])
        cols = grid.get_indexer(frame["ds"])
        values = _panel(frame["y"], rows, cols, (len(self.series_), len(grid)))
        level = recent_level(values, self.scale_window_)
        self.scale_ = pd.Series(level, index=self.series_, name="scale")
        self.origin_ = pd.Timestamp(grid[0])
        scaled = values / level[:, None]
        exog = self._exog_panel(frame, rows, cols, values.shape)
        calendar = self._calendar(grid)
        anchors = last_known(scaled) if self.target_transform == "diff" else None
        first = np.argmax(~np.isnan(values), axis=1)
        known_r, known_c = np.nonzero(~np.isnan(values))
        models, importances = [], []
        for offset in self.offsets_:
            usable = known_c - offset >= first[known_r]
            if not usable.any():  # too short for this offset: learn from the level alone
                usable[:] = True
            r, c = known_r[usable], known_c[usable]
            design, rows_level = self._design(scaled, r, c, offset, calendar[c],
                                              None if exog is None else exog[r, c])
            anchor = None if anchors is None else np.where(
                c >= offset, anchors[r, np.maximum(c - offset, 0)], np.nan)
            target = self._target(scaled[r, c], rows_level, anchor)
            model = self._regressor(len(target)).fit(design, target.astype("float32"))
            models.append(model)
            native = getattr(model, "feature_importances_", None)
            if native is not None:
                importances.append(np.asarray(native, dtype="float64"))
        self.model_ = models if self.strategy == "direct" else models[0]
        self.feature_names_ = self.expected_features()
        if importances:
            mean = np.mean(importances, axis=0)
            total = mean.sum()
            self.feature_importances_ = pd.Series(mean / total if total > 0 else mean,
                                                  index=self.feature_names_,
                                                  name="importance")
        self._keep_history(scaled, values)

    def _target(self, scaled: np.ndarray, level: np.ndarray,
                anchor: np.ndarray | None) -> np.ndarray:
        """What the regressor learns for scaled values of rows with ``level``: the
        transformed ratio to the level, less the anchor's under ``diff``."""
        target = forward(scaled / level, self.target_transform)
        if anchor is not None:
            target = target - np.nan_to_num(anchor / level)
        return target

    def _forecast(self, output: np.ndarray, level: np.ndarray,
                  anchor: np.ndarray | None) -> np.ndarray:
        """The scaled forecast of regressor ``output`` (inverse of :meth:`_target`)."""
        if anchor is not None:
            output = output + np.nan_to_num(anchor / level)
        return level * inverse(output, self.target_transform)

    def _keep_history(self, scaled: np.ndarray, values: np.ndarray) -> None:
        """Store what prediction needs: the last ``depth`` scaled values of each series
        (right-aligned at its last observation), its guard band and its sign."""
        spec = self._spec()
        depth = max(max(spec.depth(d), self._age_cap() + d - 1) for d in self.offsets_)
        last = values.shape[1] - 1 - np.argmax(~np.isnan(values[:, ::-1]), axis=1)
        cols = last[:, None] - np.arange(depth - 1, -1, -1)[None, :]
        rows = np.arange(len(values))[:, None]
        self.history_ = np.where(cols >= 0, scaled[rows, np.maximum(cols, 0)], np.nan)
        window = 2 * max(self.season_length_, 13)
        self.band_ = None if self.guard is None else guard_band(scaled, window,
                                                                 float(self.guard))
        self.nonnegative_ = never_negative(values)
        self.fallback_ = recent_mean(scaled, self.scale_window_)
        self.fallback_ = np.where(self.nonnegative_, np.maximum(self.fallback_, 0.0),
                                  self.fallback_)
        self.replaced_ = 0
        self.diverged_series_: list[str] = []

    def _exog_panel(self, frame: pd.DataFrame, rows: np.ndarray, cols: np.ndarray,
                    shape: tuple[int, int]) -> np.ndarray | None:
        names = self._exog_names()
        if not names:
            return None
        panel = np.full((*shape, len(names)), np.nan)
        panel[rows, cols] = frame[names].to_numpy("float64")
        return panel

    def _calendar(self, dates: pd.DatetimeIndex) -> np.ndarray:
        """Calendar features and the trend of each date (series code excluded)."""
        dates = pd.DatetimeIndex(dates)
        parts = [calendar_features(dates, self.calendar_, self.country_holidays)]
        if "trend" in self.terms:
            parts.append(((dates - self.origin_) / pd.Timedelta(days=365.25)).to_numpy(
                "float64")[:, None])
        return np.hstack(parts)

    def _design(self, scaled: np.ndarray, rows: np.ndarray, cols: np.ndarray, offset: int,
                calendar: np.ndarray, exog: np.ndarray | None
                ) -> tuple[np.ndarray, np.ndarray]:
        """The regressor's float32 input for target cells ``(rows, cols)`` of the scaled
        panel and each row's level: under ``normalize=window`` the mean absolute value of
        the widest rolling window before the target (in prediction, of the buffer: actuals
        and earlier forecasts, as in training); 1 under ``normalize=series``."""
        if self.normalize == "window":
            level = window_level(scaled, rows, cols - offset, max(self.windows_))
        else:
            level = np.ones(len(rows))
        history = history_features(scaled, rows, cols, offset, self._spec())
        parts = [forward(history / level[:, None], self.target_transform), calendar]
        if "series" in self.terms:
            parts.append(rows[:, None].astype("float64"))
        if "age" in self.terms:
            parts.append(series_age(scaled, rows, cols, offset, self._age_cap())[:, None])
        if exog is not None:
            parts.append(exog)
        return self._encode(np.hstack(parts).astype("float32")), level

    def features(self, frame: pd.DataFrame) -> pd.DataFrame:
        """The one-step design (``feature_names_``) of every row of a tidy frame of fitted
        series (same index), from the frame's own values scaled by ``scale_``; a row's
        features read only the frame's earlier periods of its series."""
        grid = period_grid(frame["ds"], self.freq_)
        series = self.series_.get_indexer(frame["series_id"])
        if (series < 0).any():
            raise ValueError("features() got a series the model was not fitted on")
        cols = grid.get_indexer(frame["ds"])
        values = _panel(frame["y"], series, cols, (len(self.series_), len(grid)))
        exog = self._exog_panel(frame, series, cols, values.shape)
        design, _ = self._design(values / self.scale_.to_numpy()[:, None], series, cols,
                                 self.offsets_[0], self._calendar(grid)[cols],
                                 None if exog is None else exog[series, cols])
        return pd.DataFrame(design, index=frame.index, columns=self.feature_names_)

    # --- predict ------------------------------------------------------------------------

    def _models(self) -> list[Any]:
        return list(self.model_) if isinstance(self.model_, list) else [self.model_]

    def _predict(self, future: pd.DataFrame) -> np.ndarray:
        """Step by step: the model of the step's group reads the buffer (history, then the
        forecasts of earlier steps) up to its offset, the guard clips, the buffer grows."""
        rows = self.series_.get_indexer(future["series_id"])
        steps = future["step"].to_numpy()
        horizon = int(steps.max())
        depth = self.history_.shape[1]
        buffer = np.hstack([self.history_, np.full((len(self.series_), horizon), np.nan)])
        anchors = np.hstack([last_known(self.history_), buffer[:, depth:]]) \
            if self.target_transform == "diff" else None
        dates = pd.DatetimeIndex(future["ds"])
        unique, where = np.unique(dates.to_numpy(), return_inverse=True)
        calendar = self._calendar(pd.DatetimeIndex(unique))[where]
        names = self._exog_names()
        exog = future[names].to_numpy("float64") if names else None
        scale = self.scale_.to_numpy()
        models, reach = self._models(), max(self.offsets_)
        out = np.empty(len(future))
        diverged = np.zeros(len(self.series_), dtype=bool)
        origin = 0
        for step in range(1, horizon + 1):
            if step - origin > reach:
                origin += reach
            group = int(np.searchsorted(self.offsets_, step - origin))
            offset = self.offsets_[group]
            at = np.flatnonzero(steps == step)
            r, c = rows[at], np.full(len(at), depth - 1 + step)
            design, level = self._design(buffer, r, c, offset, calendar[at],
                                         None if exog is None else exog[at])
            output = models[group].predict(design).astype("float64")
            scaled = self._forecast(output, level,
                                    None if anchors is None else anchors[r, c - offset])
            if self.band_ is not None:  # leaving the band: the series has diverged
                inside = (scaled >= self.band_[r, 0]) & (scaled <= self.band_[r, 1])
                diverged[r[~inside]] = True
                scaled = np.where(diverged[r], self.fallback_[r], scaled)
            scaled = np.where(self.nonnegative_[r], np.maximum(scaled, 0.0), scaled)
            buffer[r, c] = scaled
            if anchors is not None:
                anchors[r, c] = scaled
            out[at] = scaled * scale[r]
        replaced = diverged[rows]  # every step of a diverged series, earlier ones too
        out[replaced] = self.fallback_[rows[replaced]] * scale[rows[replaced]]
        self.replaced_ = int(replaced.sum())
        self.diverged_series_ = [str(s) for s in self.series_[diverged]]
        return out


def _panel(y: pd.Series, rows: np.ndarray, cols: np.ndarray,
           shape: tuple[int, int]) -> np.ndarray:
    """Series x periods array of ``y`` (NaN where missing), each series that ever sold
    starting at its first non-zero value: zeros before it (``forecast.fill=zero`` before a
    product's launch) are no sales history."""
    values = np.full(shape, np.nan)
    values[rows, cols] = y.to_numpy("float64")
    started = np.cumsum(np.nan_to_num(values) != 0, axis=1) > 0
    return np.where(started | ~started[:, -1:], values, np.nan)
