"""Stage 5, satisfiability (Apollo's ``validateGraphComposition``): see ``traversal``."""

from .traversal import validate_satisfiability

__all__ = ["validate_satisfiability"]
