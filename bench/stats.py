"""Small, dependency-free statistics and ledger readers shared by the benchmarks. Pure."""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

FIND = "/4/find"
BOOK = "/3/book"


def percentile(values: Sequence[float], q: float) -> float:
    """The ``q``-th percentile (0-100), linear between closest ranks; NaN when empty."""
    if not values:
        return math.nan
    ordered = sorted(values)
    if len(ordered) == 1:
        return ordered[0]
    rank = (len(ordered) - 1) * q / 100
    low = math.floor(rank)
    high = min(low + 1, len(ordered) - 1)
    if ordered[low] == ordered[high] or rank == low:  # no interpolating into infinity
        return ordered[low]
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


P99_MIN_SAMPLES = 100  # below this a "p99" is only the maximum: it is not reported


def summary(values: Sequence[float], lost: int = 0) -> dict[str, float]:
    """n, min, p50, p90, max (and p99 from 100 samples on) of ``values``.

    ``lost`` samples that never completed (a drop not booked) are censored, not
    dropped: they count as infinitely slow in the percentiles and in ``n``.
    """
    censored = [*values, *([math.inf] * lost)]
    figures = {
        "n": len(censored),
        "lost": lost,
        "min": min(censored) if censored else math.nan,
        "p50": percentile(censored, 50),
        "p90": percentile(censored, 90),
        "max": max(censored) if censored else math.nan,
    }
    if len(censored) >= P99_MIN_SAMPLES:
        figures["p99"] = percentile(censored, 99)
    return figures


def _path(record: dict[str, Any]) -> str:
    return str(record["path"]).split("?", 1)[0]


def our_booking(ledger: dict[str, Any]) -> dict[str, Any] | None:
    """The client under test's first booking, or None when it booked nothing."""
    ours = [b for b in ledger["bookings"] if b["who"] == "booker"]
    return min(ours, key=lambda b: b["t"]) if ours else None


def release_to_book_ms(ledger: dict[str, Any]) -> float | None:
    """Booking receive time minus the release instant, both on the sim clock."""
    booking = our_booking(ledger)
    if booking is None:
        return None
    return (float(booking["t"]) - float(ledger["release_at"])) * 1000


def first_of_drop(ledger: dict[str, Any]) -> bool:
    """True when our booking came before every rival's."""
    booking = our_booking(ledger)
    if booking is None:
        return False
    rivals = [b["t"] for b in ledger["bookings"] if b["who"] != "booker"]
    return not rivals or booking["t"] < min(rivals)


def requests_after_booking(ledger: dict[str, Any]) -> list[tuple[float, str]]:
    """(ms after our booking, path) of every request the server received after it."""
    booking = our_booking(ledger)
    if booking is None:
        return []
    t_book = float(booking["t"])
    return [
        ((float(r["t"]) - t_book) * 1000, _path(r))
        for r in ledger["requests"]
        if float(r["t"]) > t_book and not _path(r).startswith("/_sim")
    ]


def find_times(ledger: dict[str, Any], before: float | None = None) -> list[float]:
    """Receive times of /4/find requests (sim clock), optionally only those before ``before``."""
    return sorted(
        float(r["t"])
        for r in ledger["requests"]
        if _path(r) == FIND and (before is None or float(r["t"]) < before)
    )


def first_poll_after_ms(ledger: dict[str, Any], release: float) -> float | None:
    """How long after ``release`` the first /4/find at or after it reached the server (ms)."""
    after = [t for t in find_times(ledger) if t >= release]
    return (min(after) - release) * 1000 if after else None


def grid_jitter_ms(times: Sequence[float], cadence_s: float) -> list[float]:
    """Each time's distance (ms) from the best-fitting ideal grid ``phase + k * cadence``.

    The phase is the circular median of the times modulo the cadence, so a few
    late ticks do not drag the grid; residuals are folded into [-cadence/2, cadence/2).
    """
    if not times:
        return []
    origin = times[0]
    offsets = [(t - origin) % cadence_s for t in times]
    # circular median: try each observed offset as the phase, keep the one with least total error
    best_phase, best_cost = 0.0, math.inf
    for phase in offsets:
        cost = sum(abs(_fold(o - phase, cadence_s)) for o in offsets)
        if cost < best_cost:
            best_phase, best_cost = phase, cost
    return [_fold(o - best_phase, cadence_s) * 1000 for o in offsets]


def missed_ticks(times: Sequence[float], cadence_s: float) -> int:
    """Grid slots between the first and last time that received no request."""
    if len(times) < 2:
        return 0
    expected = round((times[-1] - times[0]) / cadence_s) + 1
    return max(0, expected - len(times))


def _fold(value: float, period: float) -> float:
    return (value + period / 2) % period - period / 2


# --- the client's side: request lines of booker's run log -----------------------------------

REQUEST_LINE = re.compile(
    r"^(?P<at>\S+) worker=(?P<worker>\d+) request (?P<method>[A-Z]+) (?P<path>\S+) "
    r"status=(?P<status>\d+) ms=(?P<ms>[\d.]+)"
)


@dataclass(frozen=True, slots=True)
class SentRequest:
    """One request as booker's run log has it: when it left, from which worker, how it went."""

    worker: int
    sent_at: float  # epoch seconds (microsecond stamps)
    method: str
    path: str
    status: int
    ms: float

    @property
    def answered_at(self) -> float:
        """When its answer (or failure) was in hand."""
        return self.sent_at + self.ms / 1000


def sent_requests(log_text: str) -> list[SentRequest]:
    """Every ``request`` line of a run log, in the order sent."""
    found = []
    for line in log_text.splitlines():
        match = REQUEST_LINE.match(line)
        if match:
            found.append(
                SentRequest(
                    int(match["worker"]),
                    dt.datetime.fromisoformat(match["at"]).timestamp(),
                    match["method"],
                    match["path"],
                    int(match["status"]),
                    float(match["ms"]),
                )
            )
    return sorted(found, key=lambda r: r.sent_at)


def win_instant(requests: Sequence[SentRequest]) -> float | None:
    """When the first successful /3/book answer reached its worker (the winner's success)."""
    wins = [r.answered_at for r in requests if r.path == BOOK and r.status == 201]
    return min(wins) if wins else None


def sent_after_win_ms(requests: Sequence[SentRequest]) -> list[tuple[float, str]]:
    """(ms after the winner's success, path) of every request any worker sent after it."""
    won = win_instant(requests)
    if won is None:
        return []
    return [((r.sent_at - won) * 1000, r.path) for r in requests if r.sent_at > won]
