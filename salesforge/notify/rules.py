"""Alert rules (``alerts.rules``): checked when a run starts, evaluated once when it ends.

Each rule is a mapping ``{name, when, severity?, ...}``; ``when`` picks the kind:

==================  ============================  =========================================
``when``            settings                      fires when
==================  ============================  =========================================
anomaly_money       ``above`` (amount)            a flagged anomaly's absolute
                                                  ``money_impact`` is above it
realized_mase       ``above``                     the realised MASE of the model the
                                                  earlier run chose is above it
realized_coverage   ``below`` (share 0-1),        the realised coverage of its prediction
                    ``level`` (optional)          intervals is below it
drift               ``status`` (default [drift])  ``manifest.data.drift.status`` is listed
run_failed          (none)                        the run failed
==================  ============================  =========================================

The sections of the manifest the rules read are written by other stages; every key this
module reads is named in :func:`realized_accuracy`, :func:`drift_summary` and
:func:`anomaly_impacts`, nowhere else.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeGuard

import pandas as pd

from salesforge.analytics.formatting import format_money
from salesforge.base.notifier import SEVERITIES
from salesforge.errors import ConfigError

__all__ = ["RULE_KINDS", "Outcome", "Rule", "evaluate", "parse_rules"]

#: Rule kind -> its default severity.
RULE_KINDS: dict[str, str] = {
    "anomaly_money": "warning",
    "realized_mase": "warning",
    "realized_coverage": "warning",
    "drift": "warning",
    "run_failed": "critical",
}
DRIFT_STATUSES = ("ok", "warn", "drift")
_COMMON = ("name", "when", "severity")
EXAMPLE = "{name: big_anomaly, when: anomaly_money, above: 1000000}"


@dataclass(frozen=True)
class Rule:
    """One checked rule; ``settings`` holds its kind's settings with defaults filled in."""

    index: int
    name: str
    when: str
    severity: str
    settings: dict[str, Any] = field(default_factory=dict)

    @property
    def key(self) -> str:
        """Its config key, e.g. ``alerts.rules[0]``."""
        return f"alerts.rules[{self.index}]"


@dataclass(frozen=True)
class Outcome:
    """A rule's verdict on one run: ``message`` is one sentence either way."""

    rule: Rule
    fired: bool
    title: str
    message: str
    facts: dict[str, Any] = field(default_factory=dict)


# --- checking -----------------------------------------------------------------------


def _is_number(value: Any) -> TypeGuard[float]:
    return type(value) in (int, float) and math.isfinite(value)


def _non_negative(key: str, value: Any) -> float:
    if not _is_number(value) or value < 0:
        raise ConfigError(f"config key {key} must be a number of at least 0, got {value!r}.")
    return float(value)


def _share(key: str, value: Any) -> float:
    if not _is_number(value) or not 0 <= value <= 1:
        raise ConfigError(f"config key {key} must be a share from 0 to 1 (e.g. 0.7), "
                          f"got {value!r}.")
    return float(value)


def _level(key: str, value: Any) -> float:
    if not _is_number(value) or not 0 < value < 1:
        raise ConfigError(f"config key {key} must be an interval level between 0 and 1 "
                          f"(e.g. 0.8), got {value!r}.")
    return float(value)


def _statuses(key: str, value: Any) -> list[str]:
    value = [value] if isinstance(value, str) else value
    if not isinstance(value, list) or not value or any(v not in DRIFT_STATUSES for v in value):
        raise ConfigError(f"config key {key} must be a list of drift statuses "
                          f"({', '.join(DRIFT_STATUSES)}), got {value!r}.")
    return [str(v) for v in value]


#: Rule kind -> setting -> (required, check(key, value) -> value, default).
_SETTINGS: dict[str, dict[str, tuple[bool, Callable[[str, Any], Any], Any]]] = {
    "anomaly_money": {"above": (True, _non_negative, None)},
    "realized_mase": {"above": (True, _non_negative, None)},
    "realized_coverage": {"below": (True, _share, None),
                          "level": (False, _level, None)},
    "drift": {"status": (False, _statuses, ["drift"])},
    "run_failed": {},
}
_HINTS = {"above": "the threshold the rule fires above", "below": "the share the rule fires "
          "below (e.g. 0.7)"}


def parse_rules(rules: Any) -> list[Rule]:
    """Check ``alerts.rules`` (plain Python values) and return the rules.

    :raises ConfigError: one sentence naming ``alerts.rules[i].<key>``.
    """
    if rules is None:
        return []
    if not isinstance(rules, list):
        raise ConfigError(f"config key alerts.rules must be a list of rules such as "
                          f"[{EXAMPLE}], got {rules!r}.")
    parsed: list[Rule] = []
    for index, item in enumerate(rules):
        parsed.append(_parse_rule(index, item, {r.name for r in parsed}))
    return parsed


def _parse_rule(index: int, item: Any, taken: set[str]) -> Rule:
    key = f"alerts.rules[{index}]"
    if not isinstance(item, dict):
        raise ConfigError(f"config key {key} must be a mapping such as {EXAMPLE}, got {item!r}.")
    name = item.get("name")
    if not isinstance(name, str) or not name.strip():
        raise ConfigError(f"config key {key}.name must be the rule's name (a non-empty text), "
                          f"got {name!r}.")
    if name in taken:
        raise ConfigError(f"config key {key}.name repeats {name!r}; rule names must be unique.")
    when = item.get("when")
    if not isinstance(when, str) or when not in RULE_KINDS:
        what = "is missing" if when is None else f"is {when!r}, not a rule kind"
        raise ConfigError(f"config key {key}.when {what}; choose one of "
                          f"{', '.join(RULE_KINDS)}.")
    severity = item.get("severity")
    severity = RULE_KINDS[when] if severity is None else severity
    if severity not in SEVERITIES:
        raise ConfigError(f"config key {key}.severity must be one of {', '.join(SEVERITIES)}, "
                          f"got {severity!r}.")
    schema = _SETTINGS[when]
    unknown = sorted(str(k) for k in item if k not in _COMMON and k not in schema)
    if unknown:
        raise ConfigError(f"config key {key}.{unknown[0]} is not a setting of rule kind "
                          f"{when} (settings: {', '.join([*_COMMON, *schema])}).")
    settings: dict[str, Any] = {}
    for setting, (required, check, default) in schema.items():
        if item.get(setting) is None:
            if required:
                raise ConfigError(f"config key {key}.{setting} is missing; rule kind {when} "
                                  f"needs {_HINTS.get(setting, setting)}.")
            settings[setting] = default
        else:
            settings[setting] = check(f"{key}.{setting}", item[setting])
    return Rule(index, name, str(when), str(severity), settings)


# --- what the rules read ------------------------------------------------------------


def anomaly_impacts(manifest: dict[str, Any], run_dir: Path) -> pd.Series | str:
    """The absolute ``money_impact`` of every flagged anomaly (the file named by
    ``manifest.artifacts.anomalies``), or a sentence saying why there are none to read."""
    relative = (manifest.get("artifacts") or {}).get("anomalies")
    if not relative:
        return "no anomalies file, so the detect stage did not run"
    try:
        frame = pd.read_csv(Path(run_dir) / str(relative), usecols=["money_impact"])
    except (OSError, ValueError) as error:
        return f"{relative} could not be read ({type(error).__name__})"
    return pd.to_numeric(frame["money_impact"], errors="coerce").abs().dropna()


def realized_accuracy(manifest: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]] | str:
    """``(manifest.forecast.realized, its scores of the model the earlier run chose)``, or a
    sentence saying why there are none."""
    realized = (manifest.get("forecast") or {}).get("realized")
    if not isinstance(realized, dict) or not isinstance(realized.get("models"), dict):
        note = realized.get("note") if isinstance(realized, dict) else None
        return str(note or "no earlier forecast was scored in this run").rstrip(".")
    model = realized.get("model")
    scores = realized["models"].get(model)
    if not isinstance(scores, dict):
        return f"the realised accuracy has no scores for model {model!r}"
    return realized, scores


def interval_level(manifest: dict[str, Any], realized: dict[str, Any] | None = None
                   ) -> float | None:
    """The primary prediction interval level of the scored forecasts
    (``manifest.forecast.realized.interval_level``: the earlier run's), else this run's
    (``manifest.forecast.interval_level``)."""
    for level in ((realized or {}).get("interval_level"),
                  (manifest.get("forecast") or {}).get("interval_level")):
        if _is_number(level):
            return float(level)
    return None


def drift_summary(manifest: dict[str, Any]) -> dict[str, Any] | str:
    """``manifest.data.drift`` when the run checked drift, or a sentence saying why not."""
    drift = (manifest.get("data") or {}).get("drift")
    if not isinstance(drift, dict) or drift.get("status") is None:
        note = drift.get("note") if isinstance(drift, dict) else None
        return str(note or "no drift check in this run").rstrip(".")
    return drift


# --- evaluating ---------------------------------------------------------------------


def evaluate(rules: list[Rule], manifest: dict[str, Any], run_dir: str | Path, *,
             error: BaseException | None = None, stage: str | None = None,
             currency: str = "IDR") -> list[Outcome]:
    """Every rule's verdict on one finished run: on a failed run (``error`` given) only
    ``run_failed`` rules can fire; on a successful one every other rule is checked."""
    outcomes = []
    for rule in rules:
        if (rule.when == "run_failed") != (error is not None):
            outcomes.append(_quiet(rule, "the run succeeded" if error is None
                                   else "it is not checked on a failed run"))
        elif error is not None:
            outcomes.append(_run_failed(rule, manifest, error, stage))
        else:
            check = _EVALUATORS[rule.when]
            outcomes.append(check(rule, manifest, Path(run_dir), currency))
    return outcomes


def _quiet(rule: Rule, reason: str, facts: dict[str, Any] | None = None) -> Outcome:
    return Outcome(rule, False, rule.name, f"Rule {rule.name} did not fire: {reason}.",
                   facts or {})


def _anomaly_money(rule: Rule, manifest: dict[str, Any], run_dir: Path,
                   currency: str) -> Outcome:
    above = rule.settings["above"]
    impacts = anomaly_impacts(manifest, run_dir)
    if isinstance(impacts, str):
        return _quiet(rule, impacts)
    over = impacts[impacts > above]

    def money(value: float) -> str:
        return format_money(value, currency)

    if over.empty:
        return _quiet(rule, f"no flagged anomaly's money impact is above {money(above)} "
                            f"({len(impacts)} flagged)", {"count": 0, "above": above})
    count, largest, total = len(over), float(over.max()), float(over.sum())
    facts = {"count": count, "largest": round(largest, 2), "total": round(total, 2),
             "above": above, "flagged": len(impacts)}
    noun = "anomaly has" if count == 1 else "anomalies have"
    return Outcome(rule, True, f"{count} anomal{'y' if count == 1 else 'ies'} above "
                               f"{money(above)}",
                   f"{count} flagged {noun} a money impact above {money(above)} (largest "
                   f"{money(largest)}, together {money(total)}).", facts)


def _realized_mase(rule: Rule, manifest: dict[str, Any], run_dir: Path,
                   currency: str) -> Outcome:
    found = realized_accuracy(manifest)
    if isinstance(found, str):
        return _quiet(rule, found)
    realized, scores = found
    above, mase, model = rule.settings["above"], scores.get("mase"), realized.get("model")
    if not _is_number(mase):
        return _quiet(rule, f"the realised MASE of {model} is unknown")
    facts = {"model": model, "mase": round(mase, 4), "above": above,
             "bias_pct": scores.get("bias_pct"), "source_run": realized.get("source_run"),
             "periods": realized.get("periods"), "series": realized.get("series")}
    if not mase > above:
        return _quiet(rule, f"the realised MASE of {model} is {mase:.3f}, not above {above:g}",
                      facts)
    return Outcome(rule, True, f"Realised MASE {mase:.2f} above {above:g}",
                   f"The forecasts of {model} from run {realized.get('source_run')} scored a "
                   f"realised MASE of {mase:.3f} against the actuals, above {above:g} "
                   f"({realized.get('periods')} periods, {realized.get('series')} series).",
                   facts)


def _realized_coverage(rule: Rule, manifest: dict[str, Any], run_dir: Path,
                       currency: str) -> Outcome:
    found = realized_accuracy(manifest)
    if isinstance(found, str):
        return _quiet(rule, found)
    realized, scores = found
    level = rule.settings["level"] or interval_level(manifest, realized)
    if level is None:
        return _quiet(rule, "the run has no prediction interval level; set level in the rule")
    pct = str(round(level * 100))
    coverage = (scores.get("coverage") or {}).get(pct)
    model, below = realized.get("model"), rule.settings["below"]
    if not _is_number(coverage):
        return _quiet(rule, f"no realised coverage of {model}'s {pct}% intervals")
    facts = {"model": model, "level": pct, "coverage": round(coverage, 4), "below": below,
             "source_run": realized.get("source_run"), "periods": realized.get("periods")}
    if not coverage < below:
        return _quiet(rule, f"{coverage:.1%} of actuals fell inside {model}'s {pct}% "
                            f"intervals, not below {below:.1%}", facts)
    return Outcome(rule, True, f"Interval coverage {coverage:.0%} below {below:.0%}",
                   f"Only {coverage:.1%} of the actuals fell inside the {pct}% prediction "
                   f"intervals of {model} from run {realized.get('source_run')}, below "
                   f"{below:.1%}.", facts)


def _drift(rule: Rule, manifest: dict[str, Any], run_dir: Path, currency: str) -> Outcome:
    drift = drift_summary(manifest)
    if isinstance(drift, str):
        return _quiet(rule, drift)
    status, reference = str(drift["status"]), drift.get("reference_run")
    given = drift.get("largest")
    largest = given if isinstance(given, dict) else {}
    facts = {"status": status, "reference_run": reference, "column": largest.get("column"),
             "statistic": largest.get("statistic"), "value": largest.get("value")}
    if status not in rule.settings["status"]:
        return _quiet(rule, f"the drift status is {status}", facts)
    worst = ""
    if largest.get("column") is not None:
        value = largest.get("value")
        shown = f"{value:.3f}" if _is_number(value) else str(value)
        worst = (f"; the largest change is in {largest['column']} "
                 f"({largest.get('statistic')} {shown})")
    return Outcome(rule, True, f"Data drift: {status}",
                   f"The clean data has drift status {status} against run {reference}{worst}.",
                   facts)


def _run_failed(rule: Rule, manifest: dict[str, Any], error: BaseException,
                stage: str | None) -> Outcome:
    from salesforge.errors import describe_error

    reason = describe_error(error).rstrip(".")
    where = f" in stage {stage}" if stage else " before its first stage"
    facts = {"stage": stage, "error": type(error).__name__, "reason": reason}
    return Outcome(rule, True, f"Run {manifest.get('run_id')} failed",
                   f"Run {manifest.get('run_id')} failed{where}: {reason}.", facts)


_EVALUATORS: dict[str, Callable[[Rule, dict[str, Any], Path, str], Outcome]] = {
    "anomaly_money": _anomaly_money,
    "realized_mase": _realized_mase,
    "realized_coverage": _realized_coverage,
    "drift": _drift,
}
