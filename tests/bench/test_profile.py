from __future__ import annotations

import pytest

from bench.profile import summarise

RAW = """\
<module> (router/__main__.py:128);Runner.run (asyncio/runners.py:118);\
_Execution.send (router/execution.py:113);SocketStream.send (anyio/_backends/_asyncio.py:1474) 6
<module> (router/__main__.py:128);Runner.run (asyncio/runners.py:118);\
_Execution.send (router/execution.py:113);_find_spec (<frozen importlib._bootstrap>:1072) 1
<module> (router/__main__.py:128);Runner.run (asyncio/runners.py:118);\
shape_response (router/response_shaping.py:40) 3
not a sample line
"""


def test_summarise_shares_by_package_function_and_router_stage() -> None:
    profile = summarise(RAW.splitlines())
    assert profile.samples == 10
    assert dict(profile.by_package) == pytest.approx({"anyio": 60.0, "router": 30.0,
                                                      "importlib": 10.0})  # fmt: skip
    assert profile.hottest[0] == ("SocketStream.send (anyio/_backends/_asyncio.py:1474)", 60.0)
    inclusive = dict(profile.router_inclusive)
    assert inclusive["_Execution.send (router/execution.py:113)"] == pytest.approx(70.0)
    assert not any("__main__" in name for name in inclusive)
