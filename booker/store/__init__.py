"""The user's state on disk: settings, credentials, the journal, job locks, log paths.

userdirs          the user's directories for booker (XDG, each with its override variable)
user_settings     saved defaults for the engine options (settings.toml)
credentials       where secrets come from (environment, .env, settings file); redaction
credential_store  writing the settings file's [credentials] table, owner-only
journal           every reservation booker made, in one SQLite file
journal_entry     one row of the journal as a value
journal_schema    the journal's format on disk and its migrations
journal_history   the journal's entries newest first, as ``booker history`` lists them
joblock           one run per job: the job's key and its ``flock`` lock file
logpaths          where run logs go by default
"""
