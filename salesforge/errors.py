"""User-facing errors: each message is one sentence that says what is wrong and what to do."""


class SalesforgeError(Exception):
    """A failure the user can fix; the CLI prints ``str(error)`` alone and exits non-zero."""

    exit_code = 2


class ConfigError(SalesforgeError):
    """A configuration value or override is wrong; the message names the config key."""


class DataError(SalesforgeError):
    """Input data cannot be used; the message names the file, column or row."""


class PluginError(SalesforgeError):
    """A plugin or component cannot be found, loaded or registered."""


class DuplicateComponentError(PluginError):
    """Two distributions register a component with the same kind and name."""


class StageError(SalesforgeError):
    """A stage failed for a reason the user can act on."""


class NotifierError(SalesforgeError):
    """A notifier could not deliver an alert, or lacks a setting it needs to; the message
    names the config key or the reason, never a secret."""


class StageSkipped(Exception):
    """Raised by a stage that cannot work on this data (e.g. one product to segment);
    the runner records the stage as skipped with this note and the run goes on."""


def describe_error(error: BaseException) -> str:
    """The one sentence a user sees for ``error``: its message for a :class:`SalesforgeError`,
    else the exception type and the first line of its message, pointing to ``--verbose``."""
    if isinstance(error, SalesforgeError):
        return str(error)
    text = str(error).strip().splitlines()[0] if str(error).strip() else ""
    return f"{type(error).__name__}: {text}".rstrip(": ") + " (rerun with --verbose for details)."
