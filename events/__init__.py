"""The events backbone: domain events as CloudEvents on a broker.

A technical platform layer beside ``models``: subgraphs import it, it imports neither the
subgraphs nor the router. The pieces, one module each:

- ``envelope``: the CloudEvents 1.0 structured JSON envelope (``Envelope``, ``encode``,
  ``decode``);
- ``catalogue``: the known event types and their versioned JSON Schemas (``schemas/``);
- ``bus``: the ``EventBus`` interface and the consumer settings both implementations share;
- ``nats_bus`` (NATS JetStream, ``EVENTS_URL`` set) and ``embedded_bus`` (the database plus an
  in-process dispatcher, the default): the two implementations;
- ``outbox`` (staging an event in the producer's transaction) and ``relay`` (outbox ->
  bus, at least once, in order);
- ``consumer`` (fetch, handle, ack, retry with backoff, dead-letter) and ``inbox``
  (idempotent handling in the consumer's own transaction);
- ``connect``: the bus the environment asks for.
"""
