"""An outside system (an ERP, a CRM) reading the platform's order events from NATS JetStream.

    pip install nats-py
    python examples/order_events_consumer.py --url nats://127.0.0.1:4222 --durable erp

It needs nothing from this repository: every message on ``orders.>`` is one CloudEvent 1.0
in JSON structured mode (``type``, ``subject`` = the order id, ``time``, ``dataschema``,
``data``: see the README's event catalogue and ``events/schemas/``). A durable pull
consumer remembers what was acknowledged, so a restarted script continues where it
stopped; a message it does not ack within 30 s is delivered again. Acknowledge only once
the event is safely applied on your side, and make applying idempotent by event ``id``
(a message can arrive twice).

``--once`` stops when no message arrives for ``--wait`` seconds (instead of waiting forever).
"""

from __future__ import annotations

import argparse
import asyncio
import json

import nats
from nats.js.api import AckPolicy, ConsumerConfig


def describe(event: dict[str, object]) -> str:
    data = event.get("data")
    details = ""
    if isinstance(data, dict):
        keys = ("customerId", "channel", "currency", "from", "to", "previousStatus")
        details = " ".join(f"{key}={data[key]}" for key in keys if key in data)
    return f"{event.get('time')} {event.get('type')} order={event.get('subject')} {details}".strip()


async def consume(args: argparse.Namespace) -> int:
    client = await nats.connect(args.url)
    jetstream = client.jetstream()
    subscription = await jetstream.pull_subscribe(
        args.subject,
        durable=args.durable,
        stream=args.stream,
        config=ConsumerConfig(ack_policy=AckPolicy.EXPLICIT, ack_wait=30),
    )
    handled = 0
    try:
        while True:
            try:
                messages = await subscription.fetch(args.batch, timeout=args.wait)
            except TimeoutError:  # nats.errors.TimeoutError is one too
                if args.once:
                    return handled
                continue
            for message in messages:
                print(describe(json.loads(message.data)), flush=True)
                await message.ack()  # applied: acknowledge it
                handled += 1
    finally:
        await client.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--url", default="nats://127.0.0.1:4222")
    parser.add_argument("--stream", default="orders")
    parser.add_argument("--subject", default="orders.>")
    parser.add_argument("--durable", default="erp-orders", help="this system's consumer name")
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--wait", type=float, default=5.0)
    parser.add_argument("--once", action="store_true", help="stop when nothing arrives")
    handled = asyncio.run(consume(parser.parse_args()))
    print(f"{handled} event(s) handled")


if __name__ == "__main__":
    main()
