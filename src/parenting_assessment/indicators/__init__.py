"""The indicator catalogue and the engine that computes it."""
