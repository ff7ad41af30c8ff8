"""Live events for GraphQL subscriptions: one stream of the bus, fanned out in-process.

A subgraph process runs one :class:`EventFeed` per stream its subscriptions read (a worker,
:meth:`EventFeed.run`): a consumer of its own on the bus (``<stream>-live-<process id>``,
starting at the time the process started), whose handler hands each event to every
subscription of the process that listens to its type. Subscriptions are fed by the
broker, never by polling the domain's tables.

- order: events reach a listener in stream order (one consumer, one queue per listener);
- once: an event redelivered by the bus (at least once) is dropped by its id;
- a listener that falls ``queue_size`` events behind is ended with :class:`FeedOverflow`
  (its subscription sees an error and completes) rather than slowing every other one.
"""

from __future__ import annotations

import asyncio
import uuid
from collections import OrderedDict
from collections.abc import AsyncGenerator, Collection
from datetime import UTC, datetime

from events.bus import ConsumerSpec, EventBus, StartAt
from events.consumer import consume_forever
from events.envelope import Envelope

__all__ = ["EventFeed", "FeedOverflow"]

_REMEMBERED_IDS = 4096


class FeedOverflow(Exception):
    """A subscription fell too far behind the events of its feed."""


class _Listener:
    def __init__(self, types: frozenset[str], queue_size: int) -> None:
        self.types = types
        self.queue: asyncio.Queue[Envelope | None] = asyncio.Queue(queue_size)
        self.overflowed = False

    def offer(self, envelope: Envelope) -> None:
        if self.overflowed or envelope.type not in self.types:
            return
        try:
            self.queue.put_nowait(envelope)
        except asyncio.QueueFull:  # its next read is the end: no gap is ever delivered
            self.overflowed = True
            while not self.queue.empty():
                self.queue.get_nowait()
            self.queue.put_nowait(None)


class EventFeed:
    """The live events of ``stream`` for the subscriptions of this process."""

    def __init__(self, stream: str, *, queue_size: int = 256) -> None:
        self.stream = stream
        self.queue_size = queue_size
        self._listeners: set[_Listener] = set()
        self._seen: OrderedDict[str, None] = OrderedDict()
        self.delivered = 0

    def consumer_spec(self, start: datetime | None = None) -> ConsumerSpec:
        """A consumer of this process's own, reading from ``start`` (default: now)."""
        return ConsumerSpec(
            stream=self.stream,
            name=f"{self.stream}-live-{uuid.uuid4().hex[:12]}",
            start=StartAt(time=start or datetime.now(UTC)),
            max_deliver=3,
            ack_wait=10.0,
            backoff=(0.1,),
        )

    async def run(self, bus: EventBus, *, wait: float = 1.0) -> None:
        """Feed the listeners from the bus until cancelled."""
        await consume_forever(bus, self.consumer_spec(), self.dispatch, wait=wait)

    async def dispatch(self, envelope: Envelope) -> None:
        """Hand ``envelope`` to every listener of its type (once per event id)."""
        if envelope.id in self._seen:
            return
        self._seen[envelope.id] = None
        if len(self._seen) > _REMEMBERED_IDS:
            self._seen.popitem(last=False)
        self.delivered += 1
        for listener in tuple(self._listeners):
            listener.offer(envelope)

    @property
    def listeners(self) -> int:
        return len(self._listeners)

    async def events(self, types: Collection[str]) -> AsyncGenerator[Envelope, None]:
        """The events of ``types`` dispatched from now on, in order, until the caller
        stops iterating; :class:`FeedOverflow` if it falls ``queue_size`` behind."""
        listener = _Listener(frozenset(types), self.queue_size)
        self._listeners.add(listener)
        try:
            while True:
                envelope = await listener.queue.get()
                if envelope is None:
                    raise FeedOverflow(
                        f"the subscription fell {self.queue_size} events behind and was ended"
                    )
                yield envelope
        finally:
            self._listeners.discard(listener)
