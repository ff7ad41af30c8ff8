"""Hostile inputs and faults against the subgraphs (issue 9, items 7 and 9-13)."""
