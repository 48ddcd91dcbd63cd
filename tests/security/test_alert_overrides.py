"""Clients of the REST API and the results app never choose notifiers or alert rules: a
webhook URL, SMTP host or rule set from a client would make the server call out (SSRF) or
mail whoever the client likes."""

from __future__ import annotations

import pytest

from salesforge.client_overrides import CLIENT_GROUPS, SETTINGS, check_client_overrides
from salesforge.errors import ConfigError
from salesforge.plugin.manager import build_plugin_manager

REGISTRY = build_plugin_manager(entry_points=False).registry


@pytest.mark.parametrize("override", [
    "notifier=[webhook]",
    "notifier=webhook",
    "notifier=[log]",
    "notifier=[log,email]",
    "notifier.webhook.url_env=SALESFORGE_WEBHOOK_URL",
    "notifier.webhook.url_env=HOME",
    "notifier.webhook.timeout_s=1",
    "notifier.webhook.retries=100",
    "notifier.email.host=internal.example.com",
    "notifier.email.port=25",
    "notifier.email.to=[someone@example.com]",
    "notifier.email.password_env=AWS_SECRET_ACCESS_KEY",
    "alerts.rules=[]",
    "alerts.rules=[{name: x, when: run_failed}]",
    "alerts.rules.0.when=run_failed",
    "+notifier=[webhook]",
    "++alerts.rules=[{name: x, when: run_failed}]",
    "~notifier",
    "~alerts",
])
def test_a_client_may_not_set_notifiers_or_alert_rules(override):
    with pytest.raises(ConfigError) as caught:
        check_client_overrides([override], REGISTRY)
    assert "\n" not in str(caught.value)


def test_no_client_setting_or_group_reaches_notifiers_or_alerts():
    assert "notifier" not in CLIENT_GROUPS
    assert not [k for k in SETTINGS if k.split(".")[0] in ("notifier", "alerts")]
    assert {"log", "webhook", "email"} <= set(REGISTRY.names("notifier"))
