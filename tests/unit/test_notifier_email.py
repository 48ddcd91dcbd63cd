"""The e-mail notifier against a local SMTP server (aiosmtpd on 127.0.0.1): the message
arrives with its subject and body; the login comes from the environment variables the
settings name; credentials never travel in clear to another host."""

from __future__ import annotations

import email
import email.message
import email.policy
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest

from salesforge.base.notifier import Alert
from salesforge.errors import NotifierError
from salesforge.notify.email_notifier import EmailNotifier
from tests.conftest import free_port

aiosmtpd = pytest.importorskip("aiosmtpd", reason="the test extra installs aiosmtpd")

from aiosmtpd.controller import Controller  # noqa: E402
from aiosmtpd.smtp import AuthResult, LoginPassword  # noqa: E402

ALERT = Alert(run_id="20260101-000000-abcdef", rule="failed", severity="critical",
              title="Run 20260101-000000-abcdef failed",
              message="Run 20260101-000000-abcdef failed in stage load: file x.csv does not "
                      "exist.", facts={"stage": "load"}, run_dir="/runs/r1")


@dataclass
class Mailbox:
    port: int
    messages: list[email.message.EmailMessage] = field(default_factory=list)
    envelopes: list = field(default_factory=list)
    logins: list[tuple[bytes, bytes]] = field(default_factory=list)


class Sink:
    def __init__(self, box: Mailbox) -> None:
        self.box = box

    async def handle_DATA(self, server, session, envelope):
        self.box.envelopes.append(envelope)
        self.box.messages.append(email.message_from_bytes(envelope.content,
                                                          policy=email.policy.default))
        return "250 OK"


@pytest.fixture
def mailbox() -> Iterator[Mailbox]:
    """An SMTP server on a free loopback port that accepts the login alice / s3cret."""
    box = Mailbox(port=free_port())

    def authenticate(server, session, envelope, mechanism, auth_data):
        if isinstance(auth_data, LoginPassword):
            box.logins.append((auth_data.login, auth_data.password))
            return AuthResult(success=(auth_data.login, auth_data.password)
                              == (b"alice", b"s3cret"), handled=False)
        return AuthResult(success=False, handled=False)

    controller = Controller(Sink(box), hostname="127.0.0.1", port=box.port,
                            authenticator=authenticate, auth_require_tls=False)
    controller.start()
    try:
        yield box
    finally:
        controller.stop()


def notifier(box: Mailbox, **settings) -> EmailNotifier:
    return EmailNotifier(**{"host": "127.0.0.1", "port": box.port, "starttls": False,
                            "sender": "salesforge@example.com",
                            "to": ["planning@example.com", "ops@example.com"],
                            "username_env": "MY_SMTP_USER", "password_env": "MY_SMTP_PASS",
                            "timeout_s": 5.0, **settings})


@pytest.fixture(autouse=True)
def no_login(monkeypatch):
    for name in ("MY_SMTP_USER", "MY_SMTP_PASS", "SALESFORGE_SMTP_USER",
                 "SALESFORGE_SMTP_PASSWORD"):
        monkeypatch.delenv(name, raising=False)


def test_the_alert_arrives_with_subject_and_body(mailbox):
    notifier(mailbox).send(ALERT)
    [message] = mailbox.messages
    assert message["Subject"] == "[salesforge] critical: Run 20260101-000000-abcdef failed"
    assert message["From"] == "salesforge@example.com"
    assert mailbox.envelopes[0].rcpt_tos == ["planning@example.com", "ops@example.com"]
    body = message.get_content()
    assert body.startswith(ALERT.message)
    assert "Rule: failed (critical)" in body and "  stage: load" in body
    assert mailbox.logins == []  # no login variables set: no login


def test_the_login_comes_from_the_environment_variables_the_settings_name(mailbox,
                                                                          monkeypatch):
    monkeypatch.setenv("MY_SMTP_USER", "alice")
    monkeypatch.setenv("MY_SMTP_PASS", "s3cret")
    monkeypatch.setenv("SALESFORGE_SMTP_USER", "mallory")  # the default names are not used
    monkeypatch.setenv("SALESFORGE_SMTP_PASSWORD", "nope")
    sender = notifier(mailbox)
    sender.send(ALERT)
    assert mailbox.logins == [(b"alice", b"s3cret")] and len(mailbox.messages) == 1
    assert "s3cret" not in repr(sender) and "alice" not in repr(sender)


def test_a_refused_login_fails_without_showing_the_password(mailbox, monkeypatch):
    monkeypatch.setenv("MY_SMTP_USER", "alice")
    monkeypatch.setenv("MY_SMTP_PASS", "wrong-password")
    with pytest.raises(NotifierError) as caught:
        notifier(mailbox).send(ALERT)
    assert "refused the login from MY_SMTP_USER and MY_SMTP_PASS" in str(caught.value)
    assert "wrong-password" not in str(caught.value) and not mailbox.messages


def test_starttls_on_a_server_without_it_sends_nothing(mailbox):
    with pytest.raises(NotifierError, match=r"through 127\.0\.0\.1:\d+ failed: STARTTLS"):
        notifier(mailbox, starttls=True).send(ALERT)
    assert not mailbox.messages


@pytest.mark.parametrize(("settings", "env", "message"), [
    ({"host": None}, {}, "config key notifier.email.host is not set"),
    ({"sender": ""}, {}, "config key notifier.email.sender must be the From address"),
    ({"to": []}, {}, "config key notifier.email.to must be a list of e-mail addresses"),
    ({"to": ["nobody"]}, {}, "config key notifier.email.to must be a list"),
    ({"port": 0}, {}, "config key notifier.email.port must be a port number"),
    ({}, {"MY_SMTP_USER": "alice"}, "environment variable MY_SMTP_USER is set but MY_SMTP_PASS "
                                    "(config key notifier.email.password_env) is not"),
    ({"host": "smtp.example.com"}, {"MY_SMTP_USER": "alice", "MY_SMTP_PASS": "s3cret"},
     "config key notifier.email.starttls is false, so the login in MY_SMTP_USER would cross"),
])
def test_missing_or_unsafe_settings_are_refused_before_connecting(monkeypatch, settings, env,
                                                                  message):
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    sender = EmailNotifier(**{"host": "127.0.0.1", "port": 9, "starttls": False,
                              "sender": "salesforge@example.com", "to": ["a@example.com"],
                              "username_env": "MY_SMTP_USER", "password_env": "MY_SMTP_PASS",
                              **settings})
    with pytest.raises(NotifierError) as caught:
        sender.check()
    assert message in str(caught.value) and "\n" not in str(caught.value)
    assert "s3cret" not in str(caught.value)
