"""A throw-away CA and loopback server certificate, made at start and deleted at exit."""

from __future__ import annotations

import ssl
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import trustme

ALPN = ("h2", "http/1.1")


@dataclass(frozen=True, slots=True)
class Tls:
    """Server context (ALPN h2, http/1.1) and the CA file clients must trust."""

    context: ssl.SSLContext
    ca_path: Path


@contextmanager
def throwaway_tls() -> Iterator[Tls]:
    """Issue a CA and a cert for 127.0.0.1, ::1 and localhost; remove the CA file after."""
    ca = trustme.CA()
    cert = ca.issue_cert("127.0.0.1", "::1", "localhost")
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.options |= ssl.OP_NO_COMPRESSION
    context.set_alpn_protocols(list(ALPN))
    cert.configure_cert(context)
    with tempfile.TemporaryDirectory(prefix="booker-sim-") as tmp:
        ca_path = Path(tmp) / "ca.pem"
        ca.cert_pem.write_to_path(str(ca_path))
        yield Tls(context, ca_path)
