"""The Panel results app: browse run directories, upload data and run, compare runs.

``salesforge serve [--runs DIR] [--port N]`` serves :func:`salesforge.app.main.create_app`;
``panel serve salesforge/app/serve_app.py`` serves the same page (runs folder from the
``SALESFORGE_RUNS`` environment variable, else ``outputs``).
"""
