"""A cache with a byte budget and an expiry, for a server that must give memory back.

The dashboard keeps computed views (reports, planning contexts, forecasts) so that a widget
change does not recompute them; :class:`Memo` bounds what it keeps by the bytes the values
hold (pandas frames measured deeply, arrays, bytes, and the dataclasses and containers that
hold them), evicting the least recently used first, and drops anything not used for the
expiry time. :func:`give_back` returns freed memory to the operating system (glibc keeps
freed heap pages otherwise, so a server's size would never come down).

Settings: ``FUNNEL_ANALYTICS_CACHE_MB`` (default 512), ``FUNNEL_ANALYTICS_CACHE_MINUTES``
(default 30), ``FUNNEL_ANALYTICS_SESSION_MINUTES`` (default 5) and
``FUNNEL_ANALYTICS_JANITOR_SECONDS`` (default 30).
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import dataclasses
import gc
import os
import sys
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any

import numpy as np
import pandas as pd

__all__ = [
    "Memo",
    "cache_budget",
    "give_back",
    "janitor_seconds",
    "session_idle_seconds",
    "size_of",
    "tune_allocator",
    "use_system_pool",
]

DEFAULT_CACHE_MB = 512
DEFAULT_CACHE_MINUTES = 30
DEFAULT_SESSION_MINUTES = 5
DEFAULT_JANITOR_SECONDS = 30


def _setting(name: str, default: float) -> float:
    try:
        value = float(os.environ.get(name, "") or default)
    except ValueError:
        return default
    return value if value > 0 else default


def cache_budget() -> tuple[int, float]:
    """The cache's byte budget and expiry in seconds, from the settings."""
    mb = _setting("FUNNEL_ANALYTICS_CACHE_MB", DEFAULT_CACHE_MB)
    minutes = _setting("FUNNEL_ANALYTICS_CACHE_MINUTES", DEFAULT_CACHE_MINUTES)
    return int(mb * 2**20), minutes * 60.0


def session_idle_seconds() -> float:
    """How long a session's own memo outlives its last use: ``FUNNEL_ANALYTICS_SESSION_MINUTES``
    (default 5)."""
    return _setting("FUNNEL_ANALYTICS_SESSION_MINUTES", DEFAULT_SESSION_MINUTES) * 60.0


def janitor_seconds() -> float:
    """How often the dashboard's janitor sweeps: ``FUNNEL_ANALYTICS_JANITOR_SECONDS``
    (default 30)."""
    return _setting("FUNNEL_ANALYTICS_JANITOR_SECONDS", DEFAULT_JANITOR_SECONDS)


def size_of(value: object, _seen: set[int] | None = None) -> int:
    """Bytes ``value`` holds: frames deeply (strings included), arrays, bytes, and the
    fields and items of dataclasses, dicts, lists and tuples; each object counted once."""
    seen = set() if _seen is None else _seen
    if id(value) in seen:
        return 0
    seen.add(id(value))
    if isinstance(value, pd.DataFrame):
        return int(value.memory_usage(deep=True, index=True).sum())
    if isinstance(value, pd.Series | pd.Index):
        return int(value.memory_usage(deep=True))
    if isinstance(value, np.ndarray):
        return int(value.nbytes)
    if isinstance(value, bytes | bytearray | str):
        return sys.getsizeof(value)
    if isinstance(value, dict):
        return sys.getsizeof(value) + sum(
            size_of(k, seen) + size_of(v, seen) for k, v in value.items()
        )
    if isinstance(value, list | tuple | set | frozenset):
        return sys.getsizeof(value) + sum(size_of(v, seen) for v in value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return sys.getsizeof(value) + sum(
            size_of(getattr(value, f.name), seen) for f in dataclasses.fields(value)
        )
    if hasattr(value, "__dict__") and not isinstance(value, type):
        return sys.getsizeof(value) + size_of(vars(value), seen)
    return sys.getsizeof(value)


class Memo:
    """Values by key, least recently used evicted first once the budget is passed, and
    none older than ``ttl`` seconds since last use. Thread-safe; a value is computed outside
    the lock (two sessions asking at once may both compute it; one copy is kept).

    Values are shared, not copied: callers must not change them in place.
    """

    def __init__(self, budget_bytes: int, ttl: float, clock: Callable[[], float] = time.monotonic):
        self.budget = budget_bytes
        self.ttl = ttl
        self._clock = clock
        self._lock = threading.Lock()
        self._items: OrderedDict[Hashable, tuple[Any, int, float]] = OrderedDict()
        self.bytes = 0
        self.hits = self.misses = self.evictions = 0

    def __len__(self) -> int:
        return len(self._items)

    def __contains__(self, key: Hashable) -> bool:
        with self._lock:
            return key in self._items

    def get(self, key: Hashable, compute: Callable[[], Any]) -> Any:
        """The value kept for ``key``, else ``compute()`` (kept if it fits the budget)."""
        now = self._clock()
        with self._lock:
            found = self._items.get(key)
            if found is not None and now - found[2] <= self.ttl:
                self._items[key] = (found[0], found[1], now)
                self._items.move_to_end(key)
                self.hits += 1
                return found[0]
            if found is not None:
                self._drop(key)
        self.misses += 1
        value = compute()
        size = size_of(value)
        with self._lock:
            if key in self._items:
                self._drop(key)
            if size <= self.budget:
                self._items[key] = (value, size, now)
                self.bytes += size
                self._shrink(now)
        return value

    def expire(self) -> int:
        """Drop the values unused for longer than the expiry; returns how many."""
        now = self._clock()
        with self._lock:
            old = [k for k, (_v, _s, used) in self._items.items() if now - used > self.ttl]
            for key in old:
                self._drop(key)
        return len(old)

    def discard(self, match: Callable[[Hashable], bool]) -> int:
        """Drop the values whose key ``match``es (e.g. an upload that was removed)."""
        with self._lock:
            keys = [k for k in self._items if match(k)]
            for key in keys:
                self._drop(key)
        return len(keys)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self.bytes = 0

    def _drop(self, key: Hashable) -> None:
        _value, size, _used = self._items.pop(key)
        self.bytes -= size

    def _shrink(self, now: float) -> None:
        while self._items and self.bytes > self.budget:
            self._drop(next(iter(self._items)))
            self.evictions += 1


_libc: Any = None


# glibc's mallopt parameters (malloc.h).
_M_MMAP_THRESHOLD = -3
_M_ARENA_MAX = -8
MMAP_THRESHOLD = 256 * 1024


def _c_library() -> ctypes.CDLL | None:
    global _libc
    if _libc is None:
        name = ctypes.util.find_library("c")
        try:
            _libc = ctypes.CDLL(name) if name else False
        except OSError:
            _libc = False
    return _libc or None


def tune_allocator() -> None:
    """Make a long-running server's freed memory go back to the operating system.

    Measured on the dashboard (``benchmarks/bench_memory.py``): after an upload's session
    ended and every frame of it was collected, the server stayed 150-200 MiB above its idle
    size, held by allocators, not by objects. Three settings fix most of it:

    - glibc's mmap threshold fixed at 256 KiB: large arrays are mapped and unmapped on their
      own (by default the threshold grows after the first large free, and later arrays land
      in the heap, where a few small live blocks pin the pages);
    - at most two glibc arenas for the server's many threads (``MALLOC_ARENA_MAX``;
      ``run.py dashboard`` sets it before the server starts, this limits arenas created
      later). ``run.py dashboard`` also sets ``PYTHONMALLOC=malloc``: Python's own small-object
      arenas are returned only when wholly empty, malloc's pages whenever they are free;
    - Arrow (pandas' string columns) allocating through the system allocator rather than
      its own pool, which keeps freed blocks.

    Safe to call more than once; does nothing where glibc or pyarrow is missing.
    """
    libc = _c_library()
    if libc is not None and hasattr(libc, "mallopt"):
        libc.mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD)
        libc.mallopt(_M_ARENA_MAX, 2)
    use_system_pool()


def use_system_pool() -> None:
    """Arrow (pandas' string columns) allocates through the C library's allocator rather than
    its own pool (mimalloc), which keeps freed blocks; unless the user names a pool
    (``ARROW_DEFAULT_MEMORY_POOL``). Every load does this (:mod:`funnel_analytics.loading`):
    a 500k-row CSV's load and store peaked at 650 MiB against 727 with mimalloc, at the same
    speed, and :func:`give_back` then returns what the load freed (``benchmarks/README.md``)."""
    if os.environ.get("ARROW_DEFAULT_MEMORY_POOL"):
        return
    with contextlib.suppress(Exception):
        import pyarrow as pa

        pa.set_memory_pool(pa.system_memory_pool())


def give_back(collect: bool = True) -> None:
    """Return freed heap memory to the operating system (glibc's ``malloc_trim`` and Arrow's
    pool), after collecting garbage unless ``collect`` is false; elsewhere a collection only."""
    if collect:
        gc.collect()
    libc = _c_library()
    if libc is not None and hasattr(libc, "malloc_trim"):
        libc.malloc_trim(0)
    # Arrow's own allocator (pandas' string columns) keeps freed blocks for reuse, too; on
    # the C library's allocator its release is the trim just done.
    with contextlib.suppress(Exception):
        import pyarrow as pa

        pool = pa.default_memory_pool()
        if pool.backend_name != "system":
            pool.release_unused()
