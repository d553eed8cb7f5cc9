"""booker's HTTP edge compiled on either HTTP library, for side-by-side benchmarks only.

``load(library)`` compiles the current ``booker/net/http.py`` with its import line
swapped for the chosen library into a separate module, so both clients run the
very same code; ``booker/net/http.py`` itself is untouched. None when the library is
not installed.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import booker.net.http

# Each library's engine: httpx runs on httpcore, httpx2 on its fork httpcore2 (same API).
ENGINES = {"httpx": "httpcore", "httpx2": "httpcore2"}
IMPORTS = {"httpx": "\nimport httpcore\n", "httpx2": "\nimport httpcore2 as httpcore\n"}


def load(library: str) -> ModuleType | None:
    """booker.net.http running on ``library``, or None when it is missing."""
    name = f"bench._booker_http_on_{library}"
    if name in sys.modules:
        return sys.modules[name]
    if (
        importlib.util.find_spec(library) is None
        or importlib.util.find_spec(ENGINES[library]) is None
    ):
        return None
    source = Path(booker.net.http.__file__).read_text(encoding="utf-8")
    current = next((line for line in IMPORTS.values() if line in source), None)
    if current is None:
        raise RuntimeError("booker/net/http.py no longer has a plain httpcore import line to swap")
    module = ModuleType(name)
    module.__file__ = booker.net.http.__file__
    sys.modules[name] = module
    exec(compile(source.replace(current, IMPORTS[library], 1), name, "exec"), module.__dict__)
    return module
