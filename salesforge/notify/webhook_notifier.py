"""``notifier=webhook``: each alert as a JSON POST with a Slack-compatible body.

The URL is a secret (a Slack incoming-webhook URL is its own credential), so it only ever
comes from the environment variable named by ``url_env``; it is read at send time and
never stored, logged or written to the manifest. Connection errors, timeouts, HTTP 429 and
5xx answers are retried ``retries`` times with exponential backoff (``backoff_s``, then
twice that, ...); any other non-2xx answer, redirects included, fails at once.
"""

from __future__ import annotations

import http.client
import json
import os
import urllib.error
import urllib.request
from dataclasses import dataclass
from time import sleep
from typing import Any
from urllib.parse import urlsplit

from salesforge import __version__
from salesforge.base.notifier import Alert, Notifier
from salesforge.errors import NotifierError

KEY = "notifier.webhook"
#: Longest wait between attempts, also for a server's ``Retry-After``.
MAX_DELAY_S = 60.0


@dataclass
class WebhookNotifierConfig:
    """Settings of ``notifier=webhook``."""

    #: Name of the environment variable that holds the webhook URL (never the URL itself).
    url_env: str = "SALESFORGE_WEBHOOK_URL"
    #: Seconds to wait for an answer, per attempt.
    timeout_s: float = 10.0
    #: Further attempts after a connection error, a timeout, HTTP 429 or a 5xx answer.
    retries: int = 3
    #: Seconds before the first retry; doubled before each next one.
    backoff_s: float = 1.0


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A webhook that redirects is misconfigured: fail instead of posting elsewhere."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_OPENER = urllib.request.build_opener(_NoRedirect)


class _Retryable(Exception):
    def __init__(self, reason: str, delay: float | None = None) -> None:
        super().__init__(reason)
        self.delay = delay


def _escape(text: str) -> str:
    """Slack mrkdwn escaping (``&``, ``<``, ``>``)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def slack_body(alert: Alert) -> dict[str, Any]:
    """The POST body: Slack's ``text`` and ``blocks``, plus every alert field under
    ``salesforge`` for other receivers."""
    facts = ", ".join(f"{k}: {v}" for k, v in alert.facts.items())
    context = f"run `{alert.run_id}` · rule `{alert.rule}` · {alert.severity}"
    return {
        "text": f"[{alert.severity}] {alert.title}: {alert.message}",
        "blocks": [
            {"type": "header", "text": {"type": "plain_text", "text": alert.title[:150]}},
            {"type": "section", "text": {"type": "mrkdwn", "text": _escape(alert.message)}},
            {"type": "context", "elements": [
                {"type": "mrkdwn", "text": _escape(context + (f" · {facts}" if facts else ""))}]},
        ],
        "salesforge": alert.as_dict(),
    }


@dataclass(eq=False)
class WebhookNotifier(Notifier, WebhookNotifierConfig):
    """POSTs each alert as JSON (Slack-compatible) to the URL in an environment variable."""

    sends_over_network = True

    def check(self) -> None:
        self._url()
        if not _number(self.timeout_s) or self.timeout_s <= 0:
            raise NotifierError(f"config key {KEY}.timeout_s must be a number of seconds above "
                                f"0, got {self.timeout_s!r}.")
        if type(self.retries) is not int or self.retries < 0:
            raise NotifierError(f"config key {KEY}.retries must be a whole number from 0, "
                                f"got {self.retries!r}.")
        if not _number(self.backoff_s) or self.backoff_s < 0:
            raise NotifierError(f"config key {KEY}.backoff_s must be a number of seconds from "
                                f"0, got {self.backoff_s!r}.")

    def _url(self) -> str:
        name = str(self.url_env or "").strip()
        if not name:
            raise NotifierError(f"config key {KEY}.url_env is empty; set it to the name of the "
                                "environment variable that holds the webhook URL.")
        url = os.environ.get(name, "").strip()
        if not url:
            raise NotifierError(f"config key {KEY}.url_env names environment variable {name}, "
                                "which is not set; export the webhook URL in it.")
        try:
            parts = urlsplit(url)
            usable = parts.scheme.lower() in ("http", "https") and bool(parts.hostname)
        except ValueError:
            usable = False
        if not usable:
            raise NotifierError(f"environment variable {name} (config key {KEY}.url_env) must "
                                "hold an http:// or https:// URL.")
        return url

    def _send(self, alert: Alert) -> None:
        url = self._url()
        body = json.dumps(slack_body(alert), ensure_ascii=False, default=str).encode("utf-8")
        attempts = 1 + self.retries
        reason, delay = "", 0.0
        for attempt in range(attempts):
            if attempt:
                sleep(delay)
            try:
                self._post(url, body)
                return
            except _Retryable as error:
                reason = str(error).replace(url, "<webhook url>")
                delay = min(MAX_DELAY_S, max(self.backoff_s * 2 ** attempt, error.delay or 0))
        raise NotifierError(f"the webhook failed after {attempts} attempt"
                            f"{'s' if attempts > 1 else ''}: {reason}.")

    def _post(self, url: str, body: bytes) -> None:
        """One attempt: return on 2xx; raise :class:`_Retryable` or :class:`NotifierError`."""
        request = urllib.request.Request(url, data=body, method="POST", headers={
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": f"salesforge/{__version__}"})
        try:
            with _OPENER.open(request, timeout=float(self.timeout_s)) as response:
                response.read(65536)
                return
        except urllib.error.HTTPError as error:
            status = error.code
            retry_after = error.headers.get("Retry-After") if error.headers else None
            error.close()
        except (urllib.error.URLError, http.client.HTTPException, OSError) as error:
            cause = getattr(error, "reason", error)
            text = "timed out" if isinstance(cause, TimeoutError) else str(cause) or type(
                cause).__name__
            raise _Retryable(f"no answer ({text})") from None
        if status == 429 or status >= 500:
            raise _Retryable(f"HTTP {status}", _seconds(retry_after))
        raise NotifierError(f"the webhook answered HTTP {status}, which is not retried; check "
                            f"the URL in the environment variable named by {KEY}.url_env.")


def _number(value: Any) -> bool:
    return type(value) in (int, float)


def _seconds(value: str | None) -> float | None:
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None
