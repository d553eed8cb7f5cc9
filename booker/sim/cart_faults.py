"""The cart API's 417 fault bodies, and which "not open yet" fault applies when.

Not open yet (the rule): for the released arrival date, `R6-V-100013.error` ("try again at
9:00 AM", the release time in the campground's zone) during the last `try_again_window`
(default 10 minutes) before release, `R1-V-100017.error` ("within 9 Month(s)") earlier;
arrival dates after the released one always get R1.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from booker.sim.asgi import Response, json_response

NOT_OPEN_R1 = "R1-V-100017.error"
NOT_OPEN_R6 = "R6-V-100013.error"
OVERLAPPING = "R12-V-100007.error"
INVENTORY = "inventory.exception"
CONTRACT_NOT_FOUND = "contract.notfound.error"
FACILITY_NOT_FOUND = "facility.notfound.error"
SITE_NOT_FOUND = "site.notfound.error"
MAX_STAY = "site.maxstay.error"
ITEM_NOT_FOUND = "cart.item.notfound.error"
BAD_REQUEST = "request.invalid.error"
SESSION = "session.expired.error"


def faults(status: int, msg_key: str, message: str) -> Response:
    """`{"faults": [{"msgKey", "defaultMessage"}]}` with `status`."""
    fault = {"msgKey": msg_key, "defaultMessage": message, "severity": "ERROR"}
    return json_response(status, {"faults": [fault]})


def fault_417(msg_key: str, message: str) -> Response:
    """The API's usual business-rule refusal."""
    return faults(417, msg_key, message)


def clock_text(epoch: float, time_zone: str) -> str:
    """'9:00 AM'-style local time of `epoch`."""
    local = datetime.fromtimestamp(epoch, ZoneInfo(time_zone))
    return f"{local.hour % 12 or 12}:{local.minute:02d} {'AM' if local.hour < 12 else 'PM'}"


def not_open(now: float, release_at: float, window_s: float, time_zone: str) -> Response:
    """R6 within `window_s` before `release_at`, else R1 (see the module docstring)."""
    if 0.0 < release_at - now <= window_s:
        return fault_417(
            NOT_OPEN_R6,
            "The dates you selected are not yet available for reservation. "
            f"Please try again at {clock_text(release_at, time_zone)}.",
        )
    return too_far_ahead()


def too_far_ahead() -> Response:
    """R1: the arrival date is beyond the booking window."""
    return fault_417(
        NOT_OPEN_R1,
        "Reservations for this site can only be made within 9 Month(s) of the arrival date.",
    )


def overlapping() -> Response:
    """R12: the user's cart already holds an item with overlapping dates."""
    return fault_417(
        OVERLAPPING,
        "Your cart already contains an item with dates overlapping the dates you selected.",
    )


def inventory_taken() -> Response:
    """The site is already reserved for some of the dates."""
    return fault_417(
        INVENTORY,
        "The dates you selected are not available. "
        "Please select different dates or a different site.",
    )


WINDOW_2026 = "reservation.window.error"  # 2026: "not open yet" told by its words only
UNAVAILABLE_2026 = "site.unavailable.error"


def not_open_2026(now: float, release_at: float, window_s: float, time_zone: str) -> Response:
    """As ``not_open`` in the words today's clients match, under a key they do not know."""
    if 0.0 < release_at - now <= window_s:
        return fault_417(
            WINDOW_2026,
            "This site cannot be reserved at this time. "
            f"Please try again later at {clock_text(release_at, time_zone)}.",
        )
    return too_far_ahead_2026()


def too_far_ahead_2026() -> Response:
    """The booking window, in words."""
    return fault_417(
        WINDOW_2026, "Reservations can only be made within 9 Month(s) of the arrival date."
    )


def sold_out_2026() -> Response:
    """409: the site is taken."""
    return faults(409, UNAVAILABLE_2026, "This site is sold out for the dates you selected.")


def unauthorized() -> Response:
    """401 for a missing or wrong `authorization`/`a1data` pair."""
    return faults(401, SESSION, "Your session has expired. Please sign in again.")


def bad_request(message: str) -> Response:
    """400 for a body the API cannot read."""
    return faults(400, BAD_REQUEST, message)
