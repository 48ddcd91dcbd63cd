"""``panel serve salesforge/app/serve_app.py``: the app over ``$SALESFORGE_RUNS`` (default
``outputs``)."""

import os

from salesforge.app import page_scripts
from salesforge.app.main import create_app

page_scripts.install()

create_app(os.environ.get("SALESFORGE_RUNS", "outputs")).servable(title="salesforge")
