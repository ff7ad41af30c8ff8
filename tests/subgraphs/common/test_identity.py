"""subgraphs.common.identity: the verifier remembers tokens it verified, never past expiry;
the service identity a subgraph signs for its own background calls to its peers."""

from __future__ import annotations

import time

import jwt
import pytest

from router.security.identity import Identity, IdentityKind, IdentitySigner
from subgraphs.common import identity as module
from subgraphs.common.identity import (
    ANONYMOUS_CALLER,
    IdentityError,
    IdentityVerifier,
    acting_as_service,
    current_identity,
    forwarded_identity_headers,
)

SECRET = "a-test-secret-of-at-least-thirty-two-bytes"
CUSTOMER = Identity(IdentityKind.USER, "7", "shop", frozenset({"customer"}))


class Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


class CountingDecode:
    def __init__(self) -> None:
        self.calls = 0
        self.decode = jwt.decode

    def __call__(self, *args: object, **kwargs: object) -> object:
        self.calls += 1
        return self.decode(*args, **kwargs)  # type: ignore[arg-type]


@pytest.fixture
def decode(monkeypatch: pytest.MonkeyPatch) -> CountingDecode:
    counting = CountingDecode()
    monkeypatch.setattr(jwt, "decode", counting)
    return counting


def test_a_verified_token_is_decoded_once_until_it_expires(decode: CountingDecode) -> None:
    clock = Clock(time.time())
    verifier = IdentityVerifier(SECRET, production=True, clock=clock)
    token = IdentitySigner(SECRET, ttl_seconds=60).sign(CUSTOMER, now=clock.now)
    first = verifier.verify(token)
    assert verifier.verify(token) == first
    assert (first.subject, first.scopes, decode.calls) == ("7", frozenset({"customer"}), 1)
    clock.now += 60 + 5 + 1  # past exp and the leeway: no longer answered from memory
    verifier.verify(token)  # (PyJWT reads the real clock, so it still passes its check)
    verifier.verify(token)
    assert decode.calls == 3


def test_a_refused_token_is_never_remembered(decode: CountingDecode) -> None:
    clock = Clock(time.time())
    verifier = IdentityVerifier(SECRET, production=True, clock=clock)
    forged = IdentitySigner("an-attacker-guess-at-the-secret-0123456789").sign(
        CUSTOMER, now=clock.now
    )
    for _ in range(3):
        with pytest.raises(IdentityError):
            verifier.verify(forged)
    assert decode.calls == 3


def test_the_memory_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(module, "_MAX_REMEMBERED", 4)
    clock = Clock(time.time())
    verifier = IdentityVerifier(SECRET, production=True, clock=clock)
    signer = IdentitySigner(SECRET)
    for subject in range(10):
        identity = Identity(IdentityKind.USER, str(subject), None, frozenset())
        assert verifier.verify(signer.sign(identity, now=clock.now)).subject == str(subject)
        assert len(verifier._verified) <= 4


SERVICE_SECRET = "the-subgraphs-shared-secret-0123456789"


def test_a_service_identity_is_signed_and_verified_in_production() -> None:
    with acting_as_service(
        SERVICE_SECRET, "customers-erasure", frozenset({"gdpr:manage"})
    ) as identity:
        assert current_identity() == identity
        headers = forwarded_identity_headers()
    verified = IdentityVerifier(SERVICE_SECRET, production=True).verify(
        headers["x-router-identity"]
    )
    assert (verified.kind, verified.client_id) == ("service", "customers-erasure")
    assert verified.has_scope("gdpr:manage") and not verified.has_scope("staff")
    assert current_identity() == ANONYMOUS_CALLER and forwarded_identity_headers() == {}


def test_a_service_identity_signed_with_another_secret_is_refused() -> None:
    with acting_as_service("not-the-secret-at-all-0123456789", "x", frozenset()):
        header = forwarded_identity_headers()["x-router-identity"]
    with pytest.raises(IdentityError):
        IdentityVerifier(SERVICE_SECRET, production=True).verify(header)


def test_without_a_secret_no_header_is_sent() -> None:
    with acting_as_service(None, "customers-erasure", frozenset({"gdpr:manage"})):
        assert forwarded_identity_headers() == {}
        assert current_identity().has_scope("gdpr:manage")
