"""``python -m models.migrate``: check fails until upgraded, then passes; one-owner commands
insist on one ``--domain``."""

from __future__ import annotations

import io

import pytest

from models.migrate import OWNERS
from models.migrate.__main__ import main


def test_check_upgrade_current_downgrade(scratch_url: str) -> None:
    def run(*argv: str) -> tuple[int, str]:
        out = io.StringIO()
        code = main(["--database-url", scratch_url, *argv], out)
        return code, out.getvalue()

    code, said = run("check", "--domain", "customers")
    assert code == 1 and "customers: at no revision, behind" in said
    assert run("upgrade")[0] == 0
    code, said = run("check")
    assert code == 0 and said.count("up to date") == len(OWNERS)
    code, said = run("downgrade", "--domain", "router", "router_0001")
    assert code == 0 and "router: at router_0001, behind head router_0002" in said
    assert run("check", "--domain", "router")[0] == 1
    code, said = run("current", "--domain", "router", "--domain", "events")
    assert said.splitlines() == [
        "router: at router_0001, behind head router_0002",
        "events: at events_0001, up to date",
    ]


def test_one_owner_commands_need_one_domain() -> None:
    with pytest.raises(SystemExit):
        main(["stamp", "head"])
