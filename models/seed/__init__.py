"""Deterministic demo data for every domain.

``generate`` describes the data set as pure functions of (scale, id), so each domain's
seeder produces its own tables independently and they still agree with each other (the
orders' customers exist, the marketing facts match the orders), without any cross-domain
read. ``python -m models.seed --customers 100000 --orders 1000000`` seeds at scale.
"""
