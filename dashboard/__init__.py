"""The Solara dashboard (``solara run app.py``): panels, controls and the classroom mode.

One module per concept: ``policy_choice`` (the default regulator), ``market`` (the model the
dashboard builds, with validation), ``controls`` (parameters, validation message, manual
levers), ``selection`` (the highlighted firm), one module per panel (``price_chart``,
``order_book``, ``emissions``, ``welfare``, ``allocation``, ``firm_table``) drawing through
``vega`` (cached Vega-Lite charts), ``student`` and
``classroom`` (one firm played by a person), ``pages`` (the routes ``app.py`` serves) and
``assets`` (the offline CDN cache) and ``serve`` (``make run``).
"""
