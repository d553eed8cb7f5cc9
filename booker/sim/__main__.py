"""`python -m booker.sim`: run the simulator without the click CLI."""

from __future__ import annotations

import argparse
from pathlib import Path

from booker.sim import serve


def main(argv: list[str] | None = None) -> None:
    """Parse arguments and serve until interrupted."""
    parser = argparse.ArgumentParser(prog="python -m booker.sim", description=__doc__)
    parser.add_argument("--scenario", type=Path, help="scenario TOML (default: built-in)")
    parser.add_argument("--host", default="127.0.0.1", help="loopback address to bind")
    parser.add_argument("--port", type=int, default=0, help="port, 0 picks a free one")
    parser.add_argument("--plain", action="store_true", help="plain HTTP instead of TLS")
    parser.add_argument("--ready-file", type=Path, help="write url/ca/scenario JSON here")
    args = parser.parse_args(argv)
    serve(args.scenario, args.host, args.port, args.plain, args.ready_file)


if __name__ == "__main__":
    main()
