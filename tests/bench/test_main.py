from __future__ import annotations

import argparse

import pytest

from bench.__main__ import stage_names
from bench.stages import STAGES


def test_only_takes_comma_separated_stage_names() -> None:
    assert stage_names("feature-cost, security-cost") == ("feature-cost", "security-cost")


@pytest.mark.parametrize("text", ["feature-costs", ",", "data-layer,nope"])
def test_only_refuses_unknown_or_no_stage_names(text: str) -> None:
    with pytest.raises(argparse.ArgumentTypeError, match="stages: node-fleet"):
        stage_names(text)


def test_the_issue_stages_are_registered() -> None:
    assert {"feature-cost", "security-cost"} <= set(STAGES)
    # their in-process comparisons need no Node: the stages run without it
    assert STAGES["security-cost"][2] is False and STAGES["feature-cost"][2] is False
