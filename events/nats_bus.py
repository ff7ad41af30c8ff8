"""The production ``EventBus``: NATS JetStream (``nats-py``).

One stream per domain (``orders`` holds ``orders.>``) plus the ``deadletter`` stream, each
created on first use with file storage and a two-minute duplicate window (``Nats-Msg-Id`` is
the message id). Consumers are durable pull consumers with explicit acks; ``ack_wait`` and
``max_deliver`` are the broker's, the backoff of a failed attempt is a ``nak`` with a delay.
With a ``namespace`` the streams are ``<namespace>_<stream>`` over ``<namespace>.<subject>``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import nats
import nats.errors
import nats.js.errors
from nats.aio.client import Client
from nats.aio.msg import Msg
from nats.js import JetStreamContext
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy, StorageType, StreamConfig

from events.bus import ConsumerSpec, Delivery, stream_of
from events.errors import BrokerUnavailable

__all__ = ["NatsBus"]

logger = logging.getLogger("events.nats")

_DUPLICATE_WINDOW_SECONDS = 120.0
_RECONNECT_ATTEMPTS = 2
_NATS_ERRORS = (nats.errors.Error, nats.js.errors.Error, OSError, asyncio.TimeoutError)


@dataclass(frozen=True, slots=True)
class _NatsDelivery:
    message: Msg
    subject: str
    headers: Mapping[str, str]

    @property
    def data(self) -> bytes:
        return self.message.data

    @property
    def sequence(self) -> int:
        return int(self.message.metadata.sequence.stream)

    @property
    def attempt(self) -> int:
        return int(self.message.metadata.num_delivered)

    async def ack(self) -> None:
        await self.message.ack()

    async def nak(self, delay: float) -> None:
        await self.message.nak(delay=delay)

    async def term(self) -> None:
        await self.message.term()


class NatsBus:
    def __init__(
        self,
        url: str,
        *,
        namespace: str = "",
        connect_timeout: float = 2.0,
        request_timeout: float = 5.0,
    ) -> None:
        self.url = url
        self.namespace = namespace
        self._connect_timeout = connect_timeout
        self._request_timeout = request_timeout
        self._client: Client | None = None
        self._closed = False
        self._jetstream: JetStreamContext | None = None
        self._streams: set[str] = set()
        self._subscriptions: dict[tuple[str, str], JetStreamContext.PullSubscription] = {}
        self._lock = asyncio.Lock()

    # --- names ---
    def subject(self, subject: str) -> str:
        return f"{self.namespace}.{subject}" if self.namespace else subject

    def stream_name(self, stream: str) -> str:
        return f"{self.namespace}_{stream}" if self.namespace else stream

    def _local(self, subject: str) -> str:
        prefix = f"{self.namespace}." if self.namespace else ""
        return subject.removeprefix(prefix)

    # --- connection and streams ---
    async def jetstream(self) -> JetStreamContext:
        """The JetStream context, connecting first if needed. The client gives up after a
        few reconnect attempts (about a second); the next call then connects again, so an
        outage costs failed calls, never a hang."""
        async with self._lock:
            if self._closed:  # a worker still running must not open a connection nobody closes
                raise BrokerUnavailable(f"NATS at {self.url}: the bus is closed")
            if self._client is not None and self._client.is_closed:
                self._forget_connection()
            if self._client is not None and not self._client.is_connected:
                # Reconnecting: fail now rather than let a request wait out its timeout.
                raise BrokerUnavailable(f"NATS at {self.url}: reconnecting")
            if self._jetstream is None:
                try:
                    self._client = await nats.connect(
                        self.url,
                        connect_timeout=self._connect_timeout,
                        allow_reconnect=True,
                        max_reconnect_attempts=_RECONNECT_ATTEMPTS,
                        reconnect_time_wait=0.5,
                        error_cb=_log_error,
                    )
                except _NATS_ERRORS as error:
                    raise BrokerUnavailable(f"NATS at {self.url}: {error!r}") from error
                self._jetstream = self._client.jetstream(timeout=self._request_timeout)
            return self._jetstream

    def _forget_connection(self) -> None:
        self._client = None
        self._jetstream = None
        self._streams.clear()
        self._subscriptions.clear()

    async def _ensure_stream(self, stream: str) -> JetStreamContext:
        jetstream = await self.jetstream()
        if stream not in self._streams:
            config = StreamConfig(
                name=self.stream_name(stream),
                subjects=[self.subject(f"{stream}.>")],
                storage=StorageType.FILE,
                duplicate_window=_DUPLICATE_WINDOW_SECONDS,
            )
            try:
                await jetstream.add_stream(config)
            except nats.js.errors.BadRequestError:
                await jetstream.update_stream(config)
            self._streams.add(stream)
        return jetstream

    # --- EventBus ---
    async def publish(
        self,
        subject: str,
        data: bytes,
        *,
        message_id: str,
        headers: Mapping[str, str] | None = None,
    ) -> int:
        try:
            jetstream = await self._ensure_stream(stream_of(subject))
            ack = await jetstream.publish(
                self.subject(subject),
                data,
                headers={**(headers or {}), "Nats-Msg-Id": message_id},
                stream=self.stream_name(stream_of(subject)),
            )
        except BrokerUnavailable:
            raise
        except _NATS_ERRORS as error:
            raise BrokerUnavailable(f"publish to {subject} not confirmed: {error!r}") from error
        return int(ack.seq)

    async def fetch(
        self, consumer: ConsumerSpec, *, batch: int, timeout: float
    ) -> Sequence[Delivery]:
        try:
            subscription = await self._subscription(consumer)
            messages = await subscription.fetch(batch, timeout=timeout)
        except (nats.errors.TimeoutError, TimeoutError):  # nothing came in ``timeout``
            return []
        except BrokerUnavailable:
            raise
        except _NATS_ERRORS as error:
            raise BrokerUnavailable(f"fetch for {consumer.name}: {error!r}") from error
        return [self._delivery(message) for message in messages]

    def _delivery(self, message: Msg) -> _NatsDelivery:
        headers = {
            name: value
            for name, value in (message.headers or {}).items()
            if not name.startswith("Nats-")
        }
        return _NatsDelivery(message, self._local(message.subject), headers)

    async def _subscription(self, consumer: ConsumerSpec) -> JetStreamContext.PullSubscription:
        key = (consumer.stream, consumer.name)
        subscription = self._subscriptions.get(key)
        if subscription is None:
            jetstream = await self._ensure_stream(consumer.stream)
            subject = self.subject(consumer.filter_subject or f"{consumer.stream}.>")
            subscription = await jetstream.pull_subscribe(
                subject,
                durable=consumer.name,
                stream=self.stream_name(consumer.stream),
                config=_consumer_config(consumer, subject),
            )
            self._subscriptions[key] = subscription
        return subscription

    async def delete_streams(self, *streams: str) -> None:
        """Remove this namespace's ``streams`` (test clean-up, retiring a namespace)."""
        jetstream = await self.jetstream()
        for stream in streams:
            with contextlib.suppress(nats.js.errors.NotFoundError):
                await jetstream.delete_stream(self.stream_name(stream))
            self._streams.discard(stream)

    async def close(self) -> None:
        self._closed = True
        for subscription in self._subscriptions.values():
            with contextlib.suppress(*_NATS_ERRORS):
                await subscription.unsubscribe()
        self._subscriptions.clear()
        if self._client is not None:
            with contextlib.suppress(*_NATS_ERRORS):
                await self._client.close()
        self._forget_connection()


async def _log_error(error: Exception) -> None:
    logger.debug("NATS connection: %r", error)


def _consumer_config(consumer: ConsumerSpec, subject: str) -> ConsumerConfig:
    deliver_policy = DeliverPolicy.ALL
    if consumer.start is not None:
        deliver_policy = (
            DeliverPolicy.BY_START_SEQUENCE
            if consumer.start.sequence is not None
            else DeliverPolicy.BY_START_TIME
        )
    return ConsumerConfig(
        durable_name=consumer.name,
        ack_policy=AckPolicy.EXPLICIT,
        ack_wait=consumer.ack_wait,
        max_deliver=consumer.broker_max_deliver,
        max_ack_pending=consumer.max_ack_pending,
        filter_subject=subject,
        deliver_policy=deliver_policy,
        opt_start_seq=consumer.start.sequence if consumer.start else None,
        opt_start_time=consumer.start.time if consumer.start else None,
    )
