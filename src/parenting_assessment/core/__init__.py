"""The analysis model (core layer)."""
