"""Pausing Python's cyclic garbage collector around a bulk computation.

Deriving and checking a reported year allocates some hundred thousand rows, tuples and
dicts while the ledger facts (millions of objects) are alive; each allocation burst makes
the cycle collector walk the long-lived objects again, which cost a third of the time of
the benchmark (``docs/benchmarks.md``). The derivation and the checks make no reference
cycles (the rows are freed by reference counting), so the collector is paused for the
call and resumed afterwards, as it was: any cycle made meanwhile is collected then.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def cycle_collection_paused() -> Iterator[None]:
    """Within the block the cyclic collector does not run (reference counting still frees
    every acyclic object); it is re-enabled on the way out if it was enabled."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
