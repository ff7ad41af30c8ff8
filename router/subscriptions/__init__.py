"""GraphQL subscriptions through the router (Apollo Router's passthrough mode).

A client subscribes over a WebSocket (``graphql-transport-ws``, :mod:`.websocket`) or over
server-sent events (GraphQL over SSE, distinct connections mode, :mod:`.sse`). The
operation is prepared as any other (parse, validate, authorization, plan: the root fetch
of a subscription's plan is the subscription itself); the router opens that fetch on the
owning subgraph over ``graphql-transport-ws`` (:mod:`.upstream`) with the caller's signed
identity, and each event it sends runs the rest of the plan as a query would (entity
fields from the other subgraphs), then is shaped and sent on (:mod:`.hub`).

Limits (:mod:`.limits`): subscriptions per connection and per client, a heartbeat; every
subscription ends with an error (and the WebSocket with 1001) on router shutdown, and with
``SUBSCRIPTION_SCHEMA_RELOAD`` on a supergraph change.
"""

from router.subscriptions.limits import SubscriptionLimits

__all__ = ["SubscriptionLimits"]  # the hub: router.subscriptions.hub (imports the pipeline)
