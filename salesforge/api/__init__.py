"""The salesforge REST API (FastAPI): ``create_app(settings)``; ``salesforge api`` serves it."""

from salesforge.api.app import create_app
from salesforge.api.settings import ApiSettings, load_settings

__all__ = ["ApiSettings", "create_app", "load_settings"]
