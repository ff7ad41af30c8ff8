"""Every ``extensions.code`` the router and the subgraphs can send is documented in the
README's error table, and the table lists nothing the code cannot send.

The codes are read from the source: the status-code problems (``HTTPProblem``), the
request error kinds, ``error_body``/``label``/``_error`` calls, ``"code": ...`` entries
of error extensions, the ``code`` of each domain error class, and any ``*_LIMIT`` string
(the operation limits' codes, Apollo Router's names, listed in a table).
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

from tests.readme import README

REPOSITORY = Path(__file__).resolve().parents[1]
SOURCES = [
    path
    for folder in ("router", "subgraphs")
    for path in sorted((REPOSITORY / folder).rglob("*.py"))
    if "composition" not in path.parts  # composition errors go to the operator, not clients
]
_CODE = re.compile(r"[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+|[A-Z]{4,}")
# calls whose arguments carry a code: HTTPProblem(status, CODE, ...), error_body(msg, CODE),
# label(errors, CODE), _request_error(kind, msg, CODE)
_CODE_CALLS = {
    "HTTPProblem": 1,
    "error_body": 1,
    "label": 1,
    "_request_error": 2,
    "_error": 2,
}
_CODE_CLASSES = {"RequestErrorKind"}


def _constants(node: ast.AST) -> Iterator[str]:
    for child in ast.walk(node):
        value = child.value if isinstance(child, ast.Constant) else None
        if isinstance(value, str) and _CODE.fullmatch(value):
            yield value


def _is_code_key(node: ast.AST | None) -> bool:
    return isinstance(node, ast.Constant) and node.value == "code"


def _exported_names(tree: ast.AST) -> set[int]:
    """The ids of the string constants in ``__all__`` (names like ``MAX_LIST_LIMIT``)."""
    return {
        id(constant)
        for node in ast.walk(tree)
        if isinstance(node, ast.Assign)
        and any(isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets)
        for constant in ast.walk(node.value)
    }


def codes_in(source: str) -> set[str]:
    codes: set[str] = set()
    tree = ast.parse(source)
    exported = _exported_names(tree)
    for node in ast.walk(tree):
        if id(node) in exported:
            continue
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            if _CODE.fullmatch(node.value) and node.value.endswith("_LIMIT"):
                codes.add(node.value)
        elif isinstance(node, ast.Call):
            func = node.func
            name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
            position = _CODE_CALLS.get(name)
            if position is not None and len(node.args) > position:
                codes.update(_constants(node.args[position]))
            for keyword in node.keywords:
                if keyword.arg == "code":
                    codes.update(_constants(keyword.value))
        elif isinstance(node, ast.Dict):
            for key, value in zip(node.keys, node.values, strict=True):
                if _is_code_key(key):
                    codes.update(_constants(value))
        elif isinstance(node, ast.Assign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                named = isinstance(target, ast.Name) and target.id == "code"
                keyed = isinstance(target, ast.Subscript) and _is_code_key(target.slice)
                if (named or keyed) and node.value is not None:
                    codes.update(_constants(node.value))
        elif isinstance(node, ast.ClassDef) and node.name in _CODE_CLASSES:
            codes.update(_constants(node))
    return codes


def codes_in_source() -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for path in SOURCES:
        for code in codes_in(path.read_text(encoding="utf-8")):
            found.setdefault(code, []).append(str(path.relative_to(REPOSITORY)))
    return found


def documented_codes() -> set[str]:
    text = README.read_text(encoding="utf-8")
    section = text[text.index("## Errors") :]
    return set(re.findall(r"^\| `([A-Z_]+)` \|", section, re.M))


def test_every_code_the_code_can_send_is_documented() -> None:
    found = codes_in_source()
    missing = {code: where for code, where in found.items() if code not in documented_codes()}
    assert missing == {}, "add these to the README's error table"


def test_the_table_lists_only_codes_that_exist() -> None:
    assert documented_codes() - set(codes_in_source()) == set()


def test_the_scanner_sees_each_way_a_code_is_written() -> None:
    source = """
class Gone(DomainError):
    code = "GONE_FOR_GOOD"
def f(extensions, errors):
    raise HTTPProblem(418, "TEAPOT_ERROR", "short and stout", {"Allow": "POST"})
    extensions["code"] = "SET_BY_KEY"
    label(errors, "A_LABEL" if errors else "B_LABEL")
    return {"message": "m", "extensions": {"code": "IN_A_DICT", "other": "NOT_A_CODE"}}
class RequestErrorKind(enum.Enum):
    PARSE = "KIND_VALUE"
checks = ((1, 2, "MAX_THINGS_LIMIT"),)
__all__ = ["MAX_EXPORTED_LIMIT"]
_error(kind, errors, "VIA_ERROR")
"""
    assert codes_in(source) == {
        "GONE_FOR_GOOD",
        "TEAPOT_ERROR",
        "SET_BY_KEY",
        "A_LABEL",
        "B_LABEL",
        "IN_A_DICT",
        "KIND_VALUE",
        "MAX_THINGS_LIMIT",
        "VIA_ERROR",
    }
