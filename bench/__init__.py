"""Benchmarks: ``python -m bench`` measures the router against Apollo Gateway and Hive Gateway
on the same subgraphs, the router's own overhead and planning time, and the customer-360
query at growing data sizes on PostgreSQL, and writes ``bench/RESULTS.md``."""
