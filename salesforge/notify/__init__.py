"""Built-in notifiers (``log``, ``webhook``, ``email``) and the alerting plugin that
evaluates ``alerts.rules`` once per run and sends each fired alert to every notifier
selected by the ``notifier`` list group (see docs/alerts.md)."""
