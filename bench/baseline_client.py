"""The hand-written baseline: what one would write in an afternoon, one process, stdlib only.

A loop polls ``GET /4/find`` with ``urllib.request``, sleeps the cadence
between polls, and on the first wanted slot does ``POST /3/details`` (JSON)
then ``POST /3/book`` (form-encoded, per docs/API-NOTES.md). It speaks HTTPS to the
simulator with an SSL context that trusts the simulator's CA (urllib: HTTP/1.1,
a new connection per request). No booker code is imported, on purpose.

Two fairer variants for the comparisons (issue 15): ``--keep-alive`` reuses one
warm connection (``http.client``), and ``--at EPOCH`` hands it the exact instant
of the release on *this machine's* clock: it sleeps (then spins) until then,
and polls from that instant on the cadence grid.

    python bench/baseline_client.py --base-url URL --ca CA --api-key K --auth-token T \
        --venue-id V --day YYYY-MM-DD --times 19:00,19:30 [--cadence-ms 50] [--max-duration 30] \
        [--keep-alive] [--at EPOCH]

Prints one JSON line: status (booked / not_booked), reservation_id, polls.
"""

from __future__ import annotations

import argparse
import functools
import http.client
import json
import ssl
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

HEADERS = {
    "User-Agent": "Mozilla/5.0 (baseline)",
    "Origin": "https://resy.com",
    "Referer": "https://resy.com/",
    "Accept": "application/json, text/plain, */*",
}


def call(
    context: ssl.SSLContext, url: str, headers: dict[str, str], data: bytes | None = None
) -> tuple[int, Any]:
    """One request; (status, decoded JSON or None). HTTP errors are answers, not exceptions."""
    request = urllib.request.Request(url, data=data, headers=headers)
    try:
        with urllib.request.urlopen(request, context=context, timeout=2) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as exc:
        return exc.code, None
    except (urllib.error.URLError, OSError, ValueError):
        return 0, None


class KeepAlive:
    """One reused HTTPS connection (HTTP/1.1); reconnects after a failure."""

    def __init__(self, base_url: str, context: ssl.SSLContext) -> None:
        parsed = urllib.parse.urlsplit(base_url)
        self.host, self.port = parsed.hostname or "127.0.0.1", parsed.port or 443
        self.context = context
        self.connection: http.client.HTTPSConnection | None = None

    def call(self, url: str, headers: dict[str, str], data: bytes | None = None) -> tuple[int, Any]:
        """Like ``call``, on the kept connection."""
        parsed = urllib.parse.urlsplit(url)
        path = parsed.path + (f"?{parsed.query}" if parsed.query else "")
        try:
            if self.connection is None:
                self.connection = http.client.HTTPSConnection(
                    self.host, self.port, context=self.context, timeout=2
                )
            method = "POST" if data is not None else "GET"
            self.connection.request(method, path, body=data, headers=headers)
            response = self.connection.getresponse()
            body = response.read()
            if response.status >= 400:
                return response.status, None
            return response.status, json.loads(body or b"null")
        except (OSError, http.client.HTTPException, ValueError):
            if self.connection is not None:
                self.connection.close()
            self.connection = None
            return 0, None


def wait_until(epoch: float) -> None:
    """Sleep until shortly before ``epoch`` (this machine's clock), then spin to it."""
    while (left := epoch - time.time()) > 0.002:
        time.sleep(left - 0.002)
    while time.time() < epoch:
        pass


def wanted_slots(document: Any, times: list[str]) -> list[str]:
    """Config tokens of slots at wanted times, in order of preference."""
    try:
        slots = document["results"]["venues"][0]["slots"]
    except (KeyError, IndexError, TypeError):
        return []
    tokens = []
    for wanted in times:
        for slot in slots or []:
            if slot["date"]["start"].split(" ")[-1].startswith(wanted):
                tokens.append(slot["config"]["token"])
    return tokens


def main(argv: list[str] | None = None) -> int:
    """Poll, then book the first wanted slot; 0 when booked, 1 otherwise."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    for name in ("--base-url", "--ca", "--api-key", "--auth-token", "--day", "--times"):
        parser.add_argument(name, required=True)
    parser.add_argument("--venue-id", type=int, required=True)
    parser.add_argument("--party-size", type=int, default=2)
    parser.add_argument("--payment-method-id", type=int, default=123456)
    parser.add_argument("--cadence-ms", type=float, default=50)
    parser.add_argument("--max-duration", type=float, default=30)
    parser.add_argument("--keep-alive", action="store_true")
    parser.add_argument("--at", type=float, default=None, help="local epoch of the release")
    args = parser.parse_args(argv)

    context = ssl.create_default_context(cafile=args.ca)
    send: Any = functools.partial(call, context)
    if args.keep_alive:
        send = KeepAlive(args.base_url, context).call
    public = {**HEADERS, "Authorization": f'ResyAPI api_key="{args.api_key}"'}
    user = {
        **public,
        "X-Resy-Auth-Token": args.auth_token,
        "X-Resy-Universal-Auth": args.auth_token,
    }
    query = urllib.parse.urlencode(
        {
            "lat": 0,
            "long": 0,
            "day": args.day,
            "party_size": args.party_size,
            "venue_id": args.venue_id,
        }
    )
    find_url = f"{args.base_url}/4/find?{query}"
    times = args.times.split(",")
    cadence = args.cadence_ms / 1000
    if args.at is not None:
        send(f"{args.base_url}/2/config?venue_id={args.venue_id}", public)  # warm, then wait
        wait_until(args.at)
    deadline = time.monotonic() + args.max_duration
    polls = 0
    next_poll = time.monotonic()
    while time.monotonic() < deadline:
        polls += 1
        status, document = send(find_url, public)
        for token in wanted_slots(document, times) if status == 200 else []:
            body = json.dumps({"config_id": token, "day": args.day, "party_size": args.party_size})
            status, details = send(
                f"{args.base_url}/3/details",
                {**user, "Content-Type": "application/json"},
                body.encode(),
            )
            if status not in (200, 201) or not isinstance(details, dict):
                continue
            form = urllib.parse.urlencode(
                {
                    "book_token": details["book_token"]["value"],
                    "struct_payment_method": json.dumps({"id": args.payment_method_id}),
                    "source_id": "resy.com-venue-details",
                }
            ).encode()
            status, booked = send(
                f"{args.base_url}/3/book",
                {**user, "Content-Type": "application/x-www-form-urlencoded"},
                form,
            )
            if status in (200, 201) and isinstance(booked, dict):
                result = {"status": "booked", "reservation_id": booked.get("reservation_id")}
                print(json.dumps({**result, "polls": polls}))
                return 0
        next_poll += cadence  # the next grid tick (a late poll skips none: it just goes)
        time.sleep(max(0.0, next_poll - time.monotonic()))
    print(json.dumps({"status": "not_booked", "reservation_id": None, "polls": polls}))
    return 1


if __name__ == "__main__":
    sys.exit(main())
