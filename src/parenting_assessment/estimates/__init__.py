"""Estimates of every catalogue indicator for villages, districts and overall."""
