"""Presentation: the report, the sentences of an outcome, notifications."""
