"""Helpers shared by providers: JSON decoding and status classes that every service shares."""

from __future__ import annotations

from typing import Any

import orjson

from booker.decide import Kind, Verdict
from booker.exceptions import ParseError
from booker.wire import NO_ANSWER, Answer


def json_body(answer: Answer) -> Any:
    """Decode a JSON body or raise ``ParseError``."""
    try:
        return orjson.loads(answer.body)
    except orjson.JSONDecodeError as exc:
        raise ParseError(f"unparseable answer (HTTP {answer.status})") from exc


def throttle_or_none(answer: Answer) -> Verdict | None:
    """No answer at all, or 429: the service is pushing back."""
    if answer.status == NO_ANSWER:
        return Verdict(
            Kind.THROTTLE, NO_ANSWER, f"no answer ({answer.error or 'connection failed'})"
        )
    if answer.status == 429:
        return Verdict(Kind.THROTTLE, 429, "rate limited")
    return None


def failure(answer: Answer, what: str = "") -> Verdict:
    """Any other failure: counted, never fatal."""
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
