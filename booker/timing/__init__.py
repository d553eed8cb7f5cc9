"""Time rules: parsing --at, release rules, cron lines, the night-before check."""
