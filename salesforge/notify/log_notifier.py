"""``notifier=log``: every alert as one WARNING line on the ``salesforge.alerts`` logger."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from salesforge.base.notifier import Alert, Notifier

log = logging.getLogger("salesforge.alerts")


@dataclass
class LogNotifierConfig:
    """``notifier=log`` has no settings."""


@dataclass(eq=False)
class LogNotifier(Notifier, LogNotifierConfig):
    """Logs each alert at WARNING on the salesforge.alerts logger (terminal, run log, JSON logs)."""

    def _send(self, alert: Alert) -> None:
        log.warning("alert %s (%s): %s", alert.rule, alert.severity, alert.message,
                    extra={"run_id": alert.run_id, "alert_rule": alert.rule,
                           "severity": alert.severity, "facts": alert.facts})
