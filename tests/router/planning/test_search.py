"""Plan search: alternatives are tried, the cheapest plan that builds is kept."""

from __future__ import annotations

import pytest

from router.planning.errors import PlanningError
from router.planning.search import Decisions, search
from tests.router.planning.support import plan_for

LINK = (
    'extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", '
    'import: ["@key", "@shareable"])\n'
)


def test_the_estimated_choice_is_built_first_and_kept_on_a_tie() -> None:
    seen: list[str] = []

    def build(decisions: Decisions) -> str:
        choice = decisions.pick("root", ["a", "b"])
        seen.append(choice)
        return choice

    assert search(build, lambda plan: (1,)) == "a"
    assert seen == ["a", "b"]


def test_a_choice_that_cannot_go_on_is_dropped() -> None:
    def build(decisions: Decisions) -> str:
        choice = decisions.pick("root", ["a", "b", "c"])
        if choice != "c":
            raise PlanningError(f"{choice} cannot go on")
        return choice

    assert search(build, lambda plan: (1,)) == "c"


def test_the_cheapest_combination_of_choices_wins() -> None:
    costs = {("a", "x"): 5, ("a", "y"): 4, ("b", "x"): 2, ("b", "y"): 3}

    def build(decisions: Decisions) -> tuple[str, str]:
        first = decisions.pick("first", ["a", "b"])
        second = decisions.pick(("second", first), ["x", "y"])
        return first, second

    assert search(build, lambda plan: (costs[plan],)) == ("b", "x")


def test_the_number_of_builds_is_bounded() -> None:
    builds: list[int] = []

    def build(decisions: Decisions) -> int:
        builds.append(1)
        return sum(decisions.pick(i, range(4)) for i in range(10))  # 4**10 combinations

    search(build, lambda plan: (plan,), budget=20)
    assert len(builds) == 20


def test_no_plan_at_all_is_the_first_planning_error() -> None:
    def build(decisions: Decisions) -> str:
        raise PlanningError(decisions.pick("root", ["no a", "no b"]))

    with pytest.raises(PlanningError, match="no a"):
        search(build, lambda plan: (1,))


# ``a`` and ``b`` both answer ``me``; only ``b`` knows the user's key, so only ``b`` can go
# on to ``c`` for ``address``. ``a`` is estimated as good, and comes first by name.
ONLY_ONE_GOES_ON = {
    "a": LINK + "type Query { me: User @shareable } type User { name: String @shareable }",
    "b": LINK + "type Query { me: User @shareable } "
    'type User @key(fields: "id") { id: ID! name: String @shareable }',
    "c": LINK + 'type User @key(fields: "id") { id: ID! address: String }',
}


def test_a_shareable_root_field_goes_to_the_subgraph_that_can_go_on() -> None:
    assert plan_for(ONLY_ONE_GOES_ON, "{ me { name address } }") == EXPECTED_ONLY_ONE_GOES_ON


def test_a_shareable_root_field_alone_stays_with_the_first_estimate() -> None:
    assert 'Fetch(service: "a")' in plan_for(ONLY_ONE_GOES_ON, "{ me { name } }")


EXPECTED_ONLY_ONE_GOES_ON = """\
QueryPlan {
  Sequence {
    Fetch(service: "b") {
      {
        me {
          name
          __typename
          id
        }
      }
    },
    Flatten(path: "me") {
      Fetch(service: "c") {
        {
          ... on User {
            __typename
            id
          }
        } =>
        {
          ... on User {
            address
          }
        }
      },
    },
  },
}"""


def test_a_build_that_crashes_drops_its_branch_only(caplog: pytest.LogCaptureFixture) -> None:
    def build(decisions: Decisions) -> str:
        choice = decisions.pick("root", ["a", "b"])
        if choice == "b":
            raise KeyError("a planner bug on the second branch")
        return choice

    assert search(build, lambda plan: (1,)) == "a"
    assert "failed unexpectedly" in caplog.text


def test_a_crash_everywhere_is_a_planning_error() -> None:
    def build(decisions: Decisions) -> str:
        raise KeyError(decisions.pick("root", ["a", "b"]))

    with pytest.raises(PlanningError, match="the planner failed"):
        search(build, lambda plan: (1,))
