"""``--where`` conditions of ``salesforge runs list``: ``mase<0.9``, ``status=failed``."""

from __future__ import annotations

import re
from dataclasses import dataclass

from salesforge.errors import ConfigError

OPERATORS = ("<=", ">=", "!=", "==", "=", "<", ">")
CONDITION = re.compile(r"^\s*([A-Za-z_][\w.\-]*)\s*(<=|>=|!=|==|=|<|>)\s*(\S.*?)\s*$")
#: Run columns a condition may name besides metrics; text columns allow only = and !=.
TEXT_FIELDS = {"status": "status", "best": "best_model", "best_model": "best_model",
               "source": "source", "freq": "freq", "config_hash": "config_hash",
               "data_hash": "data_hash", "run_id": "run_id"}
NUMBER_FIELDS = {"horizon": "horizon"}


@dataclass(frozen=True)
class Condition:
    """One parsed condition: a run column or a metric name, an operator and a value."""

    name: str
    operator: str
    value: str | float
    column: str | None = None  # a ``runs`` column; ``None`` = a metric

    def sql(self) -> tuple[str, list]:
        """SQL over table ``runs`` and its parameters."""
        op = "=" if self.operator == "==" else self.operator
        if self.column is not None:
            return f"runs.{self.column} {op} ?", [self.value]
        return ("EXISTS (SELECT 1 FROM metrics m WHERE m.run_id = runs.run_id AND m.name = ? "
                f"AND m.value {op} ?)", [self.name, self.value])


def parse_condition(text: str, metrics: set[str]) -> Condition:
    """Parse ``text`` such as ``mase<0.9`` against the metric names ``metrics`` known to
    the index; raise :class:`ConfigError` (one sentence) for anything else."""
    match = CONDITION.match(text)
    if match is None:
        raise ConfigError(f"--where {text!r} is not a condition; write NAME OP VALUE with OP "
                          f"one of {' '.join(OPERATORS)}, e.g. --where 'mase<0.9'.")
    name, operator, raw = match.groups()
    raw = raw.strip("'\"")
    if name in TEXT_FIELDS:
        if operator not in ("=", "==", "!="):
            raise ConfigError(f"--where {text!r}: {name} is text, compare it with = or != only.")
        return Condition(name, operator, raw, TEXT_FIELDS[name])
    if name not in metrics and name not in NUMBER_FIELDS:
        known = sorted(metrics | set(NUMBER_FIELDS) | set(TEXT_FIELDS))
        raise ConfigError(f"--where {text!r} names unknown metric {name!r}; available: "
                          f"{', '.join(known)}.")
    try:
        value = float(raw)
    except ValueError:
        raise ConfigError(f"--where {text!r}: {name} is a number, so {raw!r} must be one."
                          ) from None
    return Condition(name, operator, value, NUMBER_FIELDS.get(name))
