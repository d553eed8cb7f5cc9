"""The network edge: the one place that turns requests into traffic."""
