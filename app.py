"""Dashboard entry point (`solara run app.py`): arrives with the dashboard issue."""
