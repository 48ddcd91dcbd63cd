"""Executors run independent tasks (one per model, per series, ...) locally or remotely."""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from salesforge.base.component import Component

T = TypeVar("T")
R = TypeVar("R")


class Executor(Component):
    """``map(fn, items)`` returns ``[fn(item) for item in items]``, in order, however it runs."""

    def map(self, fn: Callable[[T], R], items: Iterable[T]) -> list[R]:
        return list(self._map(fn, list(items)))

    @abstractmethod
    def _map(self, fn: Callable[[Any], Any], items: list[Any]) -> list[Any]:
        """Apply ``fn`` to each item and return the results in item order."""
