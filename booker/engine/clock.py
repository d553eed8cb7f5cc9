"""Precise waiting: event-loop timers are about 1 ms late or early, so sleep short and spin."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Protocol

SPIN_S = 0.002  # sleep until this long before the target, then spin on the monotonic clock
CHECK_EVERY_S = 0.05  # a long wait wakes this often to notice a stop


async def sleep_until(deadline: float, stopped: Callable[[], bool]) -> bool:
    """Wait until monotonic ``deadline``; False as soon as ``stopped()`` turns true."""
    while True:
        if stopped():
            return False
        remaining = deadline - time.monotonic()
        if remaining <= SPIN_S:
            break
        await asyncio.sleep(min(remaining - SPIN_S, CHECK_EVERY_S))
    while time.monotonic() < deadline:
        pass
    return not stopped()


class Clock(Protocol):
    """The supervisor's time: wall and monotonic readings and a blocking sleep (fake in tests)."""

    def time(self) -> float:
        """Epoch seconds."""

    def monotonic(self) -> float:
        """Seconds on a clock that never steps."""

    def sleep(self, seconds: float) -> None:
        """Block for ``seconds``."""


class SystemClock:
    """The real clock."""

    def time(self) -> float:
        """``time.time()``."""
        return time.time()

    def monotonic(self) -> float:
        """``time.monotonic()``."""
        return time.monotonic()

    def sleep(self, seconds: float) -> None:
        """``time.sleep()``."""
        time.sleep(seconds)


SYSTEM_CLOCK = SystemClock()
