"""The Solara dashboard (``python -m dashboard.serve``): panels, sidebar and the classroom mode.

One module per concept: ``policy_choice`` (which policies and firm behaviours fit each
scenario), ``market`` (the model the dashboard builds, with validation), ``settings`` (the
sidebar's typed values), ``sidebar`` (Reset / Play / Step and the settings), ``controls``
(the Market panel: status, validation message, manual levers), ``selection`` (the highlighted
firm), one module per panel (``price_chart``, ``order_book``, ``emissions``, ``welfare``,
``allocation``, ``firm_table``) drawing through ``vega`` (cached Vega-Lite charts),
``student``, ``fields`` and ``classroom`` (one firm played by a person), ``pages`` (the routes
``app.py`` serves), ``errors`` (no traceback in the browser), ``assets`` (the offline CDN
cache) and ``serve`` (``make run``).
"""
