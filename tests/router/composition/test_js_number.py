from __future__ import annotations

import pytest

from router.composition.js_number import js_number

# Expected values are what node prints for String(Number(literal)).
CASES = {
    "1.0": "1",
    "0.50": "0.5",
    "1e3": "1000",
    "1E-2": "0.01",
    "-0.0": "0",
    "-3.25": "-3.25",
    "0.000001": "0.000001",
    "1.0e-7": "1e-7",
    "1.5e-7": "1.5e-7",
    "1e20": "100000000000000000000",
    "1e21": "1e+21",
    "123456789012345678901234.0": "1.2345678901234569e+23",
    "5e-324": "5e-324",
    "1.7976931348623157e308": "1.7976931348623157e+308",
}


@pytest.mark.parametrize(("literal", "printed"), CASES.items())
def test_float_literals_print_as_javascript_numbers(literal: str, printed: str) -> None:
    assert js_number(literal) == printed
