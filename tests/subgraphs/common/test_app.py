"""The subgraph app's HTTP edges: what a POST that is not JSON gets."""

from __future__ import annotations

import httpx
import pytest

from tests.conftest import subgraph_url


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        ("application/x-www-form-urlencoded", b"query=%7B__typename%7D"),
        ("text/plain", b'{"query": "{ __typename }"}'),
        ("multipart/form-data; boundary=x", b"--x--"),
    ],
)
async def test_a_post_that_is_not_json_is_415(
    http: httpx.AsyncClient, content_type: str, body: bytes
) -> None:
    response = await http.post(
        subgraph_url("customers"), content=body, headers={"content-type": content_type}
    )
    assert response.status_code == 415
    assert "application/json" in response.text


async def test_json_with_a_charset_is_still_json(http: httpx.AsyncClient) -> None:
    response = await http.post(
        subgraph_url("customers"),
        content=b'{"query": "{ __typename }"}',
        headers={"content-type": "application/json; charset=utf-8"},
    )
    assert response.json() == {"data": {"__typename": "Query"}}
