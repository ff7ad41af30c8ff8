"""The production shape, from the README's documented commands: each subgraph its own
process, the router another, all on non-default ports (the block's 4000-4005 moved), the
peers and routing URLs from ``SUBGRAPH_URL_<NAME>`` alone. A customer-360 query and a
``placeOrder`` (orders calling customers, products, inventory and marketing over HTTP)
must work, and every process must log the URLs it uses."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest

from models.seed import generate
from tests.dev_platform import REPOSITORY, free_port
from tests.readme import shell_blocks

PORTS = range(15740, 15760)
CUSTOMER_360 = (REPOSITORY / "docs" / "customer-360.graphql").read_text()
PLACE = """mutation($input: PlaceOrderInput!) { placeOrder(input: $input) {
  id status customer { id name } lines { quantity product { id name } } } }"""


KEYS_CREATE = [".venv/bin/python", "-m", "router", "keys", "create"]


@dataclass
class Fleet:
    ports: dict[int, int]
    logs: dict[str, Path] = field(default_factory=dict)
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)
    api_key: str = ""  # a back-office key (the router enforces docs/access.md)

    @property
    def router(self) -> str:
        return f"http://127.0.0.1:{self.ports[4000]}"


def _commands(script: str) -> Iterator[str]:
    """Logical lines of a shell block: continuations joined, comments dropped."""
    script = script.replace("\\\n", " ")
    for line in script.splitlines():
        line = re.sub(r"\s+#.*$", "", line).strip()
        if line and not line.startswith("#"):
            yield line


def _start(block: str, fleet: Fleet, env: dict[str, str], logs: Path) -> None:
    for line in _commands(block):
        if line.startswith("export "):
            name, _, value = line.removeprefix("export ").partition("=")
            env[name] = value
        elif line.endswith("&"):
            argv = shlex.split(line.removesuffix("&"))
            label = "router" if argv[2] == "router" else argv[4]
            log = logs / f"{label}.log"
            with log.open("wb") as output:
                fleet.processes.append(
                    subprocess.Popen(
                        argv, cwd=REPOSITORY, env=env, stdout=output, stderr=subprocess.STDOUT
                    )
                )
            fleet.logs[label] = log
        else:
            subprocess.run(shlex.split(line), cwd=REPOSITORY, env=env, check=True, timeout=300)


@pytest.fixture(scope="module")
def fleet(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Fleet]:
    (block,) = [block for block in shell_blocks() if block.kind == "production"]
    ports: dict[int, int] = {}
    for documented in range(4000, 4006):
        ports[documented] = free_port(
            range(max([PORTS.start - 1, *ports.values()]) + 1, PORTS.stop)
        )
    directory = tmp_path_factory.mktemp("production")
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("SUBGRAPH_URL_", "DATABASE_URL", "ROUTER_"))
    }
    env["DATABASE_URL"] = f"sqlite+aiosqlite:///{directory / 'production.db'}"
    fleet = Fleet(ports)
    try:
        _start(block.with_ports(ports), fleet, env, directory)
        _wait_until_ready(fleet)
        fleet.api_key = _create_key(env)
        yield fleet
    finally:
        for process in fleet.processes:
            process.terminate()
        for process in fleet.processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _create_key(env: dict[str, str]) -> str:
    """A staff key with pii:read, made with the README's command (printed once)."""
    command = [*KEYS_CREATE, "--client", "back-office", "--scopes", "staff pii:read"]
    result = subprocess.run(
        command, cwd=REPOSITORY, env=env, capture_output=True, text=True, check=True, timeout=60
    )
    (line,) = [line for line in result.stdout.splitlines() if line.startswith("key:")]
    return line.removeprefix("key:").strip()


def _wait_until_ready(fleet: Fleet) -> None:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        for process in fleet.processes:
            assert process.poll() is None, {k: v.read_text() for k, v in fleet.logs.items()}
        try:
            if httpx.get(f"{fleet.router}/health/ready", timeout=3).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise TimeoutError({name: log.read_text() for name, log in fleet.logs.items()})


def _post(fleet: Fleet, query: str, **variables: Any) -> dict[str, Any]:
    response = httpx.post(
        f"{fleet.router}/graphql",
        json={"query": query, "variables": variables},
        headers={"x-api-key": fleet.api_key},
        timeout=30,
    )
    body: dict[str, Any] = response.json()
    return body


def test_every_piece_runs_on_its_own_port(fleet: Fleet) -> None:
    ready = httpx.get(f"{fleet.router}/health/ready").json()
    urls = {name: status["url"] for name, status in ready["subgraphs"].items()}
    assert urls == {
        name: f"http://127.0.0.1:{fleet.ports[4001 + index]}/graphql"
        for index, name in enumerate(("customers", "products", "orders", "inventory", "marketing"))
    }
    for url in urls.values():  # each subgraph answers on its own, too
        health = httpx.get(url.replace("/graphql", "/health")).json()
        assert health["status"] == "ok"


def test_customer_360_spans_the_five_processes(fleet: Fleet) -> None:
    body = _post(fleet, CUSTOMER_360, id="3")
    assert "errors" not in body, body
    customer = body["data"]["customer"]
    assert customer["name"] == generate.customer(generate.Scale(), 3).name
    assert customer["orders"]["nodes"][0]["lines"][0]["product"]["shippingEstimate"]
    assert customer["recommendations"]


def test_place_order_calls_its_peers_over_http(fleet: Fleet) -> None:
    product = next(p for p in generate.products(generate.Scale()) if p.status == "LISTED")
    body = _post(
        fleet,
        PLACE,
        input={
            "customerId": "4",
            "idempotencyKey": "production-shape-1",
            "lines": [{"productId": str(product.id), "quantity": 1}],
        },
    )
    assert "errors" not in body, body
    order = body["data"]["placeOrder"]
    assert order["status"] == "PENDING"
    assert order["customer"]["name"] == generate.customer(generate.Scale(), 4).name
    assert order["lines"] == [
        {"quantity": 1, "product": {"id": str(product.id), "name": product.name}}
    ]


def test_each_process_logs_the_urls_it_uses(fleet: Fleet) -> None:
    url = {
        name: f"http://127.0.0.1:{fleet.ports[port]}/graphql"
        for name, port in (
            ("customers", 4001),
            ("products", 4002),
            ("orders", 4003),
            ("inventory", 4004),
            ("marketing", 4005),
        )
    }
    orders_log = fleet.logs["orders"].read_text()
    peers = ", ".join(
        f"{name}={url[name]}" for name in ("customers", "products", "inventory", "marketing")
    )
    started = f"orders on http://127.0.0.1:{fleet.ports[4003]}/graphql; peers: {peers}"
    assert started in orders_log
    # customers calls the domains that erase and export their part of a customer (GDPR)
    peers = ", ".join(f"{name}={url[name]}" for name in ("orders", "inventory", "marketing"))
    started = f"customers on http://127.0.0.1:{fleet.ports[4001]}/graphql; peers: {peers}"
    assert started in fleet.logs["customers"].read_text()
    assert "peers: none" in fleet.logs["products"].read_text()
    router_log = fleet.logs["router"].read_text()
    for name, address in url.items():
        assert f"{name}={address}" in router_log


def test_a_client_error_is_one_log_line_in_the_subgraph(fleet: Fleet) -> None:
    body = _post(fleet, '{ customer(id: "not-an-id") { name } }')
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    log = fleet.logs["customers"].read_text()
    lines = [orjson.loads(line) for line in log.splitlines() if "not-an-id" in line]
    assert [(line["level"], line["logger"], line["message"]) for line in lines] == [
        (
            "INFO",
            "subgraphs.requests",
            "BAD_USER_INPUT at customer: Invalid id: 'not-an-id' is not a valid ID",
        )
    ]
    assert lines[0]["request_id"]  # the router's x-request-id
    assert "Traceback" not in log
