"""The cyclic garbage collector, paused while socialkit allocates much and frees little."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["collector_paused"]


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector for a block, then give it back as it was.

    Importing pandas and pyarrow, reading a large portfolio, checking it and
    writing its JSON document allocate hundreds of thousands of mostly acyclic objects
    (strings, small frames, dicts). Every so many allocations the collector walks all
    of them, and of the imported modules too, and finds next to nothing: on 20,000
    courses that is some 0.2 s of checking and half the time of building a JSON
    document of 2,000, with the same peak memory. What is cyclic is collected once the
    collector runs again. Not for long work such as a report batch, whose kernels'
    messages make cycles for minutes.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
