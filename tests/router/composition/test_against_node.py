"""Re-run Apollo's composition on every recorded case (needs Node and the peers checkout):
catches fixtures recorded with another Apollo version or edited by hand."""

from __future__ import annotations

import json

import pytest

from tests.peers import needs_node

from . import record
from .cases import case_names, expected_codes, expected_supergraph

pytestmark = [
    pytest.mark.node,
    needs_node,
]


@pytest.mark.parametrize("name", case_names("valid"))
def test_recorded_supergraph_is_apollos(name: str) -> None:
    result = record.compose(record.FIXTURES / "valid" / name)
    assert result.returncode == 0, result.stderr
    assert result.stdout == expected_supergraph(name)


@pytest.mark.parametrize("name", case_names("invalid"))
def test_recorded_codes_are_apollos(name: str) -> None:
    result = record.compose(record.FIXTURES / "invalid" / name)
    codes = sorted({code for code, _ in record.parse_errors(result.stderr)})
    assert codes == expected_codes(name), json.dumps(result.stderr)
