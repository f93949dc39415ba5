"""Validation of exported survey data against the XLSForm that collected it.

Form logic (relevance, required, choices, constraints) becomes SQL over the typed tables through
the expression translator (``expressions``; ``rule_tables``, ``form_context``,
``xlsform_rules``); survey-specific cross-question rules are data (``domain_rules.yaml``); Great
Expectations runs column suites built from the form (``gx_suites``, ``gx_run``). Every finding
goes to one table (``findings``), errors quarantine whole submissions (``quarantine``), reviewed
``overrides`` release them, and ``report`` writes the validation report. ``run.validate`` runs
it all.
"""
