"""A throw-away CA and loopback server certificate, made at start and deleted at exit.

The server's key and chain are files (hypercorn's ``Config`` loads them) in a directory
only we can read, removed with the CA file.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import trustme

ALPN = ("h2", "http/1.1")


@dataclass(frozen=True, slots=True)
class Tls:
    """The CA file clients must trust, and the server's certificate chain and key files."""

    ca_path: Path
    cert_path: Path
    key_path: Path


@contextmanager
def throwaway_tls() -> Iterator[Tls]:
    """Issue a CA and a cert for 127.0.0.1, ::1 and localhost; remove the files after."""
    ca = trustme.CA()
    cert = ca.issue_cert("127.0.0.1", "::1", "localhost")
    with tempfile.TemporaryDirectory(prefix="booker-sim-") as tmp:
        tls = Tls(Path(tmp) / "ca.pem", Path(tmp) / "server.pem", Path(tmp) / "server.key")
        ca.cert_pem.write_to_path(str(tls.ca_path))
        tls.cert_path.write_bytes(b"".join(blob.bytes() for blob in cert.cert_chain_pems))
        cert.private_key_pem.write_to_path(str(tls.key_path))
        yield tls
