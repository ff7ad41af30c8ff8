"""The inventory subgraph: warehouses, stock per (product, warehouse), the stock fields it
contributes to Product (inStock, availableQuantity, stock, shippingEstimate) and the
reservation API the orders subgraph calls."""
