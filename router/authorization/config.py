"""``router.yaml``'s ``authorization`` section (loaded by :mod:`router.config`).

The directives are enforced whatever this section says (secure by default); it only
chooses what happens to an operation asking for more than its caller may see.
"""

from __future__ import annotations

from typing import Self

from pydantic import BaseModel, ConfigDict, model_validator

from router.authorization.policies import load_policy_hook

__all__ = ["DEFAULT_POLICY_HOOK", "AuthorizationConfig"]

DEFAULT_POLICY_HOOK = "router.authorization.policies:default_policies"


class AuthorizationConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    # true: refuse the whole operation (403, nothing runs) instead of answering null with
    # one UNAUTHORIZED_FIELD_OR_TYPE error per removed path
    reject_unauthorized: bool = False
    # true: refuse every request without a credential (401 UNAUTHENTICATED)
    require_authentication: bool = False
    # true: report the paths that would be removed, but execute the whole operation
    # (to try new rules on live traffic; never in production)
    dry_run: bool = False
    # package.module:function deciding @policy names (router.authorization.policies)
    policy_hook: str = DEFAULT_POLICY_HOOK

    @model_validator(mode="after")
    def _hook_importable(self) -> Self:
        load_policy_hook(self.policy_hook)
        if self.dry_run and self.reject_unauthorized:
            raise ValueError("dry_run and reject_unauthorized cannot both be true")
        return self
