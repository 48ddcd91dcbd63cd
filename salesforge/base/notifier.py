"""Notifiers deliver alerts (log lines, webhook posts, e-mails) when an alert rule fires.

The alerting plugin (:mod:`salesforge.notify.alerting`) evaluates ``alerts.rules`` once per
run and hands every fired :class:`Alert` to each notifier selected by the ``notifier`` list
group. A notifier reads secrets (URLs, passwords) only from environment variables whose
*names* its settings hold, at send time; it never stores them on itself, in the manifest
or in a log line.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import asdict, dataclass, field
from typing import Any, ClassVar

from salesforge.base.component import Component
from salesforge.errors import NotifierError

__all__ = ["SEVERITIES", "Alert", "Notifier", "NotifierError"]

#: Alert severities, least to most urgent.
SEVERITIES: tuple[str, ...] = ("info", "warning", "critical")


@dataclass(frozen=True)
class Alert:
    """One fired alert rule of one run.

    :param run_id: the run's id (``manifest.run_id``).
    :param rule: the rule's ``name`` in ``alerts.rules``.
    :param severity: one of :data:`SEVERITIES`.
    :param title: a short headline (e-mail subject, Slack header).
    :param message: one human sentence saying what happened.
    :param facts: the numbers behind the message (JSON values).
    :param run_dir: the run directory, as text.
    """

    run_id: str
    rule: str
    severity: str
    title: str
    message: str
    facts: dict[str, Any] = field(default_factory=dict)
    run_dir: str = ""

    def as_dict(self) -> dict[str, Any]:
        """The alert's fields as a plain dict (webhook bodies, ``alerts.json``)."""
        return asdict(self)


class Notifier(Component, ABC):
    """``send(alert)`` delivers one alert or raises :class:`NotifierError` saying why.

    Subclasses write ``_send``; one that needs settings or secrets to work overrides
    :meth:`check` (no network there) and sets ``sends_over_network = True``. A failing
    notifier never changes a run's outcome: the alerting plugin logs the failure and records
    it in ``alerts.json``.
    """

    #: True when the notifier reaches another machine (the contract suite then expects
    #: :meth:`check` to refuse the default, unconfigured settings without any network use).
    sends_over_network: ClassVar[bool] = False

    def check(self) -> None:
        """Raise :class:`NotifierError` (one sentence naming the config key) when a setting
        or an environment variable the notifier needs is missing; never touches the network.

        The alerting plugin calls it when a run starts, so a misconfigured notifier fails
        the run at once rather than after hours of work.
        """

    def send(self, alert: Alert) -> None:
        """Deliver ``alert``; raises :class:`NotifierError` on failure."""
        if not isinstance(alert, Alert):
            raise TypeError(f"{type(self).__name__}.send takes an Alert, got {type(alert)!r}")
        self.check()
        self._send(alert)

    @abstractmethod
    def _send(self, alert: Alert) -> None:
        """Deliver ``alert`` (settings already checked); raise :class:`NotifierError`."""
