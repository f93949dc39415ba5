"""Assets, one module per layer."""
