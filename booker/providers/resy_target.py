"""What the user wants from Resy, and how Resy's slots rank against it. Pure.

``rank_slots`` orders one /4/find answer's slots by the job's wants (times and windows,
then table types; the rules in ``booker.core.matching``); ``explain`` says in words why
a slot ranks where it does.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from booker.core import matching
from booker.core.matching import time_choice, time_index, type_choice
from booker.core.model import Slot


@dataclass(frozen=True, slots=True)
class ResyTarget:
    """What the user wants from Resy."""

    venue_id: int  # the first venue wanted
    day: str  # "YYYY-MM-DD", the first day wanted
    party_size: int
    times: tuple[str, ...]  # "HH:MM:SS" or windows "HH:MM:SS-HH:MM:SS", in order of preference
    payment_method_id: int | None = None
    table_types: tuple[str, ...] = ()  # only these, in order of preference (empty: any)
    exclude_types: tuple[str, ...] = ()  # never these
    venue_ids: tuple[int, ...] = ()  # every venue, in order of preference (empty: venue_id)
    days: tuple[str, ...] = ()  # every day, in order of preference (empty: day)

    @property
    def all_venues(self) -> tuple[int, ...]:
        """Every venue wanted, best first."""
        return self.venue_ids or (self.venue_id,)

    @property
    def all_days(self) -> tuple[str, ...]:
        """Every day wanted, best first."""
        return self.days or (self.day,)

    def at(self, venue_id: int, day: str) -> ResyTarget:
        """The same wants at one venue on one day."""
        return replace(self, venue_id=venue_id, day=day, venue_ids=(), days=())


def rank_slots(
    slots: tuple[Slot, ...] | list[Slot],
    times: tuple[str, ...],
    types: tuple[str, ...] = (),
    exclude: tuple[str, ...] = (),
) -> tuple[Slot, ...]:
    """Wanted slots, best first: by the order of ``times`` (exact times or windows; within
    a window, earliest first), then by the order of ``types``, then as served. Slots at no
    wanted time, of an excluded type or (with ``types``) of no wanted type are left out."""
    ranked = []
    table = time_index(times)  # a dict look-up per slot instead of a walk through the list
    for order, slot in enumerate(slots):
        when = table.get(slot.time) if table is not None else time_choice(slot.time, times)
        if when is None:
            continue
        kind = type_choice(slot.table_type, types, exclude)
        if kind is None:
            continue
        ranked.append(((when, slot.time, kind, order), slot))
    ranked.sort(key=lambda item: item[0])
    return tuple(slot for _, slot in ranked)


def explain(slot: Slot, target: ResyTarget) -> str:
    """Why ``slot`` ranks where it does among the job's wants, in words."""
    parts = [f"rank {slot.rank}"] if slot.rank else []
    days, venues = target.all_days, target.all_venues
    if len(days) > 1:
        parts.append(f"day {slot.day} ({matching.ordinal_of(slot.day, days)})")
    if len(venues) > 1 and slot.venue.isdigit():
        parts.append(f"venue {slot.venue} ({matching.ordinal_of(int(slot.venue), venues)})")
    when = matching.time_choice(slot.time, target.times)
    if when is not None:
        entry = target.times[when]
        earliest = ", earliest first" if matching.WINDOW_SEPARATOR in entry else ""
        parts.append(
            f"time {matching.describe_wanted(entry)} "
            f"(choice {when + 1} of {len(target.times)}{earliest})"
        )
    if target.table_types:
        kind = matching.type_choice(slot.table_type, target.table_types, target.exclude_types)
        if kind is not None:
            parts.append(
                f"table {target.table_types[kind]} (choice {kind + 1} of {len(target.table_types)})"
            )
    if target.exclude_types:
        parts.append(f"not {', '.join(target.exclude_types)}")
    return "; ".join(parts)
