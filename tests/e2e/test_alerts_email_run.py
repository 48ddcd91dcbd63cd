"""End to end by e-mail: ``salesforge run`` on the bundled sample with the email notifier
pointed at a local SMTP server (aiosmtpd on 127.0.0.1): a matching rule sends exactly one
message per run, a rule that does not match sends none."""

from __future__ import annotations

import email
import email.policy
import json
from collections.abc import Iterator

import pytest

from tests.conftest import free_port, run_cli

aiosmtpd = pytest.importorskip("aiosmtpd", reason="the test extra installs aiosmtpd")
from aiosmtpd.controller import Controller  # noqa: E402

FAST = ("stages.features=false", "stages.forecast=false", "stages.segment=false",
        "stages.analytics=false", "stages.report=false", "detect.series=false",
        "notifier=[email]", "notifier.email.host=127.0.0.1", "notifier.email.starttls=false",
        "notifier.email.sender=salesforge@example.com",
        "notifier.email.to=[planner@example.com]")


class Inbox:
    def __init__(self) -> None:
        self.messages: list[email.message.EmailMessage] = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(email.message_from_bytes(envelope.content,
                                                      policy=email.policy.default))
        return "250 OK"


@pytest.fixture
def smtp(monkeypatch) -> Iterator[tuple[Inbox, int]]:
    for name in ("SALESFORGE_SMTP_USER", "SALESFORGE_SMTP_PASSWORD"):
        monkeypatch.delenv(name, raising=False)
    inbox, port = Inbox(), free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


@pytest.mark.slow  # a fresh interpreter (or a long fit): the full tier runs it
@pytest.mark.parametrize(("above", "expected"), [(0, 1), (1e18, 0)])
def test_a_rule_mails_exactly_once_when_it_matches_and_never_otherwise(smtp, tmp_path, above,
                                                                        expected):
    inbox, port = smtp
    run_dir = tmp_path / "run"
    result = run_cli("run", *FAST, f"notifier.email.port={port}",
                     f"alerts.rules=[{{name: big_anomaly, when: anomaly_money, above: {above}}}]",
                     f"hydra.run.dir={run_dir}", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert len(inbox.messages) == expected
    record = json.loads((run_dir / "alerts.json").read_text())
    assert record["fired"] == expected
    if expected:
        [message] = inbox.messages
        assert message["To"] == "planner@example.com"
        assert message["Subject"].startswith("[salesforge] warning: ")
        assert "above" in message["Subject"] and "anomal" in message["Subject"]
        assert record["rules"][0]["notifiers"] == {"email": "sent"}
