"""The one boundary where an answer that ends a one-shot command becomes a ``BookerError``.

What decides is the provider's ``Verdict`` when the caller hands one (a credentials
probe, ``booker ping``), else the status alone (a lookup, which names its request
``what``, e.g. ``/3/venue``):

    accepted (200, or an EXPECTED verdict)       nothing
    refused (401/419, or a TERMINAL verdict)     ServiceRefusedError         -> exit 3
    no answer                                    cannot reach URL (why)      -> exit 1
    rate limited (a lookup)                      what: rate limited ...      -> exit 1
    the firewall's page (403 with HTML)          said as such                -> exit 1
    anything else                                what: HTTP n / the reason   -> exit 1

An answer that serves but cannot be read (``ParseError``) ends the command as
``what: why`` (``read``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from booker.core.decide import Kind, Verdict
from booker.core.exceptions import BookerError, ParseError, ServiceRefusedError
from booker.core.wire import NO_ANSWER, Answer
from booker.providers.common import FIREWALL, is_firewall
from booker.providers.resy import BAD_CREDENTIALS

T = TypeVar("T")


def raise_for(
    answer: Answer, base_url: str, what: str = "", verdict: Verdict | None = None
) -> None:
    """Nothing when the answer is accepted; otherwise the error that ends the command."""
    probed = verdict is not None
    if verdict is None:
        verdict = _by_status(answer)
    if verdict.kind is Kind.EXPECTED:
        return
    if verdict.kind is Kind.TERMINAL:
        raise ServiceRefusedError(verdict.reason)
    if answer.status == NO_ANSWER:
        raise BookerError(f"cannot reach {base_url} ({answer.error or 'connection failed'})")
    raise BookerError(_unconfirmed(answer, verdict) if probed else _unusable(answer, what))


def read(answer: Answer, base_url: str, what: str, reader: Callable[[Answer], T]) -> T:
    """``reader(answer)`` when the answer is accepted; otherwise the error that ends the command."""
    raise_for(answer, base_url, what)
    try:
        return reader(answer)
    except ParseError as exc:
        raise BookerError(f"{what}: {exc}") from None


def _by_status(answer: Answer) -> Verdict:
    """A lookup's answer, judged by its status alone."""
    if answer.status == 200:
        return Verdict(Kind.EXPECTED, answer.status)
    if answer.status in (401, 419):
        return Verdict(Kind.TERMINAL, answer.status, BAD_CREDENTIALS)
    return Verdict(Kind.FAILURE, answer.status)


def _unusable(answer: Answer, what: str) -> str:
    """Why the lookup ``what`` got nothing it can use."""
    if answer.status == 429:
        return f"{what}: rate limited (HTTP 429); try again in a minute"
    if is_firewall(answer):
        return f"{what}: {FIREWALL} (HTTP 403)"
    return f"{what}: the service answered HTTP {answer.status}"


def _unconfirmed(answer: Answer, verdict: Verdict) -> str:
    """Why a credentials probe confirmed nothing."""
    if is_firewall(answer):
        return (
            f"{FIREWALL} (HTTP 403 with a web page): this address is blocked; "
            "try from another network"
        )
    return f"the service did not confirm the credentials: {verdict.reason}"
