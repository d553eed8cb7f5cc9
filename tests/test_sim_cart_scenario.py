"""Cart scenario parsing, the R1/R6 rule and campsite overlap, without a server."""

from __future__ import annotations

import tomllib
from datetime import UTC, date, datetime

import pytest

from booker.sim.campsites import SiteBook, Stay
from booker.sim.cart_faults import clock_text, not_open
from booker.sim.cart_scenario import DEFAULT_A1DATA, DEFAULT_AUTHORIZATION, CartItemSpec
from booker.sim.scenario import Scenario, ScenarioError, parse_scenario


def parse(text: str) -> Scenario:
    return parse_scenario(tomllib.loads('provider = "cart"\n' + text))


def test_cart_defaults() -> None:
    s = parse("")
    assert s.cart is not None
    camp = s.cart.campground
    assert (camp.contract_code, camp.facility_id, camp.sites) == ("NY", "140", ("245719", "245720"))
    assert (camp.max_nights, s.cart.try_again_window_s, s.cart.items) == (14, 600.0, ())
    assert (s.cart.auth.authorization, s.cart.auth.a1data) == (
        DEFAULT_AUTHORIZATION,
        DEFAULT_A1DATA,
    )
    assert s.release_at(1000.0) == 1003.0
    noon = datetime(2030, 1, 1, 17, 0, tzinfo=UTC).timestamp()  # 12:00 in New York
    assert s.bookable_day(noon) == date(2030, 1, 31)


def test_full_cart_scenario() -> None:
    s = parse(
        """
        clock_skew_s = 1.5
        seed = 3
        [release]
        at = "2030-01-01T09:00:00-05:00"
        try_again_window = "2m"
        [campground]
        contract_code = "CA"
        facility_id = "7"
        name = "Big Basin"
        sites = ["a", "b"]
        arrival_date = 2030-10-01
        max_nights = 7
        time_zone = "America/Los_Angeles"
        [auth]
        authorization = "x.y.z"
        a1data = "{}"
        [[cart.items]]
        site_id = "b"
        arrival_date = "+2d"
        units = 2
        [[rivals]]
        count = 2
        prefer = ["b", "a"]
        [rate_limit]
        rate_per_s = 5
        burst = 2
        [[faults]]
        kind = "status"
        status = 401
        paths = ["/jaxrs-json/shoppingcart/0/additem"]
        """
    )
    assert s.cart is not None
    assert s.release_at(0.0) == datetime(2030, 1, 1, 14, tzinfo=UTC).timestamp()
    assert s.bookable_day(0.0) == date(2030, 10, 1)
    assert s.cart.try_again_window_s == 120.0
    assert s.cart.items == (CartItemSpec("b", "CA", "7", 2, None, 2),)
    assert s.cart.item_arrival(s.cart.items[0], 0.0) == date(1970, 1, 2)  # LA is behind UTC
    assert s.rivals[0].prefer == ("b", "a")
    assert s.faults[0].status == 401
    assert (s.clock_skew_s, s.seed) == (1.5, 3)


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("[venue]\nid = 1", "unknown key"),
        ('[[slots]]\ntime = "19:00"', "unknown key"),
        ('[release]\nday = "+1d"', "unknown key"),
        ('[release]\ntry_again_window = "soon"', "try_again_window"),
        ("[campground]\nsites = []", "sites"),
        ('[campground]\nsites = ["1", "1"]', "repeat"),
        ('[campground]\narrival_date = "next week"', "arrival_date"),
        ("[campground]\nmax_nights = 0", "max_nights"),
        ('[campground]\ntime_zone = "Mars/Base"', "time_zone"),
        ('[auth]\nauthorization = ""', "authorization"),
        ('[auth]\napi_key = "k"', "unknown key"),
        ("[[cart.items]]\nunits = 1", "site_id"),
        ('[[cart.items]]\nsite_id = "1"\nunits = 0', "units"),
        ("[cart]\nsize = 1", "unknown key"),
        ('[[rivals]]\nprefer = ["999"]', "unknown sites"),
    ],
)
def test_bad_cart_scenarios(text: str, needle: str) -> None:
    with pytest.raises(ScenarioError, match=needle):
        parse(text)


def test_r1_until_the_window_then_r6_with_the_local_release_time() -> None:
    release = datetime(2030, 1, 1, 14, 0, tzinfo=UTC).timestamp()  # 9:00 AM New York
    assert clock_text(release, "America/New_York") == "9:00 AM"
    assert clock_text(release + 6 * 3600 + 300, "America/New_York") == "3:05 PM"
    zone = "America/New_York"
    for before, key in ((3600.0, "R1-V-100017.error"), (601.0, "R1-V-100017.error")):
        assert key.encode() in not_open(release - before, release, 600.0, zone).body
    r6 = not_open(release - 600.0, release, 600.0, zone).body
    assert b"R6-V-100013.error" in r6
    assert b"try again at 9:00 AM" in r6


def test_stays_overlap_by_night_and_sites_hold_them() -> None:
    a = Stay("1", date(2030, 5, 1), 2)
    assert a.departure == date(2030, 5, 3)
    assert a.overlaps(Stay("2", date(2030, 5, 2), 1))
    assert not a.overlaps(Stay("1", date(2030, 5, 3), 1))
    book = SiteBook(["1", "2"])
    assert book.take(a, "r1")
    assert not book.take(Stay("1", date(2030, 4, 30), 2), "r2")
    assert book.first_free(["1", "2"], date(2030, 5, 1), 1) == Stay("2", date(2030, 5, 1), 1)
    assert not book.free(Stay("3", date(2030, 5, 1), 1))
    book.give_back("r1")
    assert book.free(a)
