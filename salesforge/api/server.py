"""Serving the API with uvicorn (``salesforge api``)."""

from __future__ import annotations

from pathlib import Path

from .settings import load_settings


def serve(host: str = "127.0.0.1", port: int = 8000, store: str | Path | None = None) -> None:
    """Run the API at ``http://host:port`` over ``store`` (default: config key api.store)."""
    import uvicorn

    from .app import create_app

    settings = load_settings().with_(store=Path(store).expanduser() if store else None)
    print(f"salesforge: API at http://{host}:{port}/docs, store {settings.store.resolve()}",
          flush=True)
    uvicorn.run(create_app(settings), host=host, port=port, log_level="warning")
