"""Keep a compiled kernel's cache in step with the rules it calls from other modules.

numba's on-disk cache (``cache=True``) checks only the file that defines a function: a kernel that calls compiled
rules from other modules (``sim.offers`` runs the agents' rules) would load its old machine code after one of
those rules changed, and run the old rule. ``refresh_when_changed`` keeps a digest of those modules' sources
beside the kernel's cache and empties the cache when it differs, so the next call compiles afresh.
"""

from __future__ import annotations

import hashlib
import inspect
from pathlib import Path
from types import ModuleType
from typing import Any


def sources_digest(modules: tuple[ModuleType, ...]) -> str:
    """SHA-256 of the modules' source files, in order."""
    h = hashlib.sha256()
    for module in modules:
        h.update(Path(inspect.getfile(module)).read_bytes())
    return h.hexdigest()


def refresh_when_changed(kernel: Any, *modules: ModuleType) -> bool:
    """Empty ``kernel``'s numba cache if the sources of ``modules`` (what it calls outside its own file) changed
    since the cache was last checked; returns whether it did. Call it where the kernel is defined, before any
    call (a cache that cannot be written is left to numba, which then compiles in memory)."""
    digest = sources_digest(modules)
    cache = kernel._cache  # numba's FunctionCache: flush() empties the index, so the next call compiles
    stamp = Path(cache.cache_path) / f"{kernel.py_func.__module__}.{kernel.py_func.__qualname__}.deps"
    try:
        if stamp.is_file() and stamp.read_text() == digest:
            return False
        cache.flush()
        stamp.write_text(digest)
    except OSError:
        return False
    return True
