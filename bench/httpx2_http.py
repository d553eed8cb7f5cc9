"""booker's HTTP edge on httpx2 instead of httpx, for a side-by-side benchmark only.

``load()`` compiles the current ``booker/http.py`` with ``import httpx`` swapped
for ``import httpx2 as httpx`` into a separate module, so both clients run the
very same code; ``booker/http.py`` itself is untouched. None when httpx2 is not
installed (``pip install 'httpx2[http2]'``).
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import booker.http

MODULE_NAME = "bench._booker_http_on_httpx2"
SWAP = ("\nimport httpx\n", "\nimport httpx2 as httpx\n")


def load() -> ModuleType | None:
    """booker.http running on httpx2, or None when httpx2 is missing."""
    if MODULE_NAME in sys.modules:
        return sys.modules[MODULE_NAME]
    if importlib.util.find_spec("httpx2") is None:
        return None
    source = Path(booker.http.__file__).read_text(encoding="utf-8")
    if SWAP[0] not in source:
        raise RuntimeError("booker/http.py no longer has a plain 'import httpx' line to swap")
    module = ModuleType(MODULE_NAME)
    module.__file__ = booker.http.__file__
    sys.modules[MODULE_NAME] = module
    exec(compile(source.replace(SWAP[0], SWAP[1], 1), MODULE_NAME, "exec"), module.__dict__)
    return module
