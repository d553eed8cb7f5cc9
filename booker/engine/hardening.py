"""Keeping secrets out of crash files: a process that may hold credentials writes no core dump."""

from __future__ import annotations

import resource


def forbid_core_dumps() -> bool:
    """Set ``RLIMIT_CORE`` to 0, soft and hard: nothing in this process can raise it again.

    A core dump is the process's memory, API keys and tokens included. The limit is
    inherited by child processes; file core patterns, systemd-coredump and apport all
    honour it. False when the system refused.
    """
    try:
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    except (ValueError, OSError):
        return False
    return True
