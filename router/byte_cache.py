"""An LRU cache bounded by the estimated bytes of its entries, not by their number.

The router caches parsed documents and plans per query text. Counting entries lets a few
large distinct documents pin hundreds of megabytes (each entry holds an AST and a plan
many times the size of the text); here each entry is weighed when it is put, the least
recently used ones are evicted while the total is over ``max_bytes`` (or the count over
``max_entries``), and an entry heavier
than ``max_entry_bytes`` is not cached at all. Safe to share between the event loop and a
worker thread (one lock around every operation).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Generic, TypeVar

__all__ = ["ByteBoundedLRU"]

_K = TypeVar("_K")
_V = TypeVar("_V")


class ByteBoundedLRU(Generic[_K, _V]):
    def __init__(self, max_bytes: int, max_entry_bytes: int, max_entries: int) -> None:
        self.max_bytes = max_bytes
        self.max_entries = max_entries
        self.max_entry_bytes = min(max_entry_bytes, max_bytes)
        self.total_bytes = 0
        self._items: OrderedDict[_K, tuple[_V, int]] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._items)

    def get(self, key: _K) -> _V | None:
        with self._lock:
            entry = self._items.get(key)
            if entry is None:
                return None
            self._items.move_to_end(key)
            return entry[0]

    def put(self, key: _K, value: _V, weight: int) -> None:
        """Cache ``value`` weighing ``weight`` bytes (not cached when over the entry limit)."""
        if weight > self.max_entry_bytes:
            return
        with self._lock:
            previous = self._items.pop(key, None)
            if previous is not None:
                self.total_bytes -= previous[1]
            self._items[key] = (value, weight)
            self.total_bytes += weight
            while self.total_bytes > self.max_bytes or len(self._items) > self.max_entries:
                _, (_, evicted) = self._items.popitem(last=False)
                self.total_bytes -= evicted
