"""The service's clock, estimated from HTTP ``Date`` headers (1 s resolution). No I/O but the driver.

Sign convention: ``offset = local - server``, in seconds. A server running 1.5 s
*ahead* of this machine has ``offset_s == -1.5``; a server instant ``S`` is the
local instant ``S + offset_s`` and a local instant ``t`` is the server instant
``t - offset_s``. The human form (``format_estimate``) shows the server clock
relative to ours instead: ``server clock +1.500 s ± 2.0 ms`` for that server.

Method (docs/PERF-NOTES.md, "Timing"): a request sent at local ``t0`` whose answer came
back at local ``t2`` carrying the header second ``D`` was stamped at some local
instant ``s`` in ``[t0, t2]`` with ``D <= s - offset < D + 1``, hence

    t0 - (D + 1) < offset <= t2 - D

Intersecting these bounds over several answers narrows the offset. Timing each
probe so that it reaches the server exactly when the current estimate predicts
a second boundary halves the interval each time, down to about one round trip.
Spreading ``n`` probes evenly over the window where that boundary may fall
(``probe_times``) divides it by ``n + 1`` per boundary instead: a 1 s
uncertainty is down to a few milliseconds after four boundaries of four probes.

An empty intersection means some answer lied (a server that caches ``Date``, a
proxy, a clock step): the tracker then restarts from the newest answer and
counts the reset, so an estimate is never built from contradictory bounds.

A server's ``Date`` must never decide on its own when booker fires: an estimate
more than ``MAX_OFFSET_S`` from our clock, or from answers that contradicted
each other ``MAX_RESETS`` times, is rejected (``doubt``) and the local clock is
used instead. Probing stops at a deadline, so it never eats into the start.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import math
import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace

DEFAULT_SAMPLES = 6
PROBES_PER_BOUNDARY = 4
TOLERANCE_S = 1e-6  # bounds this close are touching, not contradicting
MAX_OFFSET_S = 300.0  # a server clock further than 5 minutes from ours is not believed
MAX_RESETS = 2  # answers that contradicted each other this often are not believed
PROBE_GAP_S = 0.0005  # probes of one boundary, sent together, leave at least this far apart
SYMMETRY_SLACK_S = 0.0003  # timer and scheduling noise allowed against the symmetric assumption


@dataclass(frozen=True, slots=True)
class Bounds:
    """The offset (local - server) lies in ``(low, high]``."""

    low: float
    high: float

    @property
    def width(self) -> float:
        """How wide the interval is, in seconds."""
        return self.high - self.low

    def intersect(self, other: Bounds) -> Bounds | None:
        """Both bounds at once, or None when they contradict each other."""
        low, high = max(self.low, other.low), min(self.high, other.high)
        if low <= high:
            return Bounds(low, high)
        if low - high <= TOLERANCE_S:  # float rounding at a shared edge, not a contradiction
            middle = (low + high) / 2
            return Bounds(middle, middle)
        return None


def sample_bounds(sent: float, received: float, server_second: int) -> Bounds:
    """What one answer says: sent at local ``sent``, back at ``received``, header second given."""
    return Bounds(sent - (server_second + 1), received - server_second)


@dataclass(frozen=True, slots=True)
class Estimate:
    """The offset (local - server) as a midpoint and a half-width, both in seconds.

    ``rtt_s`` is the fastest round trip seen (twice the one-way floor) and
    ``jitter_s`` how much slower the typical one was: the schedule aims polls to
    *arrive* at the release from them.
    """

    offset_s: float
    uncertainty_s: float
    samples: int = 1
    resets: int = 0  # times answers contradicted each other and the estimate restarted
    rtt_s: float = 0.0
    jitter_s: float = 0.0
    strict_uncertainty_s: float | None = None  # the half-width that assumes nothing (>= the above)

    @property
    def consistent(self) -> bool:
        """True when every answer agreed with the others."""
        return self.resets == 0

    @property
    def agrees_with_local(self) -> bool:
        """This machine's clock is the service's, within the uncertainty."""
        return abs(self.offset_s) <= self.uncertainty_s

    def to_server(self, local: float) -> float:
        """The server instant matching local epoch ``local``."""
        return local - self.offset_s

    def to_local(self, server: float) -> float:
        """The local instant matching server epoch ``server`` (e.g. a release time)."""
        return server + self.offset_s

    def __str__(self) -> str:
        return format_estimate(self)


def format_estimate(estimate: Estimate) -> str:
    """``server clock +1.320 s ± 2.0 ms``: how far the server runs ahead of us (negative: behind)."""
    ahead = round(-estimate.offset_s, 3) + 0.0  # + 0.0 turns -0.0 into 0.0
    text = f"server clock {ahead:+.3f} s ± {estimate.uncertainty_s * 1000:.1f} ms"
    if estimate.agrees_with_local:
        text += " (agrees with this machine's clock)"
    if not estimate.consistent:
        text += f" (answers disagreed {estimate.resets}x: Date may be cached)"
    return text


Answer = tuple[float, float, int]  # local send time, local receive time, the Date header's second


@dataclass(frozen=True, slots=True)
class Tracker:
    """Answers accumulated so far; ``add`` returns a new tracker.

    Two estimates come from the same answers. The *strict* bounds assume nothing
    but that the server stamped its answer between our send and our receipt:
    never wrong, never narrower than a round trip. The *symmetric* bounds (NTP's
    assumption) add that each way takes at least half the fastest round trip seen,
    which shrinks every answer's window to its excess over that fastest trip: near
    the jitter, not the round trip. The estimate is the symmetric one inside the
    strict guard, or the strict one alone when the assumption contradicts the answers.
    """

    bounds: Bounds | None = None
    samples: int = 0
    resets: int = 0
    answers: tuple[Answer, ...] = ()  # since the last reset

    def add(self, sent: float, received: float, server_second: int) -> Tracker:
        """Fold in one answer; a contradicting answer restarts from itself and counts a reset."""
        if received < sent:  # the local clock stepped back mid-request: the answer says nothing
            return self
        new = sample_bounds(sent, received, server_second)
        answer = (sent, received, server_second)
        if self.bounds is None:
            return replace(self, bounds=new, samples=self.samples + 1, answers=(answer,))
        both = self.bounds.intersect(new)
        if both is None:
            return Tracker(new, 1, self.resets + 1, (answer,))
        return replace(self, bounds=both, samples=self.samples + 1, answers=(*self.answers, answer))

    def estimate(self) -> Estimate | None:
        """Midpoint and half-width of the bounds, None before the first answer."""
        strict = self.bounds
        if strict is None:
            return None
        trips = sorted(received - sent for sent, received, _ in self.answers)
        fastest = trips[0]
        jitter = trips[min(len(trips) - 1, (len(trips) * 9) // 10)] - fastest  # p90 - min
        floor = max(0.0, fastest / 2 - SYMMETRY_SLACK_S)
        chosen: Bounds | None = strict
        for sent, received, second in self.answers:
            if chosen is None:
                break
            chosen = chosen.intersect(
                Bounds(sent + floor - (second + 1), received - floor - second)
            )
        low, high = (chosen or strict).low, (chosen or strict).high
        return Estimate(
            (low + high) / 2,
            (high - low) / 2,
            self.samples,
            self.resets,
            rtt_s=fastest,
            jitter_s=jitter,
            strict_uncertainty_s=strict.width / 2,
        )


def doubt(estimate: Estimate) -> str | None:
    """Why ``estimate`` must not schedule anything (one line), or None when it is plausible."""
    if not math.isfinite(estimate.offset_s) or abs(estimate.offset_s) > MAX_OFFSET_S:
        ahead = -estimate.offset_s
        where = "ahead of" if ahead > 0 else "behind"
        return (
            f"its Date headers put it {_span(abs(ahead))} {where} this machine's clock "
            f"(more than {MAX_OFFSET_S / 60:.0f} minutes)"
        )
    if estimate.resets >= MAX_RESETS:
        return f"its Date headers contradicted each other {estimate.resets} times"
    return None


def _span(seconds: float) -> str:
    """``1.8e+09 s`` or ``3600 s``: a duration for a warning."""
    return f"{seconds:.3g} s" if seconds >= 1e6 else f"{seconds:.0f} s"


def next_probe_at(estimate: Estimate | None, now: float, rtt: float) -> float:
    """Local time to send the next probe so it reaches the server on a predicted second boundary.

    The server is assumed to stamp the answer half a round trip after sending.
    Returns ``now`` when nothing is known yet; otherwise the first such instant
    not before ``now``.
    """
    if estimate is None:
        return now
    half = max(rtt, 0.0) / 2
    # Server time at arrival = t0 + half - offset; make it a whole second k.
    k = math.ceil(now + half - estimate.offset_s)
    return k - half + estimate.offset_s


def probe_times(
    estimate: Estimate | None, now: float, rtt: float, count: int, gap: float | None = None
) -> list[float]:
    """Local send times of up to ``count`` probes spread over the next predicted second boundary.

    The probes split the window where the boundary may fall (the estimate's
    ± uncertainty around the predicted one, shifted by half a round trip so they
    *arrive* there) into equal parts, no closer together than ``gap``: one round
    trip (the default) when they go one after the other, less when they are in
    flight together. Nothing known yet: one probe, now. Never in the past.
    """
    if estimate is None:
        return [now]
    half = max(rtt, 0.0) / 2
    gap = rtt if gap is None else gap
    spread = estimate.uncertainty_s
    k = math.ceil(now + half + spread - estimate.offset_s)  # first window not in the past
    boundary = k - half + estimate.offset_s
    fits = int(2 * spread / gap) - 1 if gap > 0 else count
    probes = max(1, min(count, fits))
    if probes == 1:
        return [boundary]
    step = 2 * spread / (probes + 1)
    return [boundary - spread + step * (i + 1) for i in range(probes)]


def parse_http_date(text: str | None) -> int | None:
    """Epoch second of an RFC 7231 ``Date``: IMF-fixdate, or the obsolete RFC 850 and asctime forms.

    Anything else (garbage, a zone other than GMT, an impossible day) gives None.
    """
    if not isinstance(text, str):
        return None
    stripped = text.strip()
    match = _IMF_FIXDATE.fullmatch(stripped) or _ASCTIME.fullmatch(stripped)
    year: int
    if match is None:
        match = _RFC850.fullmatch(stripped)
        if match is None:
            return None
        short = int(match["year"])
        # RFC 7231 7.1.1.1: a two-digit year more than 50 years ahead is in the past century.
        this_year = time.gmtime().tm_year
        year = 2000 + short if 2000 + short <= this_year + 50 else 1900 + short
    else:
        year = int(match["year"])
    try:
        moment = dt.datetime(
            year,
            _MONTHS.index(match["month"]) + 1,
            int(match["day"]),
            int(match["hour"]),
            int(match["minute"]),
            min(int(match["second"]), 59),  # a leap second belongs to the same minute
            tzinfo=dt.UTC,
        )
    except ValueError:
        return None
    return int(moment.timestamp())


_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_MONTH = "(?P<month>" + "|".join(_MONTHS) + ")"
_CLOCK = r"(?P<hour>[01]\d|2[0-3]):(?P<minute>[0-5]\d):(?P<second>[0-5]\d|60)"
_IMF_FIXDATE = re.compile(
    rf"(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), (?P<day>\d{{2}}) {_MONTH} (?P<year>\d{{4}}) {_CLOCK} GMT"
)
_RFC850 = re.compile(
    r"(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday), "
    rf"(?P<day>\d{{2}})-{_MONTH}-(?P<year>\d{{2}}) {_CLOCK} GMT"
)
_ASCTIME = re.compile(
    rf"(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) {_MONTH} (?P<day>[ \d]\d) {_CLOCK} (?P<year>\d{{4}})"
)


async def estimate_offset(
    send_probe: Callable[[], Awaitable[str | None]],
    samples: int = DEFAULT_SAMPLES,
    clock: Callable[[], float] = time.time,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    per_boundary: int = PROBES_PER_BOUNDARY,
    deadline: float = math.inf,
) -> Estimate | None:
    """Probe ``samples`` second boundaries (``per_boundary`` probes each, see ``probe_times``).

    ``send_probe`` sends one request and returns its ``Date`` header (None when
    there was none or the request failed). Use a warm connection: the bounds stay
    correct on a cold one, only wider. ``deadline`` is an instant on the
    service's clock: no probe leaves once ours or the estimate's says it has
    passed (the earlier of the two, so a lying ``Date`` cannot extend probing);
    what is known by then is the estimate. None if no answer had a usable Date.
    """
    tracker = Tracker()

    async def probe_at(at: float) -> tuple[float, float, str | None]:
        now = clock()
        if at > now:
            await sleep(at - now)
        sent = clock()
        header = await send_probe()
        return sent, clock(), header

    for _ in range(samples):
        estimate = tracker.estimate()
        rtt = estimate.rtt_s if estimate is not None else 0.0
        last = deadline if estimate is None else min(deadline, estimate.to_local(deadline))
        times = [
            at
            for at in probe_times(estimate, clock(), rtt, per_boundary, gap=PROBE_GAP_S)
            if at <= last
        ]
        if not times:
            break
        # in flight together (HTTP/2 streams on one connection): as close as the window needs
        for sent, received, header in await asyncio.gather(*(probe_at(at) for at in times)):
            second = parse_http_date(header)
            if second is not None:
                tracker = tracker.add(sent, received, second)
    return tracker.estimate()
