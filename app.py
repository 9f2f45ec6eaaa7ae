"""Dashboard entry point: ``solara run app.py`` (the market at /, the classroom at /classroom)."""

from dashboard.pages import Dashboard, routes

__all__ = ["Dashboard", "routes"]
