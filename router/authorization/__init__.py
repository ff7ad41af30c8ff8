"""Router-level authorization: ``@authenticated``, ``@requiresScopes`` and ``@policy`` from
the supergraph, enforced on every operation before planning (Apollo Router's semantics).

- :mod:`.requirements`: the requirements of a supergraph, read once;
- :mod:`.needs`: what one document's authorization depends on (part of the plan cache key);
- :mod:`.filter`: removes what a caller may not see and yields the removed paths;
- :mod:`.policies`: the policy hook (``router.yaml`` ``authorization.policy_hook``);
- :mod:`.authorizer`: the three together for the pipeline (:mod:`router.pipeline`);
- :mod:`.access_table`: ``docs/access.md``, generated from the supergraph.
"""
