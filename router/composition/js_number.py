"""Numbers printed the way JavaScript's ``Number.prototype.toString`` prints them.

Apollo parses a ``Float`` literal into a JS number and prints that number back, so the
supergraph shows ``1.0`` as ``1``, ``0.50`` as ``0.5`` and ``1e3`` as ``1000``. Both languages
find the same shortest round-tripping digits (Python's ``repr``); only the layout differs:
JS writes plain decimals for ``1e-7 <= |x| < 1e21`` and ``1.5e+21`` style exponents otherwise.
"""

from __future__ import annotations

import math

__all__ = ["js_number"]


def _digits_and_exponent(value: float) -> tuple[str, int]:
    """Shortest significant digits ``d1d2...dk`` and ``n`` with ``value = 0.d1...dk * 10**n``."""
    mantissa, _, exponent = repr(value).partition("e")
    whole, _, fraction = mantissa.partition(".")
    digits = (whole + fraction).lstrip("0")
    point = len(whole) + (int(exponent) if exponent else 0)
    leading_zeros = len(whole + fraction) - len((whole + fraction).lstrip("0"))
    digits = digits.rstrip("0") or "0"
    return digits, point - leading_zeros


def js_number(text: str) -> str:
    """A GraphQL ``Float`` literal as Apollo prints it (non-finite values are left alone)."""
    value = float(text)
    if not math.isfinite(value):
        return text
    if value == 0:
        return "0"
    sign = "-" if value < 0 else ""
    digits, n = _digits_and_exponent(abs(value))
    k = len(digits)
    if k <= n <= 21:
        return sign + digits + "0" * (n - k)
    if 0 < n <= 21:
        return sign + digits[:n] + "." + digits[n:]
    if -6 < n <= 0:
        return sign + "0." + "0" * -n + digits
    exponent = n - 1
    mark = "+" if exponent >= 0 else "-"
    body = digits if k == 1 else digits[0] + "." + digits[1:]
    return f"{sign}{body}e{mark}{abs(exponent)}"
