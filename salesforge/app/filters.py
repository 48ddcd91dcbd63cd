"""Global filters (date range, category, region, product) applied to every table and chart."""

from __future__ import annotations

import datetime as dt
from typing import overload

import pandas as pd
import panel as pn
import param

from salesforge.data.dates import as_datetimes
from salesforge.i18n import gettext

DIMENSIONS = ("category", "region", "product")


class GlobalFilters(param.Parameterized):
    """Sidebar widgets; ``version`` changes whenever any filter does, so views can watch
    one parameter. An empty choice means "all"."""

    version = param.Integer(default=0)

    def __init__(self, language: str = "en", **params) -> None:
        super().__init__(**params)
        self._ = _ = gettext(language)
        # A slider, not flatpickr's DateRangePicker: the picker writes "2023-01-01 to
        # 2023-12-31" and names months and weekdays in English whatever the page's language.
        # Dates read as in the tables (ISO); the views redraw when a drag ends.
        self.dates = pn.widgets.DateRangeSlider(
            label=_("Date range"), start=dt.date(2000, 1, 1), end=dt.date(2000, 1, 2),
            value=(dt.date(2000, 1, 1), dt.date(2000, 1, 2)), format="%Y-%m-%d", step=1,
            disabled=True,
            sizing_mode="stretch_width")
        self.choices = {d: pn.widgets.MultiChoice(label=_(d).capitalize(), options=[],
                                                  placeholder=_("All"),
                                                  sizing_mode="stretch_width")
                        for d in DIMENSIONS}
        self.dates.param.watch(self._changed, "value_throttled")
        for widget in self.choices.values():
            widget.param.watch(self._changed, "value")

    def _changed(self, _event) -> None:
        self.version += 1

    def reset(self, clean: pd.DataFrame | None) -> None:
        """Options and full date range from a run's clean data; clears every choice."""
        with param.parameterized.batch_call_watchers(self):
            for dim, widget in self.choices.items():
                # distinct values first, then text: not every row written as text
                widget.options = sorted({str(v) for v in clean[dim].dropna().unique()}) \
                    if clean is not None and dim in clean.columns else []
                widget.value = []
            before = self.signature()
            if clean is not None and len(clean):
                start, end = clean["date"].min().date(), clean["date"].max().date()
                end = max(end, start + dt.timedelta(days=1))  # a slider needs a span
                self.dates.param.update(start=start, end=end, value=(start, end),
                                        disabled=False)
            else:  # no dates to filter by: the slider keeps its range, switched off
                self.dates.disabled = True
            if self.signature() != before:  # the date range (the choices say it themselves)
                self.version += 1

    def signature(self) -> tuple:
        """The filters' values as a hashable key (what a cached chart was drawn for)."""
        dates = tuple(str(v) for v in self.dates.value) if self.date_range_on else None
        return (dates, *(tuple(w.value) for w in self.choices.values()))

    @property
    def date_range_on(self) -> bool:
        """True when the date slider holds a run's range (off before the first run and
        for a run without dates)."""
        return not self.dates.disabled

    @property
    def active(self) -> bool:
        """True when some filter narrows the data."""
        full = (pd.Timestamp(self.dates.start), pd.Timestamp(self.dates.end))
        return any(w.value for w in self.choices.values()) or (
            self.date_range_on
            and tuple(pd.Timestamp(v) for v in self.dates.value) != full)

    @overload
    def apply(self, frame: None, date: str = "date") -> None: ...
    @overload
    def apply(self, frame: pd.DataFrame, date: str = "date") -> pd.DataFrame: ...

    def apply(self, frame: pd.DataFrame | None, date: str = "date") -> pd.DataFrame | None:
        """The rows of ``frame`` inside every filter (columns it lacks are not filtered)."""
        if frame is None or frame.empty:
            return frame
        keep = pd.Series(True, index=frame.index)
        if self.date_range_on and date in frame.columns:
            start, end = (pd.Timestamp(v) for v in self.dates.value)
            when = as_datetimes(frame[date])
            keep &= (when >= start) & (when < end + dt.timedelta(days=1))
        for dim, widget in self.choices.items():
            if widget.value and dim in frame.columns:
                keep &= frame[dim].astype(str).isin(widget.value)
        return frame.loc[keep]

    def panel(self) -> pn.Column:
        return pn.Column("### " + self._("Filters"), self.dates, *self.choices.values(),
                         sizing_mode="stretch_width")
