"""Wants the way people say them (issue 16): time windows, table types, several days and
venues, matched and ranked."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from booker.cli.options import parse_days, parse_times, parse_types, parse_venue_ids
from booker.core import matching
from booker.core.decide import Kind, Verdict
from booker.core.exceptions import UsageError
from booker.core.model import Slot
from booker.providers import resy, resy_target
from booker.providers.resy_flow import ResyJob
from booker.providers.resy_target import ResyTarget, rank_slots

DAY = "2026-12-24"


def slot(time: str, kind: str = "Dining Room", token: str = "") -> Slot:
    return Slot(time, kind, token or f"{time}/{kind}", DAY)


def test_parse_times_takes_windows_beside_exact_times() -> None:
    assert parse_times("19:00,19:30-20:30") == ("19:00:00", "19:30:00-20:30:00")
    assert parse_times("19:00-19:00") == ("19:00:00",)
    with pytest.raises(UsageError, match="ends before it starts"):
        parse_times("20:30-19:00")
    with pytest.raises(UsageError, match="not a time"):
        parse_times("19:00-25:00")


def test_lists_of_days_venues_and_types() -> None:
    assert parse_days("2099-12-26, 2099-12-24,2099-12-26") == ("2099-12-26", "2099-12-24")
    assert parse_venue_ids("60029,1505,60029") == (60029, 1505)
    with pytest.raises(UsageError, match="--venue-id"):
        parse_venue_ids("60029,abc")
    assert parse_types("Dining Room, patio,dining  room", "--table-types") == (
        "Dining Room",
        "patio",
    )
    with pytest.raises(UsageError, match="--exclude-types"):
        parse_types(",", "--exclude-types")


def test_a_range_with_table_types_ranks_by_time_choice_then_earliest_then_type() -> None:
    served = [
        slot("21:00:00", "Dining Room"),
        slot("20:00:00", "Patio"),
        slot("19:45:00", "Bar"),
        slot("19:45:00", "Patio"),
        slot("19:45:00", "Indoor Dining Room"),
        slot("18:00:00", "Dining Room"),
    ]
    ranked = rank_slots(
        served, ("19:30:00-20:30:00", "21:00:00"), ("Dining Room", "Patio"), ("Bar",)
    )
    assert [(s.time[:5], s.table_type) for s in ranked] == [
        ("19:45", "Indoor Dining Room"),
        ("19:45", "Patio"),
        ("20:00", "Patio"),
        ("21:00", "Dining Room"),
    ]


@pytest.mark.parametrize(
    ("pattern", "offered", "matches"),
    [
        ("Bar", "Bar", True),
        ("bar", "Main BAR", True),
        ("Bar", "Barrel Room", False),
        ("Dining Room", "Indoor Dining Room", True),
        ("Dining Room", "Room Dining", False),
        ("Counter", "Chef's Counter", True),
        ("Patio", "", False),
    ],
)
def test_types_match_whole_words_case_insensitively(
    pattern: str, offered: str, matches: bool
) -> None:
    assert matching.type_matches(pattern, offered) is matches


TIMES = st.builds(lambda h, m: f"{h:02d}:{m:02d}:00", st.integers(0, 23), st.integers(0, 59))
WINDOWS = st.tuples(TIMES, TIMES).map(lambda pair: "-".join(sorted(pair)))
TYPES = st.sampled_from(["Dining Room", "Patio", "Bar", "Counter", "Main Bar", "Terrace"])


@given(
    st.lists(st.tuples(TIMES, TYPES), max_size=30),
    st.lists(st.one_of(TIMES, WINDOWS), min_size=1, max_size=4),
    st.lists(TYPES, max_size=3, unique=True),
    st.lists(TYPES, max_size=2, unique=True),
)
def test_ranking_properties(
    offered: list[tuple[str, str]], wanted: list[str], types: list[str], excluded: list[str]
) -> None:
    """Only wanted slots, never an excluded type; ordered by wanted entry, then time
    within it, then wanted type; and nothing wanted is left out."""
    wanted_entries = tuple(matching.normalise_wanted(w) for w in wanted)
    served = [slot(t, k, f"{i}") for i, (t, k) in enumerate(offered)]
    ranked = rank_slots(served, wanted_entries, tuple(types), tuple(excluded))
    keys = []
    for s in ranked:
        when = matching.time_choice(s.time, wanted_entries)
        kind = matching.type_choice(s.table_type, types, excluded)
        assert when is not None and kind is not None
        assert not any(matching.type_matches(x, s.table_type) for x in excluded)
        keys.append((when, s.time, kind, int(s.token)))
    assert keys == sorted(keys)
    expected = {
        s.token
        for s in served
        if matching.time_choice(s.time, wanted_entries) is not None
        and matching.type_choice(s.table_type, types, excluded) is not None
    }
    assert {s.token for s in ranked} == expected


@given(st.lists(st.one_of(TIMES, WINDOWS), min_size=1, max_size=3), TIMES)
def test_the_fast_set_agrees_with_the_windows(wanted: list[str], time: str) -> None:
    entries = tuple(matching.normalise_wanted(w) for w in wanted)
    fast = matching.fast_set(entries)
    inside = matching.time_choice(time, entries) is not None
    assert fast is None or (time in fast) is inside


@given(st.lists(st.one_of(TIMES, WINDOWS), min_size=1, max_size=3), TIMES)
def test_the_time_index_agrees_with_time_choice(wanted: list[str], time: str) -> None:
    """The look-up table rank_slots uses gives the same choice as walking the list."""
    entries = tuple(matching.normalise_wanted(w) for w in wanted)
    table = matching.time_index(entries)
    assert table is None or table.get(time) == matching.time_choice(time, entries)


TARGET = ResyTarget(
    60029,
    DAY,
    2,
    ("19:00:00-20:30:00",),
    table_types=("Dining Room",),
    exclude_types=("Bar",),
    venue_ids=(60029, 1505),
    days=(DAY, "2026-12-26"),
)


def reservation(
    venue: int = 1505, day: str = "2026-12-26", time: str = "20:30", kind: str = ""
) -> resy.Reservation:
    return resy.Reservation("1", "rr://1", day, time, venue, 2, kind)


def test_is_for_covers_every_venue_day_and_window_and_honours_table_types() -> None:
    assert resy.is_for(reservation(), TARGET)
    assert resy.is_for(reservation(kind="Dining Room"), TARGET)
    assert not resy.is_for(reservation(kind="Bar"), TARGET)  # excluded: the owner's own
    assert not resy.is_for(reservation(kind="Patio"), TARGET)  # not a wanted type
    assert not resy.is_for(reservation(time="20:31"), TARGET)
    assert not resy.is_for(reservation(venue=999), TARGET)
    assert not resy.is_for(reservation(day="2026-12-25"), TARGET)


def test_the_job_key_covers_the_whole_job_and_stays_for_one_venue_and_day() -> None:
    from booker.store.joblock import job_key

    def key(target: ResyTarget) -> str:
        identity = ResyJob(resy.ResyCredentials("k", "t"), target).identity()
        return job_key(identity.provider, *identity.parts)

    single = ResyTarget(60029, DAY, 2, ("19:00:00",))
    assert key(single) == "resy:60029:2026-12-24:2"  # journals of before keep working
    assert key(TARGET) == "resy:1505,60029:2026-12-24,2026-12-26:2"
    reordered = ResyTarget(
        1505, "2026-12-26", 2, ("19:00:00",), venue_ids=(1505, 60029), days=("2026-12-26", DAY)
    )
    assert key(reordered) == key(TARGET)  # one job, whatever the order of preference


def test_a_tick_of_several_answers_is_one_verdict_best_first() -> None:
    targets = tuple(TARGET.at(v, d) for d in TARGET.all_days for v in TARGET.all_venues)
    later = Verdict(Kind.FOUND, 200, "1", slots=(Slot("19:00:00", "Patio", "b", ""),))
    better = Verdict(Kind.FOUND, 200, "1", slots=(Slot("20:00:00", "Dining Room", "a", DAY),))
    nothing = Verdict(Kind.EXPECTED, 200, "no slots yet")
    merged = resy.merge_finds([nothing, better, nothing, later], targets)
    assert merged.kind is Kind.FOUND
    assert [(s.token, s.venue, s.day, s.rank) for s in merged.slots] == [
        ("a", "1505", DAY, 1),
        ("b", "1505", "2026-12-26", 2),
    ]
    single = (TARGET.at(60029, DAY),)
    any_type = Verdict(
        Kind.FOUND,
        200,
        "2",
        slots=(Slot("19:00:00", "Bar", "x", DAY), Slot("19:00:00", "Patio", "y", DAY)),
    )
    plain = ResyTarget(60029, DAY, 2, ("19:00:00",))
    alike = resy.merge_finds([any_type], (plain,))
    assert [(s.rank, s.venue) for s in alike.slots] == [(1, ""), (1, "")]  # wanted as much
    assert resy.merge_finds([nothing], single) is nothing
    throttled = Verdict(Kind.THROTTLE, 429, "throttled", retry_after_s=3.0)
    assert resy.merge_finds([nothing, throttled, nothing, nothing], targets).kind is Kind.THROTTLE
    assert resy.merge_finds([nothing] * 4, targets).kind is Kind.EXPECTED


def test_explain_says_why_a_slot_ranks_where_it_does() -> None:
    chosen = Slot("19:45:00", "Dining Room", "a", "2026-12-26", venue="1505", rank=2)
    assert resy_target.explain(chosen, TARGET) == (
        "rank 2; day 2026-12-26 (2 of 2); venue 1505 (2 of 2); "
        "time 19:00-20:30 (choice 1 of 1, earliest first); "
        "table Dining Room (choice 1 of 1); not Bar"
    )


def test_every_tick_polls_each_day_and_venue_once_in_order_of_preference() -> None:
    import orjson

    flow = ResyJob(resy.ResyCredentials("k", "t"), TARGET).flow()
    asked = [orjson.loads(r.body or b"{}") for r in flow.polls()]
    assert [(a["day"], a["venue_id"]) for a in asked] == [
        (DAY, 60029),
        (DAY, 1505),
        ("2026-12-26", 60029),
        ("2026-12-26", 1505),
    ]
    assert flow.polls() is flow.polls()  # built once: the engine prepares them once
