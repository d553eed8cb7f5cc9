"""The one-shot commands' one error boundary, and the providers' credentials probes."""

from __future__ import annotations

import pytest

from booker.core.decide import Kind, Verdict
from booker.core.exceptions import BookerError, ParseError, ServiceRefusedError
from booker.core.wire import NO_ANSWER, Answer
from booker.oneshot.errors import raise_for, read
from booker.providers import cart, resy

URL = "https://api.example"
PAGE = Answer(403, b"<html>denied</html>", content_type="text/html")


@pytest.mark.parametrize(
    ("answer", "error", "message"),
    [
        (Answer(NO_ANSWER, error="timed out"), BookerError, f"cannot reach {URL} (timed out)"),
        (Answer(NO_ANSWER), BookerError, f"cannot reach {URL} (connection failed)"),
        (Answer(401), ServiceRefusedError, resy.BAD_CREDENTIALS),
        (Answer(419), ServiceRefusedError, resy.BAD_CREDENTIALS),
        (Answer(429), BookerError, "/3/venue: rate limited (HTTP 429); try again in a minute"),
        (PAGE, BookerError, "/3/venue: blocked by the service's firewall (HTTP 403)"),
        (Answer(403, b"{}"), BookerError, "/3/venue: the service answered HTTP 403"),
        (Answer(500), BookerError, "/3/venue: the service answered HTTP 500"),
    ],
)
def test_a_lookup_is_judged_by_its_status(
    answer: Answer, error: type[BookerError], message: str
) -> None:
    """Without a verdict the status (and Resy's reading of a refusal) decides, and the message
    names the request."""
    with pytest.raises(error) as caught:
        raise_for(answer, URL, "/3/venue", refusal=resy.refused_credentials)
    assert type(caught.value) is error and str(caught.value) == message


def test_a_lookup_without_the_providers_refusal_judges_by_the_status_alone() -> None:
    """The boundary knows no provider: a 401 is final only when the provider says so."""
    with pytest.raises(BookerError) as caught:
        raise_for(Answer(401), URL, "/3/venue")
    assert type(caught.value) is BookerError
    assert str(caught.value) == "/3/venue: the service answered HTTP 401"
    with pytest.raises(BookerError) as caught:  # only a TERMINAL reading ends it as refused
        raise_for(Answer(402), URL, "/2/user", refusal=resy.classify_refusal)
    assert type(caught.value) is ServiceRefusedError and str(caught.value) == resy.NO_PAYMENT
    with pytest.raises(BookerError) as caught:
        raise_for(Answer(429), URL, "/2/user", refusal=resy.classify_refusal)
    assert type(caught.value) is BookerError
    assert str(caught.value) == "/2/user: rate limited (HTTP 429); try again in a minute"


def test_a_200_ends_nothing() -> None:
    """A lookup's 200 is accepted."""
    raise_for(Answer(200), URL, "/3/venue")


@pytest.mark.parametrize(
    ("answer", "verdict", "error", "message"),
    [
        (Answer(401), Verdict(Kind.TERMINAL, 401, "go away"), ServiceRefusedError, "go away"),
        (
            Answer(NO_ANSWER, error="refused"),
            Verdict(Kind.THROTTLE, NO_ANSWER, "no answer"),
            BookerError,
            f"cannot reach {URL} (refused)",
        ),
        (
            PAGE,
            Verdict(Kind.FAILURE, 403, "HTTP 403"),
            BookerError,
            "blocked by the service's firewall (HTTP 403 with a web page): "
            "this address is blocked; try from another network",
        ),
        (
            Answer(200, b"[]"),
            Verdict(Kind.FAILURE, 200, "cart is not an object"),
            BookerError,
            "the service did not confirm the credentials: cart is not an object",
        ),
        (
            Answer(429),
            Verdict(Kind.THROTTLE, 429, "rate limited"),
            BookerError,
            "the service did not confirm the credentials: rate limited",
        ),
    ],
)
def test_a_probe_is_judged_by_its_verdict(
    answer: Answer, verdict: Verdict, error: type[BookerError], message: str
) -> None:
    """With a provider's verdict, the verdict decides and its reason is said."""
    with pytest.raises(error) as caught:
        raise_for(answer, URL, verdict=verdict)
    assert type(caught.value) is error and str(caught.value) == message


def test_an_accepted_verdict_ends_nothing_whatever_the_status() -> None:
    """The verdict, not the status, says whether a probe's answer is accepted."""
    raise_for(Answer(401), URL, verdict=Verdict(Kind.EXPECTED, 401))


def test_read_says_which_answer_it_could_not_read() -> None:
    """An accepted answer the reader refuses ends the command as ``what: why``."""

    def refuse(answer: Answer) -> int:
        raise ParseError("answer lacks 'id'")

    with pytest.raises(BookerError) as caught:
        read(Answer(200), URL, "/3/venue", refuse)
    assert type(caught.value) is BookerError and str(caught.value) == "/3/venue: answer lacks 'id'"
    assert read(Answer(200, b"7"), URL, "/3/venue", lambda a: int(a.body)) == 7
    with pytest.raises(ServiceRefusedError):
        read(Answer(419), URL, "/3/venue", refuse, refusal=resy.refused_credentials)


def test_resys_probe_asks_for_the_user_and_reads_its_verdict() -> None:
    """``GET /2/user``; a refused token is terminal, a readable user accepted."""
    probe = resy.credentials_probe(resy.ResyCredentials("key", "token"))
    assert (probe.provider, probe.request.method, probe.request.path) == ("resy", "GET", "/2/user")
    assert probe.classify(Answer(419)).kind is Kind.TERMINAL
    assert probe.classify(Answer(200, b'{"payment_methods": []}')).kind is Kind.EXPECTED


@pytest.mark.parametrize(
    ("answer", "kind"),
    [
        (Answer(200, b'{"items": []}'), Kind.EXPECTED),
        (Answer(200, b"[]"), Kind.FAILURE),
        (Answer(401), Kind.TERMINAL),
        (Answer(429), Kind.THROTTLE),
        (Answer(500), Kind.FAILURE),
    ],
)
def test_the_carts_probe_accepts_a_readable_cart(answer: Answer, kind: Kind) -> None:
    """Reading the cart: readable is accepted; refused, throttled or unreadable is not."""
    probe = cart.credentials_probe(cart.CartCredentials("eyJ.id.token", '{"a1":"data"}'))
    assert (probe.provider, probe.request.path) == ("cart", cart.CART_PATH)
    assert probe.classify(answer).kind is kind
