"""Time rules: parsing --at, release rules, cron lines, the night-before check.

when          ``--at WHEN``: the one parser of what the user typed, to one instant
release_rule  when a day is released: day D opens at a local time, N days before D
scheduling    cron and ``at`` lines that start booker a minute before an instant
night_check   ``booker check``'s local items: the crontab line and the directory cron enters
"""
