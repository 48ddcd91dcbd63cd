"""The webhook notifier against a local HTTP server: Slack-compatible body, retries on 503
and 429 with backoff, none on 400, a timeout, and the URL only ever from the environment."""

from __future__ import annotations

import pytest

from salesforge.base.notifier import Alert
from salesforge.errors import NotifierError
from salesforge.notify import webhook_notifier
from salesforge.notify.webhook_notifier import WebhookNotifier, slack_body
from tests.conftest import webhook_server

ALERT = Alert(run_id="20260101-000000-abcdef", rule="big_anomaly", severity="warning",
              title="2 anomalies above Rp 1.000.000",
              message="2 flagged anomalies have a money impact above Rp 1.000.000 <now>.",
              facts={"count": 2, "largest": 5e6, "total": 7e6}, run_dir="/runs/r1")


@pytest.fixture(autouse=True)
def no_proxy(monkeypatch):
    for name in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "all_proxy",
                 "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)


def notifier(monkeypatch, url: str, **settings) -> WebhookNotifier:
    monkeypatch.setenv("MY_HOOK", url)
    return WebhookNotifier(url_env="MY_HOOK", **{"backoff_s": 0.01, **settings})


def test_the_body_is_slack_compatible_and_carries_every_alert_field(monkeypatch):
    with webhook_server() as server:
        notifier(monkeypatch, server.url).send(ALERT)
    [body] = server.bodies
    assert body["text"] == f"[warning] {ALERT.title}: {ALERT.message}"
    assert [b["type"] for b in body["blocks"]] == ["header", "section", "context"]
    assert body["blocks"][0]["text"] == {"type": "plain_text", "text": ALERT.title}
    assert body["blocks"][1]["text"]["text"].endswith("&lt;now&gt;.")  # mrkdwn escaped
    assert "rule `big_anomaly`" in body["blocks"][2]["elements"][0]["text"]
    assert body["salesforge"] == {"run_id": ALERT.run_id, "rule": "big_anomaly",
                                  "severity": "warning", "title": ALERT.title,
                                  "message": ALERT.message, "run_dir": "/runs/r1",
                                  "facts": {"count": 2, "largest": 5e6, "total": 7e6}}
    assert slack_body(ALERT) == body


def test_503_then_429_are_retried_with_backoff_until_success(monkeypatch):
    waits: list[float] = []
    monkeypatch.setattr(webhook_notifier, "sleep", waits.append)
    with webhook_server(answers=[503, 429]) as server:
        notifier(monkeypatch, server.url, retries=3, backoff_s=0.5).send(ALERT)
    assert len(server.bodies) == 3 and server.bodies[0] == server.bodies[2]
    assert waits == [0.5, 1.0]  # exponential backoff


def test_retries_run_out_with_one_sentence(monkeypatch):
    with webhook_server(answers=[500, 502, 503]) as server, \
            pytest.raises(NotifierError) as caught:
        notifier(monkeypatch, server.url, retries=2).send(ALERT)
    assert len(server.bodies) == 3
    assert str(caught.value) == "the webhook failed after 3 attempts: HTTP 503."


@pytest.mark.parametrize("status", [400, 404, 301])
def test_other_answers_are_not_retried(monkeypatch, status):
    with webhook_server(answers=[status]) as server, \
            pytest.raises(NotifierError, match=f"answered HTTP {status}, which is not retried"):
        notifier(monkeypatch, server.url, retries=3).send(ALERT)
    assert len(server.bodies) == 1


def test_a_slow_server_times_out_and_the_error_hides_the_url(monkeypatch):
    with webhook_server(delay_s=1.0) as server, pytest.raises(NotifierError) as caught:
        notifier(monkeypatch, server.url, timeout_s=0.2, retries=1).send(ALERT)
    assert len(server.bodies) == 2  # the timeout was retried once
    assert "timed out" in str(caught.value) and "s3cr3t" not in str(caught.value)


def test_a_refused_connection_is_retried_then_reported(monkeypatch):
    from tests.conftest import free_port

    url = f"http://127.0.0.1:{free_port()}/hook"
    with pytest.raises(NotifierError, match="failed after 2 attempts: no answer"):
        notifier(monkeypatch, url, retries=1, timeout_s=2).send(ALERT)


@pytest.mark.parametrize(("env", "settings", "message"), [
    (None, {}, "config key notifier.webhook.url_env names environment variable MY_HOOK, "
               "which is not set"),
    ("", {}, "which is not set"),
    ("file:///etc/passwd", {}, "must hold an http:// or https:// URL"),
    ("http://127.0.0.1:9/x", {"url_env": ""}, "config key notifier.webhook.url_env is empty"),
    ("http://127.0.0.1:9/x", {"retries": -1}, "config key notifier.webhook.retries"),
    ("http://127.0.0.1:9/x", {"timeout_s": 0}, "config key notifier.webhook.timeout_s"),
    ("http://127.0.0.1:9/x", {"backoff_s": "x"}, "config key notifier.webhook.backoff_s"),
])
def test_missing_or_bad_settings_are_refused_before_any_request(monkeypatch, env, settings,
                                                                 message):
    monkeypatch.delenv("MY_HOOK", raising=False)
    if env is not None:
        monkeypatch.setenv("MY_HOOK", env)
    hook = WebhookNotifier(**{"url_env": "MY_HOOK", **settings})
    for call in (hook.check, lambda: hook.send(ALERT)):
        with pytest.raises(NotifierError) as caught:
            call()
        assert message in str(caught.value) and "\n" not in str(caught.value)
        assert not env or env not in str(caught.value)  # the URL itself is never shown
