"""The ``EventBus`` interface: what both implementations (NATS JetStream, embedded) promise.

- ``publish`` returns once the message is durably stored in the stream named by the first
  token of its subject (``orders.OrderPlaced`` -> stream ``orders``); a second publish with
  the same ``message_id`` is stored once (it returns the first one's sequence).
- ``fetch`` pulls up to ``batch`` messages for a durable consumer (created on first use from
  its ``ConsumerSpec``) in stream order. A fetched message is leased for ``ack_wait``
  seconds: unless it is acked (done), nak'ed (redelivered after the given delay) or
  terminated (never redelivered) in that time, it is delivered again, so a consumer that
  dies mid-batch loses nothing. The broker delivers a message at most
  ``broker_max_deliver`` times; the consumer helper dead-letters it before then.
- Replay: a new consumer whose ``start`` is a stream sequence or a time reads the stream
  again from there.

Names are per bus ``namespace`` (empty in production): tests use a fresh one per run so
that parallel runs on one broker do not share streams or consumers.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

__all__ = [
    "DEAD_LETTER_STREAM",
    "ConsumerSpec",
    "Delivery",
    "EventBus",
    "StartAt",
    "dead_letter_subject",
    "stream_of",
]

DEAD_LETTER_STREAM = "deadletter"


def stream_of(subject: str) -> str:
    """The stream a subject belongs to: its first token."""
    return subject.split(".", 1)[0]


def dead_letter_subject(stream: str, consumer: str) -> str:
    return f"{DEAD_LETTER_STREAM}.{stream}.{consumer}"


@dataclass(frozen=True, slots=True)
class StartAt:
    """Where a new consumer starts: a stream sequence or a time (else the stream's start)."""

    sequence: int | None = None
    time: datetime | None = None

    def __post_init__(self) -> None:
        if (self.sequence is None) == (self.time is None):
            raise ValueError("StartAt takes exactly one of sequence and time")


@dataclass(frozen=True, slots=True)
class ConsumerSpec:
    """A durable pull consumer of ``stream`` (settings apply when it is first created)."""

    stream: str
    name: str
    filter_subject: str | None = None  # a subject or ``prefix.>``; default: the whole stream
    max_deliver: int = 5
    ack_wait: float = 30.0
    backoff: tuple[float, ...] = (1.0, 5.0, 30.0)
    start: StartAt | None = None
    max_ack_pending: int = 1000

    def __post_init__(self) -> None:
        if self.max_deliver < 1 or self.ack_wait <= 0 or not self.backoff:
            raise ValueError("max_deliver >= 1, ack_wait > 0 and a backoff are required")

    @property
    def broker_max_deliver(self) -> int:
        """One delivery more than handling may take: the last one only dead-letters a
        message whose final attempt never finished (its consumer died)."""
        return self.max_deliver + 1

    def retry_delay(self, attempt: int) -> float:
        """The wait before delivery ``attempt + 1`` after attempt ``attempt`` failed."""
        return self.backoff[min(attempt, len(self.backoff)) - 1]


class Delivery(Protocol):
    """One delivery of a stored message to a consumer."""

    @property
    def subject(self) -> str: ...
    @property
    def data(self) -> bytes: ...
    @property
    def headers(self) -> Mapping[str, str]: ...
    @property
    def sequence(self) -> int:
        """The message's sequence in its stream."""
        ...

    @property
    def attempt(self) -> int:
        """1 on the first delivery, 2 on the first redelivery, ..."""
        ...

    async def ack(self) -> None: ...
    async def nak(self, delay: float) -> None: ...
    async def term(self) -> None: ...


class EventBus(Protocol):
    async def publish(
        self,
        subject: str,
        data: bytes,
        *,
        message_id: str,
        headers: Mapping[str, str] | None = None,
    ) -> int:
        """Store ``data`` durably; returns its stream sequence. ``BrokerUnavailable`` if not."""
        ...

    async def fetch(
        self, consumer: ConsumerSpec, *, batch: int, timeout: float
    ) -> Sequence[Delivery]:
        """Up to ``batch`` deliveries, waiting at most ``timeout`` s for the first one."""
        ...

    async def close(self) -> None: ...
