"""The orders subgraph: the Order entity and its lifecycle, ``Customer.orders``, and
``placeOrder`` (customer check, pricing, stock reservation, outbox) across the domains."""
