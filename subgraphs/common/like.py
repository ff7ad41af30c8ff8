"""Substring search with SQL ``LIKE``: the user's text is matched literally.

``%`` and ``_`` in a search would otherwise be wildcards (``%`` matched every customer),
so they are escaped with :data:`ESCAPE`; every ``like`` built from :func:`contains` must
pass ``escape=ESCAPE``.
"""

from __future__ import annotations

__all__ = ["ESCAPE", "contains", "escape_like"]

ESCAPE = "\\"


def escape_like(text: str) -> str:
    """``text`` with LIKE's wildcards and the escape character itself escaped."""
    return text.replace(ESCAPE, ESCAPE * 2).replace("%", ESCAPE + "%").replace("_", ESCAPE + "_")


def contains(text: str) -> str:
    """The pattern for "contains ``text``" (matched literally)."""
    return f"%{escape_like(text)}%"
