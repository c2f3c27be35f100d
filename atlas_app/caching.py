"""Every cache of the app's own: bounded, thread-safe LRU maps (cachetools underneath).

A cache is bounded by how many values it holds, or — where the values are large (meshes,
volumes, projections, measuring anatomy) — by the bytes they hold, estimated once per value
by :func:`size_of`. A value larger than the whole budget is returned but not kept.

Values are made outside the lock (two threads may make the same value once each; the
second is kept) unless the cache is ``serial``: VTK filters may touch their input's state,
so the makers of browser meshes run one at a time. :class:`ObjectMemo` remembers per
shared, read-only object (the atlas) by identity, holding the object so that its ``id``
cannot be reused while its value is remembered. :func:`clear_all` empties every cache (for
benchmarks that measure a cold start). Streamlit's own caches stay in ``ui/``.
"""

from __future__ import annotations

import dataclasses
import sys
import threading
import weakref
from collections.abc import Callable, Hashable, Mapping
from contextlib import suppress
from functools import update_wrapper
from typing import Any, Generic, ParamSpec, TypeVar

import numpy as np
from cachetools import LRUCache

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")
P = ParamSpec("P")

MiB = 1024 * 1024

_every: weakref.WeakSet[Memo[Any, Any]] = weakref.WeakSet()


def size_of(value: object) -> int:
    """Bytes a value holds, roughly: arrays by their buffers, VTK data by VTK's own count,
    containers, dataclasses and records by their parts (a part shared by two values counts
    in each)."""
    seen: set[int] = set()
    total = 0
    stack = [value]
    while stack:
        v = stack.pop()
        if id(v) in seen:
            continue
        seen.add(id(v))
        if isinstance(v, np.ndarray):
            total += v.nbytes
        elif hasattr(v, "GetActualMemorySize"):  # vtkDataObject (pyvista meshes): KiB
            total += int(v.GetActualMemorySize()) * 1024
        elif isinstance(v, str | bytes | bytearray | int | float | complex | bool | None):
            total += sys.getsizeof(v)
        elif isinstance(v, Mapping):
            total += sys.getsizeof(v)
            stack.extend(v.keys())
            stack.extend(v.values())
        elif isinstance(v, list | tuple | set | frozenset):
            total += sys.getsizeof(v)
            stack.extend(v)
        elif dataclasses.is_dataclass(v) and not isinstance(v, type):
            stack.extend(getattr(v, f.name) for f in dataclasses.fields(v))
        elif hasattr(v, "__dict__"):  # pydantic records and plain objects
            stack.extend(vars(v).values())
        else:
            total += sys.getsizeof(v)
    return total


class Memo(Generic[K, V]):
    """A bounded LRU map whose values are made once per key (see the module's docstring)."""

    def __init__(
        self,
        *,
        items: int | None = None,
        max_bytes: int | None = None,
        serial: bool = False,
        sizeof: Callable[[V], float] = size_of,
    ) -> None:
        self._cache: LRUCache[K, V]
        if items is not None and max_bytes is None:
            self._cache = LRUCache(maxsize=items)
        elif max_bytes is not None and items is None:
            self._cache = LRUCache(maxsize=max_bytes, getsizeof=sizeof)
        else:
            raise ValueError("bound a cache by items or by max_bytes, not both or neither")
        self._lock = threading.RLock()
        self._serial = serial
        _every.add(self)

    def get_or_make(self, key: K, make: Callable[[], V]) -> V:
        """The value for ``key``, made by ``make()`` the first time (and after eviction)."""
        with self._lock:
            try:
                return self._cache[key]
            except KeyError:
                if self._serial:
                    return self._keep(key, make())
        value = make()
        with self._lock:
            return self._keep(key, value)

    def _keep(self, key: K, value: V) -> V:
        with suppress(ValueError):  # larger than the whole budget: served, not kept
            self._cache[key] = value
        return value

    def clear(self) -> None:
        with self._lock:
            self._cache.clear()

    def __len__(self) -> int:
        return len(self._cache)

    @property
    def size(self) -> float:
        """What the cache holds now: values, or bytes for a cache bounded by bytes."""
        return self._cache.currsize


class ObjectMemo(Generic[V]):
    """Values remembered per shared, read-only objects (and an optional key), by identity."""

    def __init__(self, *, items: int | None = None, max_bytes: int | None = None) -> None:
        # Only the value counts against the budget: the owners live on their own.
        self._memo: Memo[tuple[Hashable, ...], tuple[tuple[object, ...], V]] = Memo(
            items=items, max_bytes=max_bytes, sizeof=lambda entry: size_of(entry[1])
        )

    def get_or_make(self, owners: tuple[object, ...], make: Callable[[], V], *key: Hashable) -> V:
        """The value for ``owners`` (and ``key``), made by ``make()`` the first time."""
        # The entry holds its owners, so no other object can take their ids while it is kept.
        ids = tuple(map(id, owners))
        return self._memo.get_or_make((*ids, *key), lambda: (owners, make()))[1]

    def clear(self) -> None:
        self._memo.clear()

    def __len__(self) -> int:
        return len(self._memo)


class Memoized(Generic[P, V]):
    """A function whose results are remembered in a :class:`Memo`, keyed by its arguments
    (which must be hashable): what :func:`memoize` makes."""

    def __init__(self, fn: Callable[P, V], memo: Memo[Hashable, V]) -> None:
        self._fn = fn
        self.memo = memo
        update_wrapper(self, fn)

    def __call__(self, *args: P.args, **kwargs: P.kwargs) -> V:
        key = (args, tuple(sorted(kwargs.items())))
        return self.memo.get_or_make(key, lambda: self._fn(*args, **kwargs))

    def cache_clear(self) -> None:
        self.memo.clear()


def memoize(
    *, items: int | None = None, max_bytes: int | None = None
) -> Callable[[Callable[P, V]], Memoized[P, V]]:
    """Decorator: remember a function's results in a bounded :class:`Memo`."""

    def wrap(fn: Callable[P, V]) -> Memoized[P, V]:
        return Memoized(fn, Memo(items=items, max_bytes=max_bytes))

    return wrap


def clear_all() -> None:
    """Empty every cache made with this module (a cold start, for benchmarks and tests)."""
    for memo in list(_every):
        memo.clear()
