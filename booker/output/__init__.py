"""Presentation: the report, the sentences of an outcome, notifications.

wording       the sentences of how a job ended (the report, --json and the log say them)
report        the live status line, timestamped lines, the log file, --json
notify        --notify URL (apprise) and --notify-cmd: tell the user how a run ended
"""
