"""Unit tests of the HTTP edge that need no socket: URL checks, TLS context, plain values."""

from __future__ import annotations

import ssl
from pathlib import Path

import pytest

from booker.core.exceptions import UsageError
from booker.net.http import NO_ANSWER, Answer, Request, check_base_url, is_loopback, tls_context


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("localhost", True),
        ("LOCALHOST", True),
        ("localhost.localdomain", True),
        ("127.0.0.1", True),
        ("127.1.2.3", True),
        ("::1", True),
        ("[::1]", True),
        ("0.0.0.0", False),
        ("10.0.0.1", False),
        ("128.0.0.1", False),
        ("api.resy.com", False),
        ("localhost.evil.com", False),
        ("127.0.0.1.nip.io", False),
        ("::2", False),
        ("", False),
    ],
)
def test_is_loopback(host: str, loopback: bool) -> None:
    """Only localhost names, 127.0.0.0/8 and ::1 count as loopback."""
    assert is_loopback(host) is loopback


@pytest.mark.parametrize(
    ("url", "cleaned"),
    [
        ("https://api.resy.com", "https://api.resy.com"),
        ("https://api.resy.com/", "https://api.resy.com"),
        ("https://10.0.0.5:8443//", "https://10.0.0.5:8443"),
        ("http://127.0.0.1:8080", "http://127.0.0.1:8080"),
        ("http://localhost:8080/", "http://localhost:8080"),
        ("http://[::1]:9000", "http://[::1]:9000"),
        ("HTTP://LOCALHOST", "HTTP://LOCALHOST"),
    ],
)
def test_check_base_url_accepts(url: str, cleaned: str) -> None:
    """https anywhere and http on loopback are accepted, without trailing slashes."""
    assert check_base_url(url) == cleaned


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://api.resy.com", "only for loopback"),
        ("http://10.0.0.1:8080", "only for loopback"),
        ("http://0.0.0.0:8080", "only for loopback"),
        ("http://localhost.evil.com", "only for loopback"),
        ("ftp://api.resy.com", "must be an http"),
        ("api.resy.com", "must be an http"),
        ("https://", "must be an http"),
        ("", "must be an http"),
        ("file:///etc/passwd", "must be an http"),
    ],
)
def test_check_base_url_refuses(url: str, message: str) -> None:
    """Plain http off loopback, other schemes and host-less URLs raise UsageError."""
    with pytest.raises(UsageError, match=message):
        check_base_url(url)


@pytest.mark.parametrize("url", ["http://[::1", "https://[::1:8443/", "https://[not-an-ip]/"])
def test_check_base_url_malformed_is_usage_error(url: str) -> None:
    """A URL urllib cannot split is a UsageError too (bug: ValueError escapes)."""
    with pytest.raises(UsageError, match="--base-url"):
        check_base_url(url)


def test_tls_context_verifies_by_default() -> None:
    """The default context requires certificates and checks host names."""
    context = tls_context(None)
    assert context.verify_mode is ssl.CERT_REQUIRED
    assert context.check_hostname is True


def test_tls_context_bad_ca_file_is_usage_error(tmp_path: Path) -> None:
    """A CA file that is not PEM raises UsageError naming --ca-cert."""
    bad = tmp_path / "ca.pem"
    bad.write_text("-----BEGIN CERTIFICATE-----\nnot base64!!\n-----END CERTIFICATE-----\n")
    with pytest.raises(UsageError, match="--ca-cert"):
        tls_context(bad)


def test_tls_context_empty_ca_file_is_usage_error(tmp_path: Path) -> None:
    """An empty CA file raises UsageError."""
    empty = tmp_path / "empty.pem"
    empty.write_text("")
    with pytest.raises(UsageError, match="--ca-cert"):
        tls_context(empty)


def test_tls_context_missing_ca_file_is_usage_error(tmp_path: Path) -> None:
    """A CA path that does not exist raises UsageError."""
    with pytest.raises(UsageError, match="--ca-cert"):
        tls_context(tmp_path / "missing.pem")


def test_answer_and_request_are_plain_values() -> None:
    """Answer defaults to an empty body with no error; both values are frozen and comparable."""
    assert NO_ANSWER == 0
    assert Answer(200) == Answer(200, b"", "", None, 0.0, "")
    request = Request("GET", "/4/find")
    assert (request.headers, request.body) == ((), None)
    with pytest.raises(AttributeError):
        request.method = "POST"  # type: ignore[misc]


def test_plain_http_clients_skip_the_ca_bundle_but_keep_verifying() -> None:
    """A plain-http client gets a context with no trust roots that still verifies certificates."""
    import ssl

    from booker.net.http import ClientConfig, _verify_for

    plain = _verify_for(ClientConfig(base_url="http://127.0.0.1:8080"))
    assert plain.verify_mode is ssl.CERT_REQUIRED and plain.check_hostname
    assert plain.get_ca_certs() == []
    secure = _verify_for(ClientConfig(base_url="https://api.resy.com"))
    assert secure.verify_mode is ssl.CERT_REQUIRED
    assert secure.cert_store_stats()["x509_ca"] > 0


@pytest.mark.e2e
@pytest.mark.parametrize("plain", [False, True], ids=["h2-tls", "h1-plain"])
def test_tcp_nodelay_is_on_for_the_live_connection(tmp_path: Path, plain: bool) -> None:
    """After the first answer the client reads TCP_NODELAY back from its socket: on."""
    import asyncio

    from booker.net.http import ClientConfig, HttpClient, Request
    from booker.sim.testing import running_sim

    with running_sim(None, plain=plain, tmp_dir=tmp_path) as sim:
        headers = tuple(sim.headers().items())

        async def first_answer() -> tuple[int, bool | None, str]:
            config = ClientConfig(base_url=sim.url, ca_cert=sim.ca)
            async with HttpClient(config) as client:
                answer = await client.send(Request("GET", "/2/user", headers))
                return answer.status, client.nodelay, answer.http_version

        status, nodelay, version = asyncio.run(first_answer())
    assert status == 200
    assert nodelay is True
    assert version == ("HTTP/1.1" if plain else "HTTP/2")
