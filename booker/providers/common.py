"""Helpers shared by providers: JSON decoding and status classes that every service shares."""

from __future__ import annotations

import datetime as dt
from email.utils import parsedate_to_datetime
from typing import Any

import orjson

from booker.core.decide import Kind, Verdict
from booker.core.exceptions import ParseError
from booker.core.wire import NO_ANSWER, Answer


def json_body(answer: Answer) -> Any:
    """Decode a JSON body or raise ``ParseError``."""
    try:
        return orjson.loads(answer.body)
    except orjson.JSONDecodeError as exc:
        raise ParseError(f"unparseable answer (HTTP {answer.status})") from exc


UNSURE_FROM = 500  # a write answered 5xx (like one not answered at all) may still have been done


def is_unsure(status: int) -> bool:
    """No definite answer to a write (none at all, or 5xx): it may or may not have been done."""
    return status == NO_ANSWER or status >= UNSURE_FROM


def throttle_or_none(answer: Answer) -> Verdict | None:
    """No answer at all, or 429: the service is pushing back."""
    if answer.status == NO_ANSWER:
        return Verdict(
            Kind.THROTTLE, NO_ANSWER, f"no answer ({answer.error or 'connection failed'})"
        )
    if answer.status == 429:
        wait = retry_after_s(answer)
        reason = "rate limited" + (f" (Retry-After {wait:g} s)" if wait is not None else "")
        return Verdict(Kind.THROTTLE, 429, reason, retry_after_s=wait)
    return None


def retry_after_s(answer: Answer) -> float | None:
    """The answer's ``Retry-After`` in seconds (delta-seconds, or an HTTP date against ``Date``).

    None when absent or unreadable.
    """
    text = (answer.retry_after or "").strip()
    if not text:
        return None
    if text.isdigit():
        return float(text)
    try:
        until = parsedate_to_datetime(text)
        now = parsedate_to_datetime(answer.date) if answer.date else dt.datetime.now(dt.UTC)
    except (TypeError, ValueError, IndexError):
        return None
    if until.tzinfo is None or now.tzinfo is None:
        return None
    return max(0.0, (until - now).total_seconds())


FIREWALL = "blocked by the service's firewall"


def is_firewall(answer: Answer) -> bool:
    """A 403 with an HTML page: the service's web application firewall, not the API."""
    if answer.status != 403:
        return False
    if "html" in answer.content_type.lower():
        return True
    head = answer.body[:64].lstrip().lower()
    return head.startswith((b"<!doctype html", b"<html"))


def failure(answer: Answer, what: str = "") -> Verdict:
    """Any other failure: counted, never fatal."""
    if is_firewall(answer) and not what:
        what = FIREWALL
    detail = f": {what}" if what else ""
    return Verdict(Kind.FAILURE, answer.status, f"HTTP {answer.status}{detail}")


def dig(value: Any, *keys: str | int) -> Any:
    """Walk nested dicts and lists; ``ParseError`` when the shape is wrong."""
    for key in keys:
        try:
            value = value[key]
        except (KeyError, IndexError, TypeError) as exc:
            raise ParseError(f"answer lacks {key!r}") from exc
    return value
