"""The demo data set is a pure function of (scale, id), and its parts agree with each other."""

from __future__ import annotations

import subprocess
import sys

from models.seed import generate

SCALE = generate.Scale(customers=30, orders=200, products=24, seed=3)


def test_same_input_same_rows_in_another_process() -> None:
    here = [generate.order(SCALE, i) for i in (1, 50, 200)]
    code = (
        "from models.seed import generate as g;"
        "s = g.Scale(customers=30, orders=200, products=24, seed=3);"
        "print(repr([g.order(s, i) for i in (1, 50, 200)]))"
    )
    there = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert there.stdout.strip() == repr(here)


def test_orders_reference_existing_customers_and_products_at_their_price() -> None:
    for order in generate.orders(SCALE):
        assert 1 <= order.customer_id <= SCALE.customers
        assert order.lines
        for line in order.lines:
            assert 1 <= line.product_id <= SCALE.product_count
            assert line.quantity >= 1
            assert line.unit_price_minor == generate.product(SCALE, line.product_id).price_minor
        assert order.total_minor == sum(
            line.quantity * line.unit_price_minor for line in order.lines
        )


def test_a_different_seed_gives_different_data() -> None:
    other = generate.Scale(customers=30, orders=200, products=24, seed=4)
    assert [generate.customer(SCALE, i).name for i in range(1, 11)] != [
        generate.customer(other, i).name for i in range(1, 11)
    ]


def test_unique_emails_and_skus() -> None:
    emails = [c.email for c in generate.customers(SCALE)]
    skus = [p.sku for p in generate.products(SCALE)]
    assert len(set(emails)) == len(emails)
    assert len(set(skus)) == len(skus)
