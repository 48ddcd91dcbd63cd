"""Built-in plugin raising alerts: ``alerts.rules`` evaluated once per run, each fired
alert sent to every notifier of the ``notifier`` list group.

- ``salesforge_run_start`` checks the rules and builds and checks the notifiers, so a bad
  rule, setting or missing environment variable fails the run at once (one
  :class:`~salesforge.errors.ConfigError` sentence naming the key), not after hours.
- ``salesforge_run_finish`` (status ok) or ``salesforge_run_error`` (failed) — the runner
  calls exactly one of them — evaluates the rules, sends each fired alert and records
  what happened in ``alerts.json`` and under the manifest key ``alerts`` (with the
  artifact ``alerts``), rewriting ``manifest.json`` atomically through
  :func:`salesforge.manifest.write_manifest`. With no rules nothing is written.

A notifier that fails is logged as a warning and recorded as ``failed: <reason>``; nothing
here ever changes a run's outcome. Secrets stay in the environment: only the *names* of
the variables are in the config, and no reason text carries a URL or password.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from typing import Any

from omegaconf import DictConfig, ListConfig, OmegaConf

from salesforge.base.notifier import Alert, Notifier
from salesforge.config import choices
from salesforge.errors import ConfigError, NotifierError, SalesforgeError
from salesforge.layout import RunLayout
from salesforge.manifest import to_jsonable, utc_now, write_manifest
from salesforge.notify.rules import Rule, evaluate, parse_rules
from salesforge.plugin.markers import hookimpl
from salesforge.schema import RunContext

log = logging.getLogger(__name__)

#: ``alerts.json`` in the run directory, also the manifest artifact key ``alerts``.
ALERTS = RunLayout.ALERTS
_PLAN = "alerts"  # key of the checked plan in ``context.plugin_state``


@dataclass
class AlertPlan:
    """The checked rules of a run and its notifiers, by name."""

    rules: list[Rule]
    notifiers: list[tuple[str, Notifier]] = field(default_factory=list)


def configured_rules(config: Any) -> list[Rule]:
    """``alerts.rules`` of a run config, checked (see :func:`parse_rules`)."""
    node = config.get("alerts") if config is not None else None
    if node is None:
        return []
    if not isinstance(node, DictConfig | dict):
        raise ConfigError("config key alerts must be a mapping with the key rules.")
    unknown = sorted(str(k) for k in node if k != "rules")
    if unknown:
        raise ConfigError(f"config key alerts.{unknown[0]} is not a setting (settings: rules).")
    rules = node.get("rules")
    if isinstance(rules, DictConfig | ListConfig):
        rules = OmegaConf.to_container(rules, resolve=True)
    return parse_rules(rules)


def build_plan(context: RunContext) -> AlertPlan:
    """Check the rules; with any, build and check every selected notifier.

    :raises ConfigError: a bad rule, notifier setting or missing environment variable.
    """
    rules = configured_rules(context.config)
    plan = AlertPlan(rules)
    if not rules:
        return plan
    for name, settings in choices(context.config, "notifier"):
        notifier = context.create("notifier", name, settings, key=f"notifier.{name}")
        try:
            notifier.check()
        except NotifierError as error:
            raise ConfigError(str(error)) from None
        plan.notifiers.append((name, notifier))
    return plan


def _reason(error: BaseException) -> str:
    if isinstance(error, SalesforgeError):
        text = str(error)
    else:
        first = str(error).strip().splitlines()[0] if str(error).strip() else ""
        text = f"{type(error).__name__}: {first}"
    return text.strip().rstrip(".: ")


def deliver(alert: Alert, notifiers: list[tuple[str, Notifier]]) -> dict[str, str]:
    """Send ``alert`` to every notifier: ``{name: "sent" | "failed: <reason>"}``."""
    outcomes = {}
    for name, notifier in notifiers:
        try:
            notifier.send(alert)
        except Exception as error:  # a third-party notifier may raise anything
            reason = _reason(error)
            outcomes[name] = f"failed: {reason}"
            log.warning("notifier %s could not send alert %s: %s", name, alert.rule, reason,
                        extra={"run_id": alert.run_id, "alert_rule": alert.rule})
        else:
            outcomes[name] = "sent"
    return outcomes


def raise_alerts(context: RunContext, plan: AlertPlan, *, error: BaseException | None = None,
                 stage: str | None = None) -> dict[str, Any]:
    """Evaluate the plan's rules on the finished run, send what fired; the record written
    to ``alerts.json`` and ``manifest.alerts``."""
    manifest = context.manifest
    currency = str((context.config.get("report") or {}).get("currency") or "IDR")
    outcomes = evaluate(plan.rules, manifest, context.run_dir, error=error, stage=stage,
                        currency=currency)
    entries = []
    for outcome in outcomes:
        rule = outcome.rule
        entry: dict[str, Any] = {
            "rule": rule.name, "when": rule.when, "severity": rule.severity,
            "fired": outcome.fired, "message": outcome.message,
            "facts": to_jsonable(outcome.facts), "notifiers": {}}
        if outcome.fired:
            alert = Alert(run_id=str(manifest.get("run_id")), rule=rule.name,
                          severity=rule.severity, title=outcome.title, message=outcome.message,
                          facts=dict(entry["facts"]), run_dir=str(context.run_dir))
            entry["notifiers"] = deliver(alert, plan.notifiers)
        entries.append(entry)
    return {"run_id": manifest.get("run_id"), "status": manifest.get("status"),
            "evaluated_at": utc_now(), "notifiers": [name for name, _ in plan.notifiers],
            "fired": sum(e["fired"] for e in entries), "rules": entries}


def record(context: RunContext, alerts: dict[str, Any]) -> None:
    """Write ``alerts.json`` and add ``alerts`` (and its artifact) to ``manifest.json``."""
    path = context.path(ALERTS)
    path.write_text(json.dumps(alerts, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    context.record_artifact("alerts", ALERTS)
    manifest = context.manifest
    manifest["alerts"] = alerts
    manifest.setdefault("artifacts", {})["alerts"] = ALERTS
    write_manifest(context.run_dir, manifest)


def _alert(context: RunContext, *, error: BaseException | None = None,
           stage: str | None = None) -> None:
    plan = context.plugin_state.get(_PLAN)
    try:
        if plan is None:  # the run failed before salesforge_run_start
            plan = build_plan(context)
    except SalesforgeError as problem:
        if error is None or str(problem) != str(error):
            log.warning("alerts were not evaluated: %s", problem)
        return
    if not plan.rules:
        return
    try:
        alerts = raise_alerts(context, plan, error=error, stage=stage)
        record(context, alerts)
    except Exception as problem:  # alerting never changes the run's outcome
        log.warning("alerts failed: %s: %s", type(problem).__name__, problem)
        return
    fired = [e["rule"] for e in alerts["rules"] if e["fired"]]
    log.info("alerts: %d of %d rules fired%s", len(fired), len(alerts["rules"]),
             f" ({', '.join(fired)})" if fired else "")


@hookimpl(tryfirst=True)
def salesforge_run_start(context: RunContext) -> None:
    """Check ``alerts.rules`` and the selected notifiers before the first stage."""
    context.plugin_state[_PLAN] = build_plan(context)


@hookimpl
def salesforge_run_finish(context: RunContext, manifest: dict[str, Any]) -> None:
    """Evaluate the rules on the successful run and send the alerts that fired."""
    _alert(context)


@hookimpl
def salesforge_run_error(context: RunContext, stage: str | None, error: BaseException) -> None:
    """Evaluate the ``run_failed`` rules and send the alerts that fired."""
    _alert(context, error=error, stage=stage)
