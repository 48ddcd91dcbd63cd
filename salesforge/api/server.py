"""Serving the API with uvicorn (``salesforge api``)."""

from __future__ import annotations

from pathlib import Path

from salesforge.logs import LogSettings, configure_logging

from .settings import load_settings


def serve(host: str = "127.0.0.1", port: int = 8000, store: str | Path | None = None,
          logs: LogSettings | None = None) -> None:
    """Run the API at ``http://host:port`` over ``store`` (default: config key api.store).

    Logs with ``logs`` (default: from ``SALESFORGE_LOG_LEVEL`` / ``SALESFORGE_LOG_JSON``);
    uvicorn's own loggers (server and access lines) go through the same handler.
    """
    import uvicorn

    from .app import create_app

    logs = configure_logging(logs)
    settings = load_settings().with_(store=Path(store).expanduser() if store else None)
    print(f"salesforge: API at http://{host}:{port}/docs, store {settings.store.resolve()}",
          flush=True)
    uvicorn.run(create_app(settings), host=host, port=port, log_config=None,
                log_level=logs.level.lower())
