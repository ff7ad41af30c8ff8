"""The marketing subgraph: campaigns and coupons, and recommendations
(``Customer.recommendations``, ``Product.relatedProducts``) computed from marketing's own
purchase facts, fed by the orders stream on the event bus (``order_events``). The internal
``recordOrderPlaced`` mutation, the former point-to-point feed, counts an order the same way
(once per order) and is no longer called by the platform."""
