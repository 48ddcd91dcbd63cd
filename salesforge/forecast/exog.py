"""Exogenous regressors (``forecast.exog``): future-known covariates per series and period.

A covariate is a numeric column of the run's feature frame (the clean data plus the
columns of the selected feature builders), or, when the data lacks it, of the
``forecast.exog_future`` file (a promotion calendar for the past and the future). Per
series and period it is the **max** when it is a 0/1 flag (a promotion or holiday in the
week makes it a promotion week) and the **mean** otherwise (price, discount); periods
without a value (no sales) take the series' previous value.

Future values, for the ``horizon`` periods after each series' end, come from:

* **calendar covariates** — columns added by a selected feature builder that reads only
  ``date`` (``calendar``, ``holidays``): the builder is run on the future days, so they are
  always known;
* the **``forecast.exog_future`` file** (CSV or Parquet) with ``ds`` (or ``date``), the
  ``forecast.by`` columns (or none of them: values for every series) and the covariates,
  daily or per period (aggregated the same way).

In backtests the future values of each window are the observed ones: covariates are
known in advance by assumption (a price plan, a promotion calendar, holidays).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from salesforge.errors import ConfigError, DataError

if TYPE_CHECKING:
    from salesforge.schema import RunContext

#: Columns of a tidy series frame that are not covariates.
SERIES_COLUMNS = ("series_id", "ds", "y")


@dataclass
class ExogSpec:
    """What a run needs to build covariates: their names, the date-only feature builders
    that can compute some of them for any day (``column -> (builder, settings)``) and the
    optional file of future values."""

    columns: list[str]
    calendar: dict[str, tuple[str, dict[str, Any]]] = field(default_factory=dict)
    future_file: str | None = None

    def summary(self) -> dict[str, Any]:
        """The manifest entry ``forecast.exog`` (without the per-model part)."""
        return {"columns": self.columns, "calendar": sorted(self.calendar),
                "future_file": self.future_file}


def exog_columns(value: Any) -> list[str]:
    """``forecast.exog`` as a list of column names (a single name is accepted)."""
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    names = [str(v) for v in value]
    if len(set(names)) != len(names):
        raise ConfigError(f"config key forecast.exog lists a column twice: {names}.")
    return names


def calendar_builders(plugins: Any, selected: Sequence[tuple[str, dict[str, Any]]],
                      columns: Sequence[str]) -> dict[str, tuple[str, dict[str, Any]]]:
    """``column -> (builder name, settings)`` for every covariate that a selected
    date-only feature builder adds."""
    found: dict[str, tuple[str, dict[str, Any]]] = {}
    for name, settings in selected:
        builder = plugins.create("feature_builder", name, settings)
        if set(builder.required_columns()) - {"date"}:
            continue
        for column in builder.columns_added():
            if column in columns:
                found.setdefault(column, (name, dict(settings)))
    return found


def _is_flag(values: pd.Series) -> bool:
    if pd.api.types.is_bool_dtype(values):
        return True
    present = values.dropna()
    return bool(len(present)) and bool(present.isin([0, 1]).all())


def _numeric(frame: pd.DataFrame, column: str, where: str) -> pd.Series:
    values = frame[column]
    if pd.api.types.is_bool_dtype(values):
        return values.astype("float64")
    converted = pd.to_numeric(values, errors="coerce")
    if converted.notna().sum() < values.notna().sum():
        bad = values[converted.isna() & values.notna()].iloc[0]
        raise DataError(f"column {column!r} of {where} named in forecast.exog must be numeric; "
                        f"it holds {bad!r}.")
    return converted.astype("float64")


def aggregate(frame: pd.DataFrame, keys: pd.Series, columns: Sequence[str], freq: str,
              where: str, date: str = "date") -> pd.DataFrame:
    """``series_id, ds, <columns>``: each covariate per series (``keys``, one per row) and
    period of ``freq`` — max of 0/1 flags, mean otherwise."""
    offset = pd.tseries.frequencies.to_offset(freq)
    values = pd.DataFrame({"series_id": keys.to_numpy(), "ds": pd.to_datetime(frame[date])})
    how = {}
    for column in columns:
        values[column] = _numeric(frame, column, where).to_numpy()
        how[column] = "max" if _is_flag(frame[column]) else "mean"
    grouped = values.groupby(["series_id", pd.Grouper(key="ds", freq=offset)], sort=True)
    return grouped.agg(how).reset_index()


def calendar_values(spec: ExogSpec, plugins: Any, periods: pd.DatetimeIndex,
                    freq: str) -> pd.DataFrame:
    """``ds, <calendar covariates>`` for the given period labels, computed from the days
    those periods span by the date-only feature builders."""
    if not spec.calendar or periods.empty:
        return pd.DataFrame({"ds": periods})
    offset = pd.tseries.frequencies.to_offset(freq)
    start = (periods.min() - offset).normalize() - pd.Timedelta(days=1)
    end = (periods.max() + offset).normalize() + pd.Timedelta(days=1)
    days = pd.DataFrame({"date": pd.date_range(start, end, freq="D")})
    columns: dict[str, np.ndarray] = {}
    for builder_name in {name for name, _ in spec.calendar.values()}:
        settings = next(s for n, s in spec.calendar.values() if n == builder_name)
        built = plugins.create("feature_builder", builder_name, settings).fit_transform(days)
        for column, (owner, _) in spec.calendar.items():
            if owner == builder_name:
                columns[column] = built[column].to_numpy("float64")
    frame = pd.DataFrame({"date": days["date"], **columns})
    keys = pd.Series("all", index=frame.index)
    per_period = aggregate(frame, keys, list(spec.calendar), freq, "the calendar")
    per_period = per_period.drop(columns="series_id").set_index("ds")
    return per_period.reindex(periods).rename_axis("ds").reset_index()


def merge_values(frame: pd.DataFrame, values: pd.DataFrame,
                 columns: Sequence[str]) -> pd.DataFrame:
    """``frame`` (series_id, ds, ...) left-joined with ``values`` on series and period, or
    on the period alone when ``values`` has no series_id (values for every series)."""
    on = ["series_id", "ds"] if "series_id" in values.columns else ["ds"]
    return frame.merge(values[[*on, *columns]], on=on, how="left")


def attach(series: pd.DataFrame, history: list[pd.DataFrame], spec: ExogSpec, plugins: Any,
           freq: str) -> pd.DataFrame:
    """``series`` with one column per covariate: calendar covariates computed for every
    period, the others from the ``history`` frames (from :func:`aggregate` or
    :func:`read_values_file`); periods without a value (no sales that period) take the
    series' previous value (then the next)."""
    out = series.copy()
    for values in history:
        out = merge_values(out, values, [c for c in values.columns if c in spec.columns])
    given = [c for c in spec.columns if c not in spec.calendar]
    if given:
        filled = out.groupby("series_id", sort=False)[given].transform(
            lambda s: s.ffill().bfill())
        out[given] = filled.fillna(0.0)
    if spec.calendar:
        periods = pd.DatetimeIndex(sorted(out["ds"].unique()))
        out = out.merge(calendar_values(spec, plugins, periods, freq), on="ds", how="left")
    return out[[*series.columns, *spec.columns]]


def future_periods(series: pd.DataFrame, freq: str, horizon: int) -> pd.DataFrame:
    """``series_id, ds`` of the ``horizon`` periods after each series' last period."""
    offset = pd.tseries.frequencies.to_offset(freq)
    last = series.groupby("series_id", sort=True)["ds"].max()
    parts = [pd.DataFrame({"series_id": sid,
                           "ds": pd.date_range(end + offset, periods=horizon, freq=offset)})
             for sid, end in last.items()]
    return pd.concat(parts, ignore_index=True)


def read_values_file(path: str | Path, by: Sequence[str], columns: Sequence[str],
                     freq: str, aliases: Mapping[str, str] | None = None) -> pd.DataFrame:
    """``series_id, ds, <columns>`` per period from the ``forecast.exog_future`` file (CSV
    or Parquet with ``ds`` or ``date``, the ``by`` columns and the covariates, daily or per
    period); a file with none of the ``by`` columns gives ``ds, <columns>``, values for
    every series. ``aliases`` (file column -> ``by`` column, e.g. ``Store -> region``)
    lets the file name a ``by`` column as the source data did."""
    from salesforge.forecast.series import series_keys

    path = Path(path)
    if not path.is_file():
        raise ConfigError(f"config key forecast.exog_future={str(path)!r} is not a file.")
    try:
        frame = pd.read_parquet(path) if path.suffix.lower() in (".parquet", ".pq") \
            else pd.read_csv(path)
    except (ValueError, OSError) as exc:
        raise DataError(f"cannot read forecast.exog_future file {path}: {exc}.") from None
    renames = {src: canon for src, canon in (aliases or {}).items()
               if src in frame.columns and canon not in frame.columns}
    frame = frame.rename(columns=renames)
    date = "ds" if "ds" in frame.columns else "date"
    keys = [c for c in by if c in frame.columns]
    keys = list(by) if keys else []
    needed = [date, *keys, *columns]
    lacking = [c for c in needed if c not in frame.columns]
    if lacking:
        raise DataError(f"forecast.exog_future file {path} has no column {lacking[0]!r}; it "
                        f"needs ds (or date), {', '.join([*by, *columns])} (the by columns "
                        "may be left out for values that hold for every series).")
    dates = pd.to_datetime(frame[date], errors="coerce")
    if dates.isna().any():
        row = int(np.flatnonzero(dates.isna().to_numpy())[0])
        raise DataError(f"forecast.exog_future file {path} has an unreadable date "
                        f"{frame[date].iloc[row]!r} in column {date!r} (row {row + 2}).")
    frame = frame.assign(**{date: dates})
    values = aggregate(frame, series_keys(frame, keys), columns, freq,
                       f"forecast.exog_future file {path}", date=date)
    return values if keys else values.drop(columns="series_id")


def future_values(spec: ExogSpec, plugins: Any, series: pd.DataFrame, freq: str,
                  horizon: int, by: Sequence[str],
                  aliases: Mapping[str, str] | None = None) -> pd.DataFrame:
    """``series_id, ds, <covariates>`` for the ``horizon`` periods after each series' end;
    a covariate with no value for some period raises :class:`DataError` naming the file
    (or the config key), the column and the first missing series and period."""
    future = future_periods(series, freq, horizon)
    periods = pd.DatetimeIndex(sorted(future["ds"].unique()))
    if spec.calendar:
        future = future.merge(calendar_values(spec, plugins, periods, freq), on="ds",
                              how="left")
    given = [c for c in spec.columns if c not in spec.calendar]
    if given:
        if not spec.future_file:
            end = series["ds"].max().date()
            raise DataError(
                f"config key forecast.exog names {given[0]!r}, whose future values are "
                f"unknown: give them with forecast.exog_future=<CSV or Parquet with ds, "
                f"{', '.join([*by, given[0]])}> for the {horizon} periods after {end}.")
        future = merge_values(future, read_values_file(spec.future_file, by, given, freq,
                                                       aliases), given)
    for column in spec.columns:
        missing = future[future[column].isna()]
        if len(missing):
            first = missing.iloc[0]
            where = (f"forecast.exog_future file {spec.future_file}" if column in given
                     else f"the calendar of feature builder {spec.calendar[column][0]}")
            raise DataError(f"{where} has no value of {column!r} for series "
                            f"{first['series_id']!r} in the period {first['ds'].date()} "
                            f"(the forecast needs the {horizon} periods after the data).")
    return future[["series_id", "ds", *spec.columns]]


def exog_users(outcomes: Sequence[Any]) -> dict[str, list[str]]:
    """``{"used_by": [...], "ignored_by": [...]}``: models that fitted on the covariates
    and models that do not support them."""
    used = [o.name for o in outcomes if getattr(o.model, "exog_", None)]
    return {"used_by": used, "ignored_by": [o.name for o in outcomes if o.name not in used]}


def prepare(ctx: RunContext, series: pd.DataFrame, by: Sequence[str], freq: str, horizon: int,
            mapped: Mapping[str, str] | None = None,
            aliases: Mapping[str, str] | None = None,
            ) -> tuple[pd.DataFrame, pd.DataFrame | None, ExogSpec]:
    """For the forecast stage: ``(series with covariate columns, their future values,
    spec)``; without ``forecast.exog`` the series comes back unchanged with ``None``.
    ``forecast.exog`` may name source columns the cleaner mapped (``mapped``: canonical ->
    source); ``aliases`` (source name -> ``by`` column) lets the future-values file use
    the source names of the ``by`` columns."""
    from salesforge.config import choices
    from salesforge.forecast.series import series_keys
    from salesforge.forecast.source_names import resolve_columns

    cfg = ctx.config.forecast
    columns = exog_columns(cfg.get("exog"))
    source = ctx.features if ctx.features is not None else ctx.clean
    if columns and source is not None:
        columns = resolve_columns(columns, list(source.columns), dict(mapped or {}),
                                  "forecast.exog", strict=False)
    future_file = cfg.get("exog_future")
    spec = ExogSpec(columns, future_file=str(future_file) if future_file else None)
    if not columns:
        return series, None, spec
    if source is None:
        raise RuntimeError("forecast.exog needs the clean data, and the clean stage has not "
                           "run")
    spec.calendar = calendar_builders(ctx.plugins, choices(ctx.config, "features"), columns)
    in_data = [c for c in columns if c in source.columns and c not in spec.calendar]
    in_file = [c for c in columns if c not in source.columns and c not in spec.calendar]
    if in_file and not spec.future_file:
        raise ConfigError(
            f"config key forecast.exog names column {in_file[0]!r}, which the data does not "
            f"have (columns: {', '.join(map(str, source.columns))}); map it with data.columns, "
            "select the feature builder that adds it, or give its values in "
            "forecast.exog_future.")
    history = []
    if in_data:
        history.append(aggregate(source, series_keys(source, by), in_data, freq, "the data"))
    if in_file:
        assert spec.future_file is not None  # checked above: in_file needs the file
        history.append(read_values_file(spec.future_file, by, in_file, freq, aliases))
    with_exog = attach(series, history, spec, ctx.plugins, freq)
    return with_exog, future_values(spec, ctx.plugins, series, freq, horizon, by,
                                    aliases), spec


def saved_spec(model: Any, ctx: RunContext) -> dict[str, Any] | None:
    """What a saved model records about its covariates (``None`` without them): their
    names and, for calendar covariates, the feature builder and settings that compute
    them, so ``salesforge predict`` can rebuild those for any horizon."""
    from salesforge.config import choices

    names = list(getattr(model, "exog_", None) or [])
    if not names:
        return None
    calendar = calendar_builders(ctx.plugins, choices(ctx.config, "features"), names)
    return {"columns": names,
            "calendar": {c: [builder, settings] for c, (builder, settings) in calendar.items()}}


def spec_from_saved(saved: dict[str, Any], future_file: str | None) -> ExogSpec:
    """The :class:`ExogSpec` of a saved model's ``exog`` entry (see :func:`saved_spec`)."""
    calendar = {c: (str(b), dict(s or {})) for c, (b, s) in (saved.get("calendar") or {}).items()}
    return ExogSpec(list(saved["columns"]), calendar=calendar, future_file=future_file)
