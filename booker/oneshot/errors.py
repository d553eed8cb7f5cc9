"""The one boundary where an answer that ends a one-shot command becomes a ``BookerError``.

What decides is the provider's ``Verdict`` when the caller hands one (a credentials
probe, ``booker ping``), else the status (a lookup, which names its request ``what``,
e.g. ``/3/venue``, and hands the provider's ``refusal`` reader, e.g. Resy's 401/419):

    accepted (200, or an EXPECTED verdict)       nothing
    refused (a TERMINAL verdict or refusal)      ServiceRefusedError         -> exit 3
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

T = TypeVar("T")

# A provider's reading of an answer that refuses for good (a TERMINAL verdict), else None
Refusal = Callable[[Answer], Verdict | None]


def raise_for(
    answer: Answer,
    base_url: str,
    what: str = "",
    verdict: Verdict | None = None,
    *,
    refusal: Refusal | None = None,
) -> None:
    """Nothing when the answer is accepted; otherwise the error that ends the command.

    ``refusal`` (a lookup's): the provider's reader of the statuses that refuse for good;
    without it only the status counts.
    """
    probed = verdict is not None
    if verdict is None:
        verdict = _by_status(answer, refusal)
    if verdict.kind is Kind.EXPECTED:
        return
    if verdict.kind is Kind.TERMINAL:
        raise ServiceRefusedError(verdict.reason)
    if answer.status == NO_ANSWER:
        raise BookerError(f"cannot reach {base_url} ({answer.error or 'connection failed'})")
    raise BookerError(_unconfirmed(answer, verdict) if probed else _unusable(answer, what))


def read(
    answer: Answer,
    base_url: str,
    what: str,
    reader: Callable[[Answer], T],
    *,
    refusal: Refusal | None = None,
) -> T:
    """``reader(answer)`` when the answer is accepted; otherwise the error that ends the command
    (``refusal`` as for ``raise_for``)."""
    raise_for(answer, base_url, what, refusal=refusal)
    try:
        return reader(answer)
    except ParseError as exc:
        raise BookerError(f"{what}: {exc}") from None


def _by_status(answer: Answer, refusal: Refusal | None) -> Verdict:
    """A lookup's answer: 200 is accepted, a refusal the provider reads is final."""
    if answer.status == 200:
        return Verdict(Kind.EXPECTED, answer.status)
    refused = refusal(answer) if refusal is not None else None
    if refused is not None and refused.kind is Kind.TERMINAL:
        return refused
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
