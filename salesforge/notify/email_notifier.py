"""``notifier=email``: each alert as a plain-text e-mail over SMTP (STARTTLS by default).

The login comes only from the environment variables *named* by ``username_env`` and
``password_env`` (neither set: no login). Credentials never cross the network in clear:
with ``starttls: false`` a login is only attempted to a loopback host.
"""

from __future__ import annotations

import ipaddress
import os
import smtplib
import ssl
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any

from salesforge.base.notifier import Alert, Notifier
from salesforge.errors import NotifierError

KEY = "notifier.email"


@dataclass
class EmailNotifierConfig:
    """Settings of ``notifier=email``."""

    #: SMTP server, e.g. smtp.example.com (required).
    host: str | None = None
    #: SMTP port (587 = submission with STARTTLS).
    port: int = 587
    #: Upgrade the connection with STARTTLS before logging in and sending.
    starttls: bool = True
    #: The From address (required).
    sender: str | None = None
    #: Recipient addresses (required).
    to: list[str] = field(default_factory=list)
    #: Name of the environment variable that holds the SMTP login (unset: no login).
    username_env: str = "SALESFORGE_SMTP_USER"
    #: Name of the environment variable that holds the SMTP password.
    password_env: str = "SALESFORGE_SMTP_PASSWORD"
    #: Seconds to wait for the connection and for each SMTP command.
    timeout_s: float = 10.0


def email_text(alert: Alert) -> str:
    """The e-mail body: the sentence, then the rule, the run and the facts."""
    lines = [alert.message, "", f"Rule: {alert.rule} ({alert.severity})",
             f"Run: {alert.run_id}"]
    if alert.run_dir:
        lines.append(f"Run directory: {alert.run_dir}")
    if alert.facts:
        lines += ["", "Facts:", *(f"  {k}: {v}" for k, v in alert.facts.items())]
    return "\n".join(lines) + "\n"


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def _is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@dataclass(eq=False)
class EmailNotifier(Notifier, EmailNotifierConfig):
    """Sends each alert as a plain-text e-mail through an SMTP server (STARTTLS)."""

    sends_over_network = True

    def check(self) -> None:
        if not self.host:
            raise NotifierError(f"config key {KEY}.host is not set; give the SMTP server, e.g. "
                                f"{KEY}.host=smtp.example.com.")
        if type(self.port) is not int or not 1 <= self.port <= 65535:
            raise NotifierError(f"config key {KEY}.port must be a port number from 1 to 65535, "
                                f"got {self.port!r}.")
        if not self.sender or "@" not in str(self.sender):
            raise NotifierError(f"config key {KEY}.sender must be the From address, e.g. "
                                f"{KEY}.sender=salesforge@example.com.")
        recipients = list(self.to or [])
        if not recipients or not all(isinstance(r, str) and "@" in r for r in recipients):
            raise NotifierError(f"config key {KEY}.to must be a list of e-mail addresses, e.g. "
                                f"'{KEY}.to=[planning@example.com]'.")
        if type(self.timeout_s) not in (int, float) or self.timeout_s <= 0:
            raise NotifierError(f"config key {KEY}.timeout_s must be a number of seconds above "
                                f"0, got {self.timeout_s!r}.")
        user, _ = self._credentials()
        if user and not self.starttls and not _is_loopback(str(self.host)):
            raise NotifierError(f"config key {KEY}.starttls is false, so the login in "
                                f"{self.username_env} would cross the network in clear; turn "
                                "STARTTLS on or unset the login variables.")

    def _credentials(self) -> tuple[str | None, str | None]:
        """The login from the environment variables named by the settings, or ``(None,
        None)``; only one of the two set is an error."""
        user = os.environ.get(self.username_env) if self.username_env else None
        password = os.environ.get(self.password_env) if self.password_env else None
        if bool(user) != bool(password):
            have, lack, key = ((self.username_env, self.password_env, "password_env") if user
                               else (self.password_env, self.username_env, "username_env"))
            raise NotifierError(f"environment variable {have} is set but {lack} (config key "
                                f"{KEY}.{key}) is not; export both or neither.")
        return (user, password) if user else (None, None)

    def message(self, alert: Alert) -> EmailMessage:
        """The e-mail for ``alert``."""
        message = EmailMessage()
        message["Subject"] = _one_line(f"[salesforge] {alert.severity}: {alert.title}")
        message["From"] = _one_line(str(self.sender))
        message["To"] = ", ".join(_one_line(r) for r in self.to or [])
        message.set_content(email_text(alert))
        return message

    def _send(self, alert: Alert) -> None:
        user, password = self._credentials()
        where = f"{self.host}:{self.port}"
        try:
            with smtplib.SMTP(str(self.host), int(self.port),
                              timeout=float(self.timeout_s)) as smtp:
                if self.starttls:
                    smtp.starttls(context=ssl.create_default_context())
                if user and password:
                    smtp.login(user, password)
                smtp.send_message(self.message(alert))
        except smtplib.SMTPAuthenticationError:
            raise NotifierError(f"the SMTP server {where} refused the login from "
                                f"{self.username_env} and {self.password_env}.") from None
        except (smtplib.SMTPException, OSError, ValueError) as error:
            reason = _redact(_one_line(str(error)) or type(error).__name__, user, password)
            raise NotifierError(f"sending e-mail through {where} failed: {reason}.") from None


def _redact(text: str, *secrets: Any) -> str:
    for secret in secrets:
        if secret:
            text = text.replace(str(secret), "***")
    return text
