"""Feature builders add model-ready columns to the cleaned transactions."""

from __future__ import annotations

from abc import abstractmethod

import pandas as pd

from salesforge.base.component import Component
from salesforge.data.frame_columns import set_columns


class FeatureBuilder(Component):
    """``fit`` learns what it needs from clean rows, ``transform`` returns the frame with
    new columns added (existing columns untouched, row order and index kept).

    Subclasses declare the columns they read (``requires``) and the columns they add
    (:meth:`columns_added`); :meth:`transform` checks the added columns match.
    """

    #: Columns the builder reads.
    requires: tuple[str, ...] = ("date",)

    def columns_added(self) -> list[str]:
        """The names of the columns :meth:`transform` adds, in order."""
        raise NotImplementedError(f"{type(self).__name__} must declare columns_added()")

    def fit(self, frame: pd.DataFrame) -> FeatureBuilder:
        self._check_columns(frame)
        self._fit(frame)
        self.n_rows_seen_ = len(frame)
        return self

    def transform(self, frame: pd.DataFrame) -> pd.DataFrame:
        self._check_fitted()
        self._check_columns(frame)
        added = self._transform(frame)
        declared = self.columns_added()
        if list(added.columns) != declared:
            raise ValueError(f"{type(self).__name__} added {list(added.columns)} but declares "
                             f"{declared}")
        clash = set(added.columns) & set(frame.columns)
        if clash:
            raise ValueError(f"{type(self).__name__} would overwrite columns {sorted(clash)}")
        return with_columns(frame, added)

    def fit_transform(self, frame: pd.DataFrame) -> pd.DataFrame:
        return self.fit(frame).transform(frame)

    def _check_columns(self, frame: pd.DataFrame) -> None:
        missing = [c for c in self.required_columns() if c not in frame.columns]
        if missing:
            raise ValueError(f"{type(self).__name__} needs columns {missing}")

    def required_columns(self) -> list[str]:
        """The columns this instance reads (``requires`` unless settings change them)."""
        return list(self.requires)

    def _fit(self, frame: pd.DataFrame) -> None:
        """Learn from ``frame``; stateless builders need not override."""

    @abstractmethod
    def _transform(self, frame: pd.DataFrame) -> pd.DataFrame:
        """Only the new columns, aligned with ``frame``'s rows."""


def with_columns(frame: pd.DataFrame, added: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with the columns of ``added`` (same rows, in order) after its own, neither
    copied (:func:`salesforge.data.frame_columns.set_columns`): ``pd.concat(axis=1)`` would
    consolidate the blocks of each dtype, copying every numeric column of the transactions
    (1.6 s at 10 M rows against 0.02 s)."""
    return set_columns(frame, {name: added[name].array for name in added.columns})
