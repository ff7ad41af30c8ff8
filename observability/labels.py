"""Metric labels whose number of values is bounded, whatever the clients send.

An operation name is chosen by the client: used as a label as it comes, every distinct name
would be a new time series in Prometheus. :class:`BoundedLabels` keeps the names it was
told about (the trusted-documents manifest) and the first ``max_distinct`` other names it
sees; every later name collapses to ``OTHER``. An unnamed operation is ``ANONYMOUS``.
"""

from __future__ import annotations

from collections.abc import Iterable

__all__ = ["ANONYMOUS", "OTHER", "BoundedLabels"]

ANONYMOUS = "(anonymous)"
OTHER = "(other)"
# longer names are cut (a label value is stored with every sample)
MAX_LABEL_LENGTH = 100


class BoundedLabels:
    """The label value for a name: itself while room remains, else ``OTHER``."""

    def __init__(self, known: Iterable[str] = (), max_distinct: int = 100) -> None:
        self._known = {name: name[:MAX_LABEL_LENGTH] for name in known}
        self._room = max_distinct
        self._seen: dict[str, str] = {}

    def label(self, name: str | None) -> str:
        if not name:
            return ANONYMOUS
        value = self._known.get(name) or self._seen.get(name)
        if value is not None:
            return value
        if len(self._seen) >= self._room:
            return OTHER
        value = self._seen[name] = name[:MAX_LABEL_LENGTH]
        return value

    def add_known(self, names: Iterable[str]) -> None:
        """Names always kept (e.g. a reloaded manifest's)."""
        self._known.update({name: name[:MAX_LABEL_LENGTH] for name in names})
