"""What a job wants, matched and ranked: time windows and table types. Pure.

A wanted time is an exact time (``19:00:00``) or a window (``19:00:00-20:30:00``,
both ends included). A slot's rank follows the order of the wanted times; within a
window, earliest first; then the order of the wanted table types; then as served.
Table types are matched case-insensitively on whole words: ``Bar`` matches
``Bar`` and ``Main Bar``, never ``Barrel Room``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from functools import lru_cache

_WORD = re.compile(r"[^\W_]+")
WINDOW_SEPARATOR = "-"
FAST_SET_LIMIT = 6 * 3600  # seconds of windows still expanded into a set for the fast path


def normalise_time(text: str) -> str:
    """``19:00`` or ``19:00:00`` -> ``19:00:00``; ``ValueError`` when it is not a time."""
    parts = text.strip().split(":")
    if len(parts) not in (2, 3) or not all(part.isdigit() for part in parts):
        raise ValueError(f"not a time: {text!r}")
    hour, minute = int(parts[0]), int(parts[1])
    second = int(parts[2]) if len(parts) == 3 else 0
    if hour > 23 or minute > 59 or second > 59:
        raise ValueError(f"not a time: {text!r}")
    return f"{hour:02d}:{minute:02d}:{second:02d}"


def normalise_wanted(text: str) -> str:
    """One wanted time or window, normalised: ``19:00-20:30`` -> ``19:00:00-20:30:00``.

    ``ValueError`` when it is neither, or when a window ends before it starts (a window
    across midnight is two windows).
    """
    if WINDOW_SEPARATOR not in text:
        return normalise_time(text)
    first, _, last = text.partition(WINDOW_SEPARATOR)
    start, end = normalise_time(first), normalise_time(last)
    if end < start:
        raise ValueError(f"{text.strip()!r} ends before it starts")
    return start if start == end else f"{start}{WINDOW_SEPARATOR}{end}"


def bounds(wanted: str) -> tuple[str, str]:
    """A normalised wanted entry's first and last time."""
    start, _, end = wanted.partition(WINDOW_SEPARATOR)
    return start, end or start


def time_choice(time: str, wanted: Sequence[str]) -> int | None:
    """The index of the first wanted entry that holds ``time`` (``HH:MM:SS``), or None."""
    for index, entry in enumerate(wanted):
        start, end = bounds(entry)
        if start <= time <= end:
            return index
    return None


def minute_choice(hhmm: str, wanted: Sequence[str]) -> int | None:
    """As ``time_choice`` at minute resolution (listings write ``19:00`` or ``19:00:00``)."""
    for index, entry in enumerate(wanted):
        start, end = bounds(entry)
        if start[:5] <= hhmm[:5] <= end[:5]:
            return index
    return None


@lru_cache(maxsize=64)
def time_index(wanted: tuple[str, ...]) -> dict[str, int] | None:
    """``time_choice`` as a table for every ``HH:MM:SS`` the entries hold (the first entry
    wins), when few enough; None means "ask ``time_choice``". Built once per wanted list."""
    held = fast_set(wanted)
    if held is None:
        return None
    return {time: index for time in held if (index := time_choice(time, wanted)) is not None}


@lru_cache(maxsize=64)
def fast_set(wanted: tuple[str, ...]) -> frozenset[str] | None:
    """Every ``HH:MM:SS`` the wanted entries hold, when few enough; None means "look at all"."""
    total = 0
    for entry in wanted:
        start, end = bounds(entry)
        total += _seconds(end) - _seconds(start) + 1
    if total > FAST_SET_LIMIT:
        return None
    times: set[str] = set()
    for entry in wanted:
        start, end = bounds(entry)
        for second in range(_seconds(start), _seconds(end) + 1):
            times.add(f"{second // 3600:02d}:{second // 60 % 60:02d}:{second % 60:02d}")
    return frozenset(times)


def _seconds(time: str) -> int:
    return int(time[:2]) * 3600 + int(time[3:5]) * 60 + int(time[6:8])


def words(text: str) -> tuple[str, ...]:
    """Lower-case words of a table type (letters and digits)."""
    return tuple(word.casefold() for word in _WORD.findall(text))


def type_matches(pattern: str, table_type: str) -> bool:
    """Do ``pattern``'s words appear, whole and in a row, in ``table_type``?"""
    wanted, offered = words(pattern), words(table_type)
    if not wanted:
        return False
    size = len(wanted)
    return any(offered[i : i + size] == wanted for i in range(len(offered) - size + 1))


def type_choice(
    table_type: str, wanted: Sequence[str] = (), excluded: Sequence[str] = ()
) -> int | None:
    """The index of the first wanted type ``table_type`` matches (0 when any type will do);
    None when it is excluded or matches none of the wanted ones."""
    if any(type_matches(pattern, table_type) for pattern in excluded):
        return None
    if not wanted:
        return 0
    for index, pattern in enumerate(wanted):
        if type_matches(pattern, table_type):
            return index
    return None


def type_allowed(table_type: str, wanted: Sequence[str] = (), excluded: Sequence[str] = ()) -> bool:
    """Could a reservation of ``table_type`` be this job's? An unknown type ("") could."""
    return not table_type or type_choice(table_type, wanted, excluded) is not None


def parse_types(text: str) -> tuple[str, ...]:
    """``"Dining Room, patio"`` -> ``("Dining Room", "patio")``; ``ValueError`` when a
    name has no letters or digits."""
    names: list[str] = []
    for part in text.split(","):
        name = " ".join(part.split())
        if not name:
            continue
        if not words(name):
            raise ValueError(f"not a table type: {part.strip()!r}")
        if name.casefold() not in (n.casefold() for n in names):
            names.append(name)
    return tuple(names)


def describe_wanted(entry: str) -> str:
    """``19:00:00-20:30:00`` -> ``19:00-20:30``."""
    start, end = bounds(entry)
    return start[:5] if start == end else f"{start[:5]}-{end[:5]}"


def ordinal_of(value: object, choices: Iterable[object]) -> str:
    """``2 of 3``: where ``value`` stands among ``choices``."""
    listed = list(choices)
    return f"{listed.index(value) + 1} of {len(listed)}" if value in listed else "?"
