"""The README's ``router.yaml`` reference lists every key the configuration's models accept,
and nothing else: a key added to a section without a line in the table fails here."""

from __future__ import annotations

import re
import typing
from collections.abc import Iterator

from pydantic import BaseModel

from router.config import RouterConfig
from tests.readme import README

HEADING = "## `router.yaml` reference"


def _models(annotation: object) -> list[type[BaseModel]]:
    candidates = [annotation, *typing.get_args(annotation)]
    return [c for c in candidates if isinstance(c, type) and issubclass(c, BaseModel)]


def config_keys(model: type[BaseModel] = RouterConfig, prefix: str = "") -> Iterator[str]:
    """Dotted paths of every leaf key; a mapping of sections reads ``<name>``."""
    for name, field in model.model_fields.items():
        path = prefix + (field.alias or name)
        sections = _models(field.annotation)
        if typing.get_origin(field.annotation) is dict:
            sections = _models(typing.get_args(field.annotation)[1])
            if sections:
                yield from config_keys(sections[0], path + ".<name>.")
                continue
        if sections:
            yield from config_keys(sections[0], path + ".")
        else:
            yield path


def documented_keys() -> list[str]:
    text = README.read_text(encoding="utf-8")
    section = text[text.index(HEADING) + len(HEADING) :]
    section = section[: section.index("\n## ")]
    return re.findall(r"^\| `([a-z0-9_.<>]+)` \|", section, re.M)


def test_every_key_is_documented_once() -> None:
    documented = documented_keys()
    assert len(documented) == len(set(documented))
    assert sorted(set(config_keys()) - set(documented)) == [], "add these to the reference"


def test_the_reference_lists_only_keys_that_exist() -> None:
    assert sorted(set(documented_keys()) - set(config_keys())) == []


def test_the_walk_sees_nested_and_mapped_sections() -> None:
    keys = set(config_keys())
    assert {
        "authentication.jwt.jwks.url",
        "rate_limits.global.capacity",
        "rate_limits.clients.<name>.refill_per_second",
        "traffic_shaping.subgraphs.<name>.timeout_seconds",
        "trusted_documents.clients",
        "mode",
    } <= keys
