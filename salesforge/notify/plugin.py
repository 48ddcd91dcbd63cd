"""Built-in notifiers: ``log``, ``webhook`` and ``email``."""

from salesforge.notify.email_notifier import EmailNotifier, EmailNotifierConfig
from salesforge.notify.log_notifier import LogNotifier, LogNotifierConfig
from salesforge.notify.webhook_notifier import WebhookNotifier, WebhookNotifierConfig
from salesforge.plugin.markers import hookimpl
from salesforge.registry import Registry


@hookimpl
def salesforge_register_components(registry: Registry) -> None:
    registry.add("notifier", "log", LogNotifier, config=LogNotifierConfig)
    registry.add("notifier", "webhook", WebhookNotifier, config=WebhookNotifierConfig)
    registry.add("notifier", "email", EmailNotifier, config=EmailNotifierConfig)
