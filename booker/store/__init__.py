"""The user's state on disk: settings, credentials, the journal, job locks, log paths."""
