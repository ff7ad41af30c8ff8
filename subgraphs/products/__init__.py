"""The products subgraph: the Product entity (catalogue, price, listing status), keyed by
id and by sku."""
