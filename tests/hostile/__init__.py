"""Hostile inputs (issue 9): each attack reproduced, its bound asserted, service afterwards."""
