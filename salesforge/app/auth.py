"""Login for the results app: Panel's own basic auth or OAuth, chosen by ``app.auth``.

Secrets come only from the environment or the command line, never from ``config.yaml``
(the ``app:`` node is copied into every run's manifest):

- ``SALESFORGE_APP_AUTH`` (or ``--auth``) replaces ``app.auth``: ``auto`` (basic when a
  password is given, OAuth when a provider is named, else none), ``none``, ``basic`` or
  ``oauth``;
- ``SALESFORGE_APP_BASIC_AUTH`` (or ``--basic-auth``): one password for any user name, or
  the path of a JSON file ``{"user": "password", ...}`` (``app.basic_auth_file`` names
  such a file in the config);
- ``SALESFORGE_APP_COOKIE_SECRET`` (or ``--cookie-secret``): signs the login cookie;
- ``SALESFORGE_APP_OAUTH_KEY``, ``SALESFORGE_APP_OAUTH_SECRET``,
  ``SALESFORGE_APP_OAUTH_ENCRYPTION_KEY`` (or ``--oauth-key``, ``--oauth-secret``,
  ``--oauth-encryption-key``) with ``app.oauth_provider`` (``SALESFORGE_APP_OAUTH_PROVIDER``
  or ``--oauth-provider``) and ``app.oauth_redirect_uri`` (likewise).

Command-line options win over the environment, which wins over the config.
"""

from __future__ import annotations

import base64
import binascii
import ipaddress
import json
import logging
import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from salesforge.errors import ConfigError

AUTH_ENV = "SALESFORGE_APP_AUTH"
BASIC_AUTH_ENV = "SALESFORGE_APP_BASIC_AUTH"
COOKIE_SECRET_ENV = "SALESFORGE_APP_COOKIE_SECRET"
OAUTH_KEY_ENV = "SALESFORGE_APP_OAUTH_KEY"
OAUTH_SECRET_ENV = "SALESFORGE_APP_OAUTH_SECRET"
OAUTH_ENCRYPTION_KEY_ENV = "SALESFORGE_APP_OAUTH_ENCRYPTION_KEY"
#: Not secrets, but handy in containers: replace app.oauth_provider / app.oauth_redirect_uri.
OAUTH_PROVIDER_ENV = "SALESFORGE_APP_OAUTH_PROVIDER"
OAUTH_REDIRECT_URI_ENV = "SALESFORGE_APP_OAUTH_REDIRECT_URI"
MODES = ("auto", "none", "basic", "oauth")
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class AuthSettings:
    """How the app asks for a login; ``mode`` is ``none``, ``basic`` or ``oauth`` once
    resolved by :func:`auth_settings`. Secrets stay out of ``repr`` (and so out of logs)."""

    mode: str = "none"
    basic_auth: str | None = field(default=None, repr=False)
    cookie_secret: str | None = field(default=None, repr=False)
    oauth_provider: str | None = None
    oauth_key: str | None = field(default=None, repr=False)
    oauth_secret: str | None = field(default=None, repr=False)
    oauth_encryption_key: str | None = field(default=None, repr=False)
    oauth_redirect_uri: str | None = None

    @property
    def enabled(self) -> bool:
        return self.mode != "none"

    def check(self) -> None:
        """Raise a one-sentence :class:`ConfigError` when the chosen login lacks a secret."""
        if self.mode == "basic" and not self.basic_auth:
            raise ConfigError(f"app.auth is basic but no password is set; set {BASIC_AUTH_ENV} "
                              "(a password or a JSON file of user: password) or --basic-auth.")
        if self.mode != "oauth":
            return
        from panel.auth import AUTH_PROVIDERS

        if self.oauth_provider not in AUTH_PROVIDERS:
            raise ConfigError(f"app.auth is oauth but config key app.oauth_provider "
                              f"({OAUTH_PROVIDER_ENV}) is {self.oauth_provider!r}; choose "
                              f"one of {', '.join(sorted(AUTH_PROVIDERS))}.")
        for value, env in ((self.oauth_key, OAUTH_KEY_ENV), (self.oauth_secret, OAUTH_SECRET_ENV),
                           (self.cookie_secret, COOKIE_SECRET_ENV),
                           (self.oauth_encryption_key, OAUTH_ENCRYPTION_KEY_ENV)):
            if not value:
                raise ConfigError(f"app.auth is oauth but {env} is not set; set it (or the "
                                  f"--{_option(env)} option) before serving the app.")
        assert self.oauth_encryption_key is not None  # checked above with the secrets
        try:
            key = base64.urlsafe_b64decode(self.oauth_encryption_key.encode("ascii"))
        except (binascii.Error, UnicodeEncodeError, ValueError):
            key = b""
        if len(key) != 32:
            raise ConfigError(f"{OAUTH_ENCRYPTION_KEY_ENV} must be 32 url-safe base64-encoded "
                              "bytes; make one with `panel oauth-secret`.")

    def serve_kwargs(self) -> dict[str, Any]:
        """Keyword arguments for ``pn.serve`` (empty without a login). Basic auth without a
        cookie secret gets a random one: logins then last until the server restarts."""
        if self.mode == "basic":
            return {"basic_auth": self.basic_auth,
                    "cookie_secret": self.cookie_secret or secrets.token_urlsafe(32)}
        if self.mode == "oauth":
            return {"oauth_provider": self.oauth_provider, "oauth_key": self.oauth_key,
                    "oauth_secret": self.oauth_secret, "cookie_secret": self.cookie_secret,
                    "oauth_redirect_uri": self.oauth_redirect_uri}
        return {}

    def apply_encryption(self) -> None:
        """Encrypt OAuth user data and tokens in cookies (``pn.serve`` only takes the key
        from ``panel serve``'s own option, so it is installed here)."""
        if self.mode != "oauth" or not self.oauth_encryption_key:
            return
        import panel as pn
        from cryptography.fernet import Fernet

        # a read-only property to type checkers; panel's config __setattr__ stores the value
        pn.config.oauth_encryption_key = (  # type: ignore[misc]
            self.oauth_encryption_key.encode("ascii"))
        pn.state.encryption = Fernet(pn.config.oauth_encryption_key)


def _option(env: str) -> str:
    """``SALESFORGE_APP_OAUTH_KEY`` -> ``oauth-key``."""
    return env.removeprefix("SALESFORGE_APP_").lower().replace("_", "-")


def _given(cli: str | None, env: str | None, configured: Any = None) -> str | None:
    """The command-line value, else the environment variable, else the config value."""
    for value in (cli, os.environ.get(env) if env else None, configured):
        if value is not None and str(value).strip():
            return str(value).strip()
    return None


def auth_settings(app: Mapping[str, Any] | None = None, *, auth: str | None = None,
                  basic_auth: str | None = None, cookie_secret: str | None = None,
                  oauth_provider: str | None = None, oauth_key: str | None = None,
                  oauth_secret: str | None = None, oauth_encryption_key: str | None = None,
                  oauth_redirect_uri: str | None = None) -> AuthSettings:
    """The login settings from the ``app:`` config node, the environment and the command
    line (its values as keyword arguments), with ``auto`` resolved and secrets checked."""
    app = app or {}
    mode = (_given(auth, AUTH_ENV, app.get("auth")) or "auto").lower()
    if mode not in MODES:
        raise ConfigError(f"config key app.auth (environment variable {AUTH_ENV}) must be "
                          f"one of {', '.join(MODES)}, not {mode!r}.")
    password = _given(basic_auth, BASIC_AUTH_ENV)
    if password is not None and Path(password).expanduser().is_file():
        password = _credentials_file(password, f"{BASIC_AUTH_ENV} (or --basic-auth)")
    settings = AuthSettings(
        mode=mode,
        basic_auth=password if password is not None else _credentials_file(
            app.get("basic_auth_file"), "config key app.basic_auth_file"),
        cookie_secret=_given(cookie_secret, COOKIE_SECRET_ENV),
        oauth_provider=(_given(oauth_provider, OAUTH_PROVIDER_ENV, app.get("oauth_provider"))
                        or "").lower() or None,
        oauth_key=_given(oauth_key, OAUTH_KEY_ENV),
        oauth_secret=_given(oauth_secret, OAUTH_SECRET_ENV),
        oauth_encryption_key=_given(oauth_encryption_key, OAUTH_ENCRYPTION_KEY_ENV),
        oauth_redirect_uri=_given(oauth_redirect_uri, OAUTH_REDIRECT_URI_ENV,
                                  app.get("oauth_redirect_uri")))
    if mode == "auto":
        chosen = "basic" if settings.basic_auth else "oauth" if settings.oauth_provider else "none"
        settings = replace(settings, mode=chosen)
    settings.check()
    return settings


def _credentials_file(value: Any, source: str) -> str | None:
    """The path of a JSON file of user: password named by ``source``, checked (Panel
    reads a basic-auth value that is an existing file as such a file, anything else as the
    one password), or ``None`` when ``value`` is empty."""
    if value is None or not str(value).strip():
        return None
    path = Path(str(value).strip()).expanduser()
    try:
        users = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        users = None
    if not isinstance(users, dict) or not users or not all(
            isinstance(k, str) and isinstance(v, str) and v for k, v in users.items()):
        raise ConfigError(f"{source} names {path}, which is not a readable JSON object of "
                          "user: password; fix the file or the setting.")
    return str(path)


def load_auth(**given: str | None) -> AuthSettings:
    """:func:`auth_settings` over the ``app:`` node of the packaged config.yaml."""
    from salesforge.config import packaged_config, plain

    return auth_settings(plain(packaged_config().get("app")), **given)


def is_loopback(address: str) -> bool:
    """Whether ``address`` only accepts connections from this machine."""
    if address.strip("[]").lower() in ("localhost", "localhost.localdomain"):
        return True
    try:
        return ipaddress.ip_address(address.strip("[]")).is_loopback
    except ValueError:
        return False


def warn_if_open(settings: AuthSettings, address: str) -> None:
    """Log a warning when the app listens beyond loopback without a login."""
    if not settings.enabled and not is_loopback(address):
        log.warning("the results app listens on %s without a login: anyone who can reach "
                    "it can see every run and start new ones; set %s (a password) or "
                    "app.auth unless a proxy in front of it asks for one.", address,
                    BASIC_AUTH_ENV)
