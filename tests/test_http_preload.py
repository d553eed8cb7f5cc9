"""What ``booker/net/http.py`` relies on in httpcore and anyio beyond their public API.

It preloads modules the first request would otherwise import (two are private:
``httpcore._async.http2``, ``anyio._backends._asyncio``) and answers httpcore's
undocumented ``is_readable`` stream query. A library release that moves either
would cost silently (milliseconds on a worker's first request, or a dead
connection reused): these tests make it loud.
"""

from __future__ import annotations

import asyncio
import ssl
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import trustme

from booker.net.http import LAZY_MODULES, AsyncioBackend
from booker.sim.testing import running_sim

LIBRARIES = ("httpcore", "h2", "hpack", "hyperframe", "h11", "anyio", "sniffio")


def run_python(code: str) -> str:
    """Run ``code`` in a fresh interpreter (nothing imported yet); its stdout."""
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return done.stdout


def test_importing_the_edge_preloads_every_lazy_module() -> None:
    """Each preloaded module exists where http.py looks for it (a move fails here)."""
    out = run_python(
        f"""
        import sys
        import booker.net.http
        print(" ".join(m for m in {LAZY_MODULES!r} if m not in sys.modules))
        """
    )
    assert out.split() == []


@pytest.mark.e2e
def test_the_first_http2_request_imports_nothing_more(tmp_path: Path) -> None:
    """After ``import booker.net.http``, a first HTTP/2 request over TLS loads no library module."""
    with running_sim(None, tmp_dir=tmp_path) as sim:
        out = run_python(
            f"""
            import asyncio, sys
            from booker.net.http import ClientConfig, HttpClient, Request
            from pathlib import Path

            async def first() -> None:
                config = ClientConfig(base_url={sim.url!r}, ca_cert=Path({str(sim.ca)!r}))
                async with HttpClient(config) as client:
                    answer = await client.send(Request("GET", "/_sim/health"))
                    assert (answer.status, answer.http_version) == (200, "HTTP/2"), answer

            before = set(sys.modules)
            asyncio.run(first())
            new = sorted(set(sys.modules) - before)
            print(" ".join(m for m in new if m.split(".")[0] in {LIBRARIES!r}))
            """
        )
    assert out.split() == []


def test_is_readable_says_when_the_peer_closed_on_a_tls_h2_stream() -> None:
    """``is_readable`` (httpcore's idle-connection check) on the TLS stream HTTP/2 runs over.

    httpcore 1.0 asks it of idle HTTP/1.1 connections (``test_a_connection_closed_by_the_
    server_while_idle_is_replaced``); the answer must hold on TLS with h2 negotiated too.
    """
    ca = trustme.CA()
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(server_context)
    server_context.set_alpn_protocols(["h2"])
    client_context = ssl.create_default_context()
    ca.configure_trust(client_context)
    client_context.set_alpn_protocols(["h2", "http/1.1"])

    async def scenario() -> tuple[str | None, bool, bool]:
        close = asyncio.Event()

        async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            await close.wait()
            writer.close()

        server = await asyncio.start_server(handle, "127.0.0.1", 0, ssl=server_context)
        port = server.sockets[0].getsockname()[1]
        try:
            stream = await AsyncioBackend().connect_tcp("127.0.0.1", port, timeout=5)
            stream = await stream.start_tls(client_context, "127.0.0.1", timeout=5)
            alpn = stream.get_extra_info("ssl_object").selected_alpn_protocol()
            open_readable = stream.get_extra_info("is_readable")
            close.set()
            async with asyncio.timeout(5):
                while not stream.get_extra_info("is_readable"):
                    await asyncio.sleep(0.01)
            closed_readable = stream.get_extra_info("is_readable")
            await stream.aclose()
            return alpn, open_readable, closed_readable
        finally:
            server.close()

    assert asyncio.run(scenario()) == ("h2", False, True)


def test_httpcore_still_asks_is_readable_of_idle_connections() -> None:
    """The query's name in httpcore, as http.py answers it: a rename would go unanswered."""
    from httpcore._async import http11

    source = Path(http11.__file__).read_text(encoding="utf-8")
    assert 'get_extra_info("is_readable")' in source
