"""Every shell command in the README runs as written: the ``dev`` blocks against a fresh
dev platform (what ``make demo`` serves), with only the port moved."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator

import pytest

from tests.dev_platform import REPOSITORY, DevProcess, free_port, start_dev_platform
from tests.readme import ShellBlock, shell_blocks

PORTS = range(15700, 15710)
BLOCKS = shell_blocks()
DEV_BLOCKS = [block for block in BLOCKS if block.kind == "dev"]


@pytest.fixture(scope="module")
def dev(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DevProcess]:
    with start_dev_platform(tmp_path_factory.mktemp("readme"), free_port(PORTS)) as dev:
        yield dev


def test_every_shell_block_says_how_it_is_checked() -> None:
    unmarked = [block.line for block in BLOCKS if block.kind == ""]
    assert unmarked == [], f"README bash blocks without a readme-check marker at lines {unmarked}"
    kinds = {block.kind.split(" ")[0] for block in BLOCKS}
    assert kinds <= {"dev", "production", "skip"}
    assert all(block.kind.startswith("skip (") for block in BLOCKS if block.kind.startswith("skip"))
    assert len(DEV_BLOCKS) >= 2 and any(block.kind == "production" for block in BLOCKS)


@pytest.mark.parametrize("block", DEV_BLOCKS, ids=lambda block: f"line{block.line}")
def test_dev_block_runs_as_written(dev: DevProcess, block: ShellBlock) -> None:
    script = "set -euo pipefail\n" + block.with_ports({4000: dev.port})
    result = subprocess.run(
        ["bash", "-c", script], cwd=REPOSITORY, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert '"errors"' not in result.stdout, result.stdout
    assert "Traceback" not in result.stderr, result.stderr


def test_the_router_examples_answer_what_they_say(dev: DevProcess) -> None:
    (block,) = [block for block in DEV_BLOCKS if "curl" in block.body]
    result = subprocess.run(
        ["bash", "-c", "set -euo pipefail\n" + block.with_ports({4000: dev.port})],
        cwd=REPOSITORY,
        capture_output=True,
        text=True,
        timeout=120,
    )
    out = result.stdout
    assert '"recommendations"' in out  # the GET query
    assert '"tier"' in out  # the POST with variables
    assert '"shippingEstimate"' in out  # customer 360 from docs/customer-360.graphql
    assert '"redeemCoupon":{"code":"C05-SAVE05"' in out
    assert '{"status":"ok"' in out and '"status":"ready"' in out
    assert "bytes gzipped" in out
    assert "200 http://localhost:3000" in out
