"""Bundled and synthetic sales data."""
