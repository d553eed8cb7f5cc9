"""One run per job: the job's key, and a lock file per key held with ``flock`` for the run.

The key names the job in the journal (``Entry.job_key``) and names its lock file.
Two runs of one job (cron and a person, two cron lines) must not both book. The
second run waits here until the first ends, then reads the journal like any run
(and so says "Already booked" when the first booked). The lock belongs to the open
file: the kernel drops it when the process ends however it ends (SIGKILL
included), so a dead run never leaves a job locked. Lock files live next to the
journal, in ``locks/``, one per job key (named by its hash; they hold the pid of
the run that holds them, for the message), and are never deleted: deleting a lock
file another run is waiting on would let a third one in.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
from collections.abc import Callable, Iterator
from pathlib import Path

from booker.core.exceptions import JournalError

LOCKS = "locks"


def _key_part(part: object) -> str:
    # Escape the separator (and the escape) so different parts never make the same key.
    return str(part).replace("%", "%25").replace(":", "%3A")


def job_key(provider: str, *parts: object) -> str:
    """``job_key("resy", 60029, "2026-12-24", 2)`` -> ``"resy:60029:2026-12-24:2"``.

    Parts are turned into text with ``str()`` (a ``datetime.date`` gives ``2026-12-24``);
    ``%`` and ``:`` inside a part are percent-escaped, so the key is unambiguous.
    """
    return ":".join(_key_part(part) for part in (provider, *parts))


def lock_path(directory: Path, job_key: str) -> Path:
    """The lock file of ``job_key`` under ``directory`` (the journal's)."""
    digest = hashlib.sha256(job_key.encode("utf-8")).hexdigest()[:32]
    return directory / LOCKS / f"{digest}.lock"


@contextlib.contextmanager
def job_lock(
    directory: Path, job_key: str, waiting: Callable[[str], None] = lambda holder: None
) -> Iterator[None]:
    """Hold the job's lock for the block; if another run holds it, call ``waiting`` once
    (with that run's pid as text, "" when unknown) and wait for it to end.

    ``JournalError`` when the lock file cannot be made. Ctrl-C interrupts the wait.
    """
    path = lock_path(directory, job_key)
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    except OSError as exc:
        raise JournalError(f"cannot make the job lock {path}: {exc.strerror or exc}") from None
    try:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            waiting(_holder(descriptor))
            fcntl.flock(descriptor, fcntl.LOCK_EX)
        with contextlib.suppress(OSError):
            os.ftruncate(descriptor, 0)
            os.pwrite(descriptor, f"{os.getpid()}\n".encode(), 0)
        yield
    finally:
        os.close(descriptor)  # releases the lock


def _holder(descriptor: int) -> str:
    """The pid the holding run wrote, "" when unreadable."""
    try:
        text = os.pread(descriptor, 32, 0).decode("ascii", "replace").strip()
    except OSError:
        return ""
    return text if text.isdigit() else ""
