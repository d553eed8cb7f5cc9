"""Core values and rules: frozen values, pure decisions, the shared vocabulary of the layers. No I/O."""
