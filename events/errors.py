"""The errors of the events layer.

``EventError``
 ├── ``InvalidEvent``: bytes that are not a CloudEvents 1.0 structured JSON event
 ├── ``SchemaViolation``: an event whose type is unknown or whose data fails its schema
 ├── ``Rejected``: a valid event its consumer can never apply (unknown warehouse, ...)
 └── ``BrokerUnavailable``: the bus cannot be reached or did not confirm a publish
"""

from __future__ import annotations

__all__ = ["BrokerUnavailable", "EventError", "InvalidEvent", "Rejected", "SchemaViolation"]


class EventError(Exception):
    """Base of every error raised by ``events``."""


class InvalidEvent(EventError):
    """Not a CloudEvents 1.0 structured JSON event this platform accepts."""


class SchemaViolation(EventError):
    """The event's type is not in the catalogue, or its data does not match its schema."""


class Rejected(EventError):
    """A handler's verdict that retrying cannot help: the event is dead-lettered at once."""


class BrokerUnavailable(EventError):
    """The broker could not be reached, or did not confirm a publish in time."""
