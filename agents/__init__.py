"""The market's agents: every decision rule, reading a read-only view and returning decisions.

Enterprises decide through the behaviour they hold (``behaviours``: ZI-C, ZI-U, truthful,
rule-based; ``learned_firm``: the rule-based firm corrected by a trained network), the
government through its policy (``policies``; ``learned_regulator``: a trained regulator).
``view`` declares what a rule may read, ``decisions`` what it returns, ``valuation`` what an
allowance is worth to a firm, ``network`` how a trained network acts (numpy only), and
``registry`` every rule by name. Agents import the market core (``market``) only; the model
(``model``) builds them and applies their decisions.
"""
