"""The marketing subgraph: campaigns and coupons, and recommendations
(``Customer.recommendations``, ``Product.relatedProducts``) computed from marketing's own
purchase facts, which the orders domain feeds through ``recordOrderPlaced``."""
