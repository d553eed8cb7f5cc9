"""What every provider's flow shares: warming up with retries.

The flow's interface and what the engine offers it (``Flow``, ``WorkerIO``) are
the shared vocabulary in ``booker.core.ports``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from booker.core.ports import EventKind, WorkerIO

WARM_RETRY_S = 0.5


async def warm_with_retries(io: WorkerIO, attempt: Callable[[], Awaitable[bool | str]]) -> bool:
    """Call ``attempt`` until it decides: True (warm) or False (the job cannot go on).

    A string is a failure worth another try, ``WARM_RETRY_S`` later; the first one is
    reported (``warm_failed``). False as soon as the job stops (a failure no retry
    clears, such as an untrusted certificate, stops it at once).
    """
    warned = False
    while not io.stopped:
        outcome = await attempt()
        if isinstance(outcome, bool):
            return outcome
        if io.stopped:
            return False
        if not warned:
            io.report(EventKind.WARM_FAILED, reason=outcome)
            warned = True
        await asyncio.sleep(WARM_RETRY_S)
    return False
