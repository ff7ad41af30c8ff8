"""A small federated shop used by the router tests: interfaces, unions, several keys,
``@override``, ``@shareable``, ``@requires``, mutations and failing fields, run in-process."""
