from __future__ import annotations

from typing import Any

from tests.fleet.accounts import schema

ENTITIES = "query ($r: [_Any!]!) { _entities(representations: $r) { ... on User { id name } } }"


async def run(query: str, variables: dict[str, Any] | None = None) -> Any:
    result = await schema.execute(query, variable_values=variables)
    assert result.errors is None
    return result.data


async def test_me_is_the_first_user() -> None:
    data = await run("{ me { id name username birthDate } }")
    assert data == {
        "me": {"id": "1", "name": "Ada Lovelace", "username": "@ada", "birthDate": "1815-12-10"}
    }


async def test_users_lists_all_three_in_order() -> None:
    data = await run("{ users { id username } }")
    assert data["users"] == [
        {"id": "1", "username": "@ada"},
        {"id": "2", "username": "@complete"},
        {"id": "3", "username": "@grace"},
    ]


async def test_entities_resolve_known_ids_and_null_for_unknown() -> None:
    refs = [{"__typename": "User", "id": "3"}, {"__typename": "User", "id": "99"}]
    data = await run(ENTITIES, {"r": refs})
    assert data == {"_entities": [{"id": "3", "name": "Grace Hopper"}, None]}


async def test_entities_ignore_extra_representation_fields() -> None:
    refs = [{"__typename": "User", "id": "2", "username": "@someone-else"}]
    data = await run(ENTITIES, {"r": refs})
    assert data == {"_entities": [{"id": "2", "name": "Alan Turing"}]}
