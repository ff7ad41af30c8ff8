"""``@interfaceObject``: a subgraph adds fields to an entity interface it knows as one object type.

Each plan has as many fetches as Apollo Gateway's for the same supergraph (composed
identically by Apollo's composition); the selections differ only in order and in keys
fetched per implementation.
"""

from __future__ import annotations

from tests.router.planning.support import plan_for

_FEDERATION = "https://specs.apollo.dev/federation/v2.3"


def _link(*imports: str) -> str:
    names = ", ".join(f'"{name}"' for name in imports)
    return f'extend schema @link(url: "{_FEDERATION}", import: [{names}])\n\n'


OWNER_AND_OBJECT = {
    "S1": _link("@key")
    + """\
type Query {
  iFromS1: I
  allI: [I!]!
}

interface I @key(fields: "id") {
  id: ID!
  x: Int
}

type A implements I @key(fields: "id") {
  id: ID!
  x: Int
  z: Int
}

type B implements I @key(fields: "id") {
  id: ID!
  x: Int
  w: Int
}
""",
    "S2": _link("@key", "@interfaceObject")
    + """\
type Query {
  iFromS2: I
}

type I @interfaceObject @key(fields: "id") {
  id: ID!
  y: Int
}
""",
}

NESTED = {
    "S1": _link("@key", "@interfaceObject")
    + """\
type I @interfaceObject @key(fields: "id") {
  id: ID!
  t: T
}

type T {
  relatedIs: [I]
}
""",
    "S2": _link("@key")
    + """\
type Query {
  i: I
}

interface I @key(fields: "id") {
  id: ID!
  a: Int
}

type A implements I @key(fields: "id") {
  id: ID!
  a: Int
}

type B implements I @key(fields: "id") {
  id: ID!
  a: Int
}
""",
}

REQUIRES = {
    "S1": _link("@key", "@interfaceObject", "@shareable")
    + """\
type I @interfaceObject @key(fields: "id") {
  id: ID!
  x: Int @shareable
}
""",
    "S2": _link("@key", "@external", "@requires", "@shareable")
    + """\
type Query {
  i: I
}

interface I @key(fields: "id") {
  id: ID!
  x: Int
}

type A implements I @key(fields: "id") {
  id: ID!
  x: Int @external
  y: String @requires(fields: "x")
}

type B implements I @key(fields: "id") {
  id: ID!
  x: Int @shareable
}
""",
}


def test_an_interface_object_field_goes_to_the_interface_object_keyed_by_the_implementation() -> (
    None
):
    """From the owner, ``y`` goes to S2 keyed by A or B (sent as ``I``); Apollo: 2 fetches."""
    assert (
        plan_for(OWNER_AND_OBJECT, "{ iFromS1 { x y } }")
        == EXPECTED_INTERFACE_OBJECT_FIELD_FROM_THE_OWNER
    )


EXPECTED_INTERFACE_OBJECT_FIELD_FROM_THE_OWNER = """\
QueryPlan {
  Sequence {
    Fetch(service: "S1") {
      {
        iFromS1 {
          __typename
          ... on A {
            x
            __typename
            id
          }
          ... on B {
            x
            __typename
            id
          }
        }
      }
    },
    Flatten(path: "iFromS1") {
      Fetch(service: "S2") {
        {
          ... on A {
            __typename
            id
          }
          ... on B {
            __typename
            id
          }
        } =>
        {
          ... on I {
            y
          }
        }
      },
    },
  },
}"""


def test_an_owner_field_goes_to_the_owner_as_the_interface() -> None:
    """From the interface object, ``x`` goes to S1 as ``... on I`` (with ``__typename``).

    Apollo: 2 fetches."""
    assert (
        plan_for(OWNER_AND_OBJECT, "{ iFromS2 { x y } }")
        == EXPECTED_AN_OWNER_FIELD_GOES_TO_THE_OWNER_AS_THE_INTERFACE
    )


EXPECTED_AN_OWNER_FIELD_GOES_TO_THE_OWNER_AS_THE_INTERFACE = """\
QueryPlan {
  Sequence {
    Fetch(service: "S2") {
      {
        iFromS2 {
          __typename
          id
          y
        }
      }
    },
    Flatten(path: "iFromS2") {
      Fetch(service: "S1") {
        {
          ... on I {
            __typename
            id
          }
        } =>
        {
          ... on I {
            __typename
            x
          }
        }
      },
    },
  },
}"""


def test_an_interface_object_answers_its_own_fields_alone() -> None:
    """No concrete type needed: one fetch, as Apollo."""
    assert (
        plan_for(OWNER_AND_OBJECT, "{ iFromS2 { y } }")
        == EXPECTED_AN_INTERFACE_OBJECT_ANSWERS_ITS_OWN_FIELDS_ALONE
    )


EXPECTED_AN_INTERFACE_OBJECT_ANSWERS_ITS_OWN_FIELDS_ALONE = """\
QueryPlan {
  Fetch(service: "S2") {
    {
      iFromS2 {
        y
      }
    }
  },
}"""


def test_typename_comes_from_the_owner() -> None:
    """The interface object would answer ``I``: the owner tells the concrete type.

    Apollo: 2 fetches."""
    assert (
        plan_for(OWNER_AND_OBJECT, "{ iFromS2 { __typename y } }")
        == EXPECTED_TYPENAME_COMES_FROM_THE_OWNER
    )


EXPECTED_TYPENAME_COMES_FROM_THE_OWNER = """\
QueryPlan {
  Sequence {
    Fetch(service: "S2") {
      {
        iFromS2 {
          y
          __typename
          id
        }
      }
    },
    Flatten(path: "iFromS2") {
      Fetch(service: "S1") {
        {
          ... on I {
            __typename
            id
          }
        } =>
        {
          ... on I {
            __typename
          }
        }
      },
    },
  },
}"""


def test_a_fragment_on_an_implementation_needs_the_concrete_type_first() -> None:
    """Even ``y`` (S2's own field) under ``... on A`` waits for the owner's ``__typename``.

    Apollo: 3 fetches."""
    assert (
        plan_for(OWNER_AND_OBJECT, "{ iFromS2 { ... on A { y } } }")
        == EXPECTED_A_FRAGMENT_ON_AN_IMPLEMENTATION_NEEDS_THE_CONCRETE_TYPE_FIRST
    )


EXPECTED_A_FRAGMENT_ON_AN_IMPLEMENTATION_NEEDS_THE_CONCRETE_TYPE_FIRST = """\
QueryPlan {
  Sequence {
    Fetch(service: "S2") {
      {
        iFromS2 {
          __typename
          id
        }
      }
    },
    Flatten(path: "iFromS2") {
      Fetch(service: "S1") {
        {
          ... on I {
            __typename
            id
          }
        } =>
        {
          ... on I {
            __typename
            ... on A {
              __typename
              id
            }
          }
        }
      },
    },
    Flatten(path: "iFromS2") {
      Fetch(service: "S2") {
        {
          ... on A {
            __typename
            id
          }
        } =>
        {
          ... on I {
            y
          }
        }
      },
    },
  },
}"""


def test_an_implementation_field_of_the_owner_rides_with_the_typename() -> None:
    """Apollo: 2 fetches, the same ones."""
    assert (
        plan_for(OWNER_AND_OBJECT, "{ iFromS2 { ... on A { x } } }")
        == EXPECTED_AN_IMPLEMENTATION_FIELD_OF_THE_OWNER_RIDES_WITH_THE_TYPENAME
    )


EXPECTED_AN_IMPLEMENTATION_FIELD_OF_THE_OWNER_RIDES_WITH_THE_TYPENAME = """\
QueryPlan {
  Sequence {
    Fetch(service: "S2") {
      {
        iFromS2 {
          __typename
          id
        }
      }
    },
    Flatten(path: "iFromS2") {
      Fetch(service: "S1") {
        {
          ... on I {
            __typename
            id
          }
        } =>
        {
          ... on I {
            __typename
            ... on A {
              x
            }
          }
        }
      },
    },
  },
}"""


def test_a_list_of_interface_entities_from_the_owner() -> None:
    """Only A's go to S2; Apollo: 2 fetches."""
    assert (
        plan_for(OWNER_AND_OBJECT, "{ allI { ... on A { z y } ... on B { w } } }")
        == EXPECTED_A_LIST_OF_INTERFACE_ENTITIES_FROM_THE_OWNER
    )


EXPECTED_A_LIST_OF_INTERFACE_ENTITIES_FROM_THE_OWNER = """\
QueryPlan {
  Sequence {
    Fetch(service: "S1") {
      {
        allI {
          __typename
          ... on A {
            z
            __typename
            id
          }
          ... on B {
            w
          }
        }
      }
    },
    Flatten(path: "allI.@") {
      Fetch(service: "S2") {
        {
          ... on A {
            __typename
            id
          }
        } =>
        {
          ... on I {
            y
          }
        }
      },
    },
  },
}"""


def test_fragments_mixing_both_subgraphs_from_the_interface_object() -> None:
    """Apollo: 3 fetches."""
    assert (
        plan_for(OWNER_AND_OBJECT, "{ iFromS2 { ... on A { z y } ... on B { w x } } }")
        == EXPECTED_FRAGMENTS_MIXING_BOTH_SUBGRAPHS_FROM_THE_INTERFACE_OBJECT
    )


EXPECTED_FRAGMENTS_MIXING_BOTH_SUBGRAPHS_FROM_THE_INTERFACE_OBJECT = """\
QueryPlan {
  Sequence {
    Fetch(service: "S2") {
      {
        iFromS2 {
          __typename
          id
        }
      }
    },
    Flatten(path: "iFromS2") {
      Fetch(service: "S1") {
        {
          ... on I {
            __typename
            id
          }
        } =>
        {
          ... on I {
            __typename
            ... on A {
              z
              __typename
              id
            }
            ... on B {
              w
              x
            }
          }
        }
      },
    },
    Flatten(path: "iFromS2") {
      Fetch(service: "S2") {
        {
          ... on A {
            __typename
            id
          }
        } =>
        {
          ... on I {
            y
          }
        }
      },
    },
  },
}"""


def test_an_interface_object_nested_in_an_interface_object() -> None:
    """``relatedIs`` comes from the interface object as ``I`` values; the owner resolves them
    as ``I``. Apollo: 3 fetches."""
    assert (
        plan_for(NESTED, "{ i { t { relatedIs { a } } } }")
        == EXPECTED_AN_INTERFACE_OBJECT_NESTED_IN_AN_INTERFACE_OBJECT
    )


EXPECTED_AN_INTERFACE_OBJECT_NESTED_IN_AN_INTERFACE_OBJECT = """\
QueryPlan {
  Sequence {
    Fetch(service: "S2") {
      {
        i {
          __typename
          ... on A {
            __typename
            id
          }
          ... on B {
            __typename
            id
          }
        }
      }
    },
    Flatten(path: "i") {
      Fetch(service: "S1") {
        {
          ... on A {
            __typename
            id
          }
          ... on B {
            __typename
            id
          }
        } =>
        {
          ... on I {
            t {
              relatedIs {
                __typename
                id
              }
            }
          }
        }
      },
    },
    Flatten(path: "i.t.relatedIs.@") {
      Fetch(service: "S2") {
        {
          ... on I {
            __typename
            id
          }
        } =>
        {
          ... on I {
            __typename
            a
          }
        }
      },
    },
  },
}"""


def test_a_requires_on_a_field_the_interface_object_provides() -> None:
    """``A.x`` is external in S2 and provided through ``I`` in S1: fetched there first, then
    ``y`` back in S2. Apollo: 3 fetches."""
    assert (
        plan_for(REQUIRES, "{ i { ... on A { y } } }")
        == EXPECTED_A_REQUIRES_ON_A_FIELD_THE_INTERFACE_OBJECT_PROVIDES
    )


EXPECTED_A_REQUIRES_ON_A_FIELD_THE_INTERFACE_OBJECT_PROVIDES = """\
QueryPlan {
  Sequence {
    Fetch(service: "S2") {
      {
        i {
          __typename
          ... on A {
            __typename
            id
          }
        }
      }
    },
    Flatten(path: "i") {
      Fetch(service: "S1") {
        {
          ... on A {
            __typename
            id
          }
        } =>
        {
          ... on I {
            x
          }
        }
      },
    },
    Flatten(path: "i") {
      Fetch(service: "S2") {
        {
          ... on A {
            __typename
            id
            x
          }
        } =>
        {
          ... on A {
            y
          }
        }
      },
    },
  },
}"""
