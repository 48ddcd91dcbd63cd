"""The parse-time limit (``<node>.max_parse_seconds``): checking a file and loading it each
end within that many seconds.

The checks in :mod:`salesforge.data.input_check` call :meth:`Deadline.check` between
chunks. A loader is one call into pandas, openpyxl or Arrow, so :func:`load_within` runs it
in a worker thread and waits at most the limit; past it the caller gets the
:class:`~salesforge.errors.DataError` at once and the worker is stopped: pure-Python
parsing (openpyxl, the ``json`` module's records) at its next bytecode, a native call
(Arrow's reader) when it returns, its input already bounded by the other limits."""

from __future__ import annotations

import contextvars
import ctypes
import threading
import time
from collections.abc import Callable
from typing import TypeVar

from salesforge.data.input_limits import InputLimits

T = TypeVar("T")


class ParseTimeout(BaseException):
    """Raised inside a load that ran past its deadline (a ``BaseException`` so that a
    loader's ``except Exception`` cannot swallow it)."""


class Deadline:
    """A clock started at construction; :meth:`check` refuses the file once
    ``limits.max_parse_seconds`` have passed."""

    def __init__(self, limits: InputLimits) -> None:
        self.limits = limits
        seconds = limits.max_parse_seconds
        self.end = None if seconds is None else time.monotonic() + seconds

    def check(self, name: str) -> None:
        if self.end is not None and time.monotonic() > self.end:
            raise self.limits.refuse(name, "max_parse_seconds", "takes too long to check")


def load_within(load: Callable[[], T], name: str, limits: InputLimits) -> T:
    """``load()``, or :class:`DataError` naming file ``name`` and ``max_parse_seconds``
    when it runs longer than that (then the worker is stopped as the module says)."""
    seconds = limits.max_parse_seconds
    if seconds is None:
        return load()
    outcome: dict[str, object] = {}
    context = contextvars.copy_context()

    def work() -> None:
        try:
            outcome["value"] = context.run(load)
        except ParseTimeout:
            pass
        except BaseException as error:  # handed to the waiting caller
            outcome["error"] = error

    worker = threading.Thread(target=work, name=f"salesforge-load-{name}"[:60], daemon=True)
    worker.start()
    worker.join(seconds)
    if worker.is_alive():
        _interrupt(worker)
        raise limits.refuse(name, "max_parse_seconds", "took too long to load")
    if "error" in outcome:
        raise outcome["error"]  # type: ignore[misc]
    return outcome["value"]  # type: ignore[return-value]


def _interrupt(worker: threading.Thread) -> None:
    """Raise :class:`ParseTimeout` in ``worker`` (CPython's asynchronous exception)."""
    if worker.ident is not None:
        ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(worker.ident),
                                                   ctypes.py_object(ParseTimeout))
