"""Realistic inputs for the pure-core benchmarks: a 40-slot /4/find answer and its target."""

from __future__ import annotations

import orjson

from booker.net.http import Answer
from booker.providers.resy import ResyApi, ResyCredentials
from booker.providers.resy_target import ResyTarget

DAY = "2026-12-24"
VENUE_ID = 60029
TABLE_TYPES = ("Dining Room", "Bar", "Patio", "Counter")
WANTED = ("19:00:00", "19:30:00", "20:00:00")


def find_document(slots: int = 40) -> dict[str, object]:
    """A /4/find answer shaped like docs/API-NOTES.md: ``slots`` slots from 17:00 every 15 minutes."""
    raw = []
    for index in range(slots):
        minutes = 17 * 60 + (index // len(TABLE_TYPES)) * 15
        clock = f"{minutes // 60:02d}:{minutes % 60:02d}:00"
        table = TABLE_TYPES[index % len(TABLE_TYPES)]
        config_id = 1_677_974 + index
        raw.append(
            {
                "config": {
                    "id": config_id,
                    "token": f"rgs://resy/{VENUE_ID}/{config_id}/2/{DAY}/{DAY}/{clock}/2/{table}",
                    "type": table,
                },
                "date": {"start": f"{DAY} {clock}", "end": f"{DAY} {clock}"},
                "size": {"min": 1, "max": 4},
                "quantity": 1,
                "payment": {"is_paid": False, "deposit_fee": None},
            }
        )
    return {
        "query": {"day": DAY, "party_size": 2},
        "results": {"venues": [{"venue": {"id": {"resy": VENUE_ID}}, "slots": raw}]},
    }


def find_answer(slots: int = 40) -> Answer:
    """The 40-slot answer as the HTTP edge hands it over."""
    body = orjson.dumps(find_document(slots))
    return Answer(200, body, http_version="HTTP/2", date="Thu, 24 Dec 2026 10:00:00 GMT")


EMPTY_ANSWER = Answer(200, orjson.dumps({"results": {"venues": [{"slots": []}]}}), "HTTP/2")
TARGET = ResyTarget(VENUE_ID, DAY, 2, WANTED, payment_method_id=123456)
API = ResyApi(ResyCredentials("K" * 32, "sim.jwt.token"), TARGET)
