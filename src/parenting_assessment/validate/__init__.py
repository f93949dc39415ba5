"""Validation of exported survey data against the XLSForm that collected it.

Modules in this package turn form logic (skip logic, constraints, calculations) into checks
that run vectorised over the exported tables in DuckDB, rather than row by row in Python.
"""
