"""Handling deliveries: decode, check, handle, then ack, retry with backoff, or dead-letter.

The same for every bus. A delivery is handled in stream order, one at a time:

- bytes that are not a CloudEvent, or an event that fails its schema, are dead-lettered at
  once with the reason (redelivering cannot fix them);
- a handler that raises ``Rejected`` (the event is valid but can never be applied, e.g. an
  inbound stock adjustment for an unknown warehouse) is dead-lettered at once with the reason;
- a handler that raises anything else is retried after ``ConsumerSpec.retry_delay`` (a ``nak``), and
  dead-lettered with its error once ``max_deliver`` attempts have failed;
- a delivery beyond ``max_deliver`` (the last attempt's consumer died before settling it)
  is dead-lettered without handling.

A dead letter is the original bytes on ``deadletter.<stream>.<consumer>`` with headers
naming the reason, the original subject and sequence, and the attempts; the original is
then terminated. Handlers are expected to be idempotent (``events.inbox``): delivery is at
least once.
"""

from __future__ import annotations

import asyncio
import enum
import logging
from collections.abc import Awaitable, Callable, Mapping

from events.bus import ConsumerSpec, Delivery, EventBus, dead_letter_subject
from events.catalogue import check
from events.envelope import Envelope, decode
from events.errors import BrokerUnavailable, InvalidEvent, Rejected, SchemaViolation

__all__ = [
    "DEAD_LETTER_HEADERS",
    "Handler",
    "Outcome",
    "consume_forever",
    "dead_letter",
    "drain",
    "handle",
]

logger = logging.getLogger("events.consumer")

Handler = Callable[[Envelope], Awaitable[None]]

DEAD_LETTER_HEADERS = (
    "Dead-Letter-Reason",
    "Dead-Letter-Consumer",
    "Original-Subject",
    "Original-Sequence",
    "Attempts",
)
_MAX_REASON = 1000


class Outcome(enum.Enum):
    ACKED = "acked"
    RETRYING = "retrying"
    DEAD_LETTERED = "dead-lettered"


async def handle(
    bus: EventBus, spec: ConsumerSpec, delivery: Delivery, handler: Handler
) -> Outcome:
    if delivery.attempt > spec.max_deliver:
        reason = f"max deliveries ({spec.max_deliver}) reached; the last attempt never finished"
        await dead_letter(bus, spec, delivery, reason)
        return Outcome.DEAD_LETTERED
    try:
        envelope = decode(delivery.data)
        check(envelope)
    except (InvalidEvent, SchemaViolation) as error:
        await dead_letter(bus, spec, delivery, f"invalid event: {error}")
        return Outcome.DEAD_LETTERED
    try:
        await handler(envelope)
    except Rejected as error:
        await dead_letter(bus, spec, delivery, f"rejected: {error}")
        return Outcome.DEAD_LETTERED
    except Exception as error:
        if delivery.attempt >= spec.max_deliver:
            reason = f"failed {delivery.attempt} times, last: {type(error).__name__}: {error}"
            await dead_letter(bus, spec, delivery, reason)
            return Outcome.DEAD_LETTERED
        logger.warning(
            "%s: event %s attempt %s failed: %r", spec.name, envelope.id, delivery.attempt, error
        )
        await delivery.nak(spec.retry_delay(delivery.attempt))
        return Outcome.RETRYING
    await delivery.ack()
    return Outcome.ACKED


async def dead_letter(bus: EventBus, spec: ConsumerSpec, delivery: Delivery, reason: str) -> None:
    """Publish the original bytes with ``reason`` to the dead-letter stream, then terminate it."""
    logger.error(
        "%s: dead-lettering %s #%s: %s", spec.name, delivery.subject, delivery.sequence, reason
    )
    headers: Mapping[str, str] = dict(
        zip(
            DEAD_LETTER_HEADERS,
            (
                " ".join(reason.split())[:_MAX_REASON],
                spec.name,
                delivery.subject,
                str(delivery.sequence),
                str(delivery.attempt),
            ),
            strict=True,
        )
    )
    await bus.publish(
        dead_letter_subject(spec.stream, spec.name),
        delivery.data,
        message_id=f"{spec.stream}.{spec.name}.{delivery.sequence}",
        headers=headers,
    )
    await delivery.term()


async def drain(
    bus: EventBus, spec: ConsumerSpec, handler: Handler, *, batch: int = 100, wait: float = 0.05
) -> dict[Outcome, int]:
    """Handle what is due until a fetch waits ``wait`` s for nothing; counts the outcomes."""
    outcomes = dict.fromkeys(Outcome, 0)
    while deliveries := await bus.fetch(spec, batch=batch, timeout=wait):
        for delivery in deliveries:
            outcomes[await handle(bus, spec, delivery, handler)] += 1
    return outcomes


async def consume_forever(
    bus: EventBus, spec: ConsumerSpec, handler: Handler, *, batch: int = 100, wait: float = 1.0
) -> None:
    """A service's consumer loop: fetch and handle until cancelled; a broker outage is
    logged and waited out."""
    while True:
        try:
            await drain(bus, spec, handler, batch=batch, wait=wait)
        except BrokerUnavailable as error:
            logger.warning("%s: bus unavailable: %s", spec.name, error)
            await asyncio.sleep(wait)
        except Exception:
            logger.exception("%s: consumer loop failed", spec.name)
            await asyncio.sleep(wait)
