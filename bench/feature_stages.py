"""What router features cost on customer-360 over the project fleet, each measured against
the same router without them in the same run (:mod:`bench.side_by_side`).

* feature cost (issue 12): operation limits + demand control (enforcing) + APQ on, against
  all three off; and the same query as an APQ hash by GET against its full text by POST.
* security cost (issue 11): JWT bearer verified (RS256, JWKS file of this run), identity
  signed for the subgraphs, authorization once the router has it, against security off.
  The secured router's subgraphs share its ``ROUTER_IDENTITY_SECRET`` (so they verify the
  identity and apply their own rules, PII masking included); the open router's run without
  one (development: every caller has every right), the platform with security off. The
  credential is a staff token without ``pii:read``. Also in-process
  (:mod:`bench.config_overhead`), the precise figure for the latency added.
"""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any, NamedTuple
from urllib.parse import urlsplit

import httpx
import orjson
from starlette.applications import Starlette

from bench.config_overhead import (
    A_A_SUFFIX,
    AddedTarget,
    AppVariant,
    ConfigOverheadResult,
    measure_config_overhead,
)
from bench.data_layer import customers_with_orders
from bench.databases import DataScale, ensure_seeded, sqlalchemy_url
from bench.environment import BENCH_DIR
from bench.fleets import project_supergraph, start_project_subgraphs, write_supergraph
from bench.jwt_issuer import JwtIssuer
from bench.peer_supergraph import without_access_control
from bench.processes import ManagedProcess, ProcessGroup
from bench.request_shapes import (
    apq_get_requests,
    apq_registration,
    bearer_headers,
    post_requests,
)
from bench.router_app import app_from_config, post_graphql, running
from bench.router_variants import (
    FEATURES_OFF,
    FEATURES_ON,
    IDENTITY_SECRET_ENV,
    RouterVariant,
    known_sections,
    security_variants,
)
from bench.routers import OURS, LoadSettings
from bench.side_by_side import ComparedPair, LoadTarget, Target, VariantComparison, compare_variants
from router.config import parse_config
from router.supergraph import Supergraph

__all__ = [
    "FEATURE_COST_IN_PROCESS_TARGET",
    "FEATURE_COST_TARGET",
    "SECURITY_COST_IN_PROCESS_TARGET",
    "SECURITY_COST_TARGET",
    "STAFF_SCOPES",
    "CostResult",
    "FeatureWorkload",
    "feature_cost",
    "security_cost",
    "variant_description",
]

PROJECT_QUERY = BENCH_DIR / "queries" / "customer-360.graphql"
FEATURE_COST_TARGET = Target("throughput, p50 and p99 within 5%", 0.95, max_latency_ratio=1.05)
SECURITY_COST_TARGET = Target("p50 added < 0.2 ms, throughput within 10%", 0.90,
                              max_p50_added_ms=0.2)  # fmt: skip
FEATURE_COST_IN_PROCESS_TARGET = AddedTarget("p50 within 5%", max_added_fraction=0.05)
SECURITY_COST_IN_PROCESS_TARGET = AddedTarget("p50 added < 0.2 ms", max_added_ms=0.2)
STAFF_SCOPES = ("staff",)  # back office; no pii:read, so the subgraphs mask PII

# Ports (in the bench's 14700-14899): fleets 14800-14804, 14810-14814, 14815-14819;
# routers 14820-14829.
_FEATURE_FLEET_PORT = 14800
_OPEN_FLEET_PORT = 14810
_SECURED_FLEET_PORT = 14815
_ROUTERS_PORT = 14820
# Subgraphs without the identity secret, whatever the bench's own environment says.
_OPEN_ENVIRONMENT = {IDENTITY_SECRET_ENV: "", "OPS_MODE": ""}
# Two fleets of five at the default pool of 16 could open 160 connections: PostgreSQL's
# default max_connections is 100 ("too many clients already").
_TWO_FLEETS_POOL = {"DATABASE_POOL_SIZE": "8"}


class FeatureWorkload(NamedTuple):
    scale: DataScale
    query: str
    variables: tuple[dict[str, Any], ...]  # one per customer

    @classmethod
    def load(cls, scale: DataScale) -> FeatureWorkload:
        asyncio.run(ensure_seeded(scale))
        ids = asyncio.run(customers_with_orders(scale.database, minimum=10, limit=200))
        if not ids:
            raise ValueError(f"{scale.database} has no customer with 10 orders")
        query = PROJECT_QUERY.read_text(encoding="utf-8")
        return cls(scale, query, tuple({"id": customer_id} for customer_id in ids))


def variant_description(variant: RouterVariant) -> str:
    text = "router.yaml: " + (", ".join(sorted(variant.sections)) or "defaults")
    if variant.missing:
        text += f" (not in this router yet: {', '.join(variant.missing)})"
    return text


def _fleet_supergraph(
    group: ProcessGroup, workload: FeatureWorkload, work_dir: Path, port: int, label: str,
    env: Mapping[str, str], *, access_control: bool = True,
) -> tuple[Path, str]:  # fmt: skip
    """``access_control=False``: without the access directives (the router enforces them
    whatever its configuration; without them it has nothing to enforce)."""
    urls = start_project_subgraphs(
        group, port, sqlalchemy_url(workload.scale.database), label, env=env
    ).urls
    sdl = project_supergraph(urls)
    if not access_control:
        sdl = without_access_control(sdl)
    return write_supergraph(work_dir, label, sdl), sdl


def _start_router(
    group: ProcessGroup, variant: RouterVariant, supergraph: Path, port: int, work_dir: Path,
    env: Mapping[str, str] | None = None,
) -> tuple[ManagedProcess, str]:  # fmt: skip
    config = variant.write(work_dir / "configs")
    label = f"router-{config.stem.removeprefix('router-')}"
    process = OURS.start(group, supergraph, port, label, config=config, env=env)
    return process, f"http://127.0.0.1:{port}/graphql"


def _register_apq(url: str, query: str, variables: Mapping[str, Any]) -> None:
    answer = httpx.post(url, json=apq_registration(query, variables), timeout=10.0)
    if answer.status_code != 200 or "errors" in answer.json():
        raise RuntimeError(f"APQ registration refused: HTTP {answer.status_code} {answer.text}")


class CostResult(NamedTuple):
    in_process: ConfigOverheadResult | None
    under_load: VariantComparison | None
    notes: tuple[str, ...]  # why a part is missing


_IN_PROCESS_FAILURES = (ValueError, RuntimeError, OSError)


def _feature_in_process(workload: FeatureWorkload, sdl: str, requests: int) -> ConfigOverheadResult:
    def app(variant: RouterVariant) -> Starlette:
        return _app(variant, sdl, {})

    names = _names(sdl)
    return measure_config_overhead(
        f"feature cost: customer-360, project fleet ({workload.scale.label} orders)",
        (
            AppVariant(FEATURES_OFF.name, app(FEATURES_OFF), {}, names),
            AppVariant(FEATURES_ON.name, app(FEATURES_ON), {}, names),
            AppVariant(FEATURES_OFF.name + A_A_SUFFIX, app(FEATURES_OFF), {}, names),
        ),
        [{"query": workload.query, "variables": v} for v in workload.variables],
        requests=requests,
        target=FEATURE_COST_IN_PROCESS_TARGET,
    )


def _feature_under_load(
    group: ProcessGroup, workload: FeatureWorkload, supergraph: Path, settings: LoadSettings,
    work_dir: Path,
) -> VariantComparison:  # fmt: skip
    on, on_url = _start_router(group, FEATURES_ON, supergraph, _ROUTERS_PORT, work_dir)
    off, off_url = _start_router(group, FEATURES_OFF, supergraph, _ROUTERS_PORT + 1, work_dir)
    _register_apq(on_url, workload.query, workload.variables[0])
    posts = tuple(post_requests(workload.query, workload.variables))
    gets = tuple(apq_get_requests(workload.query, workload.variables))
    on_post, off_post = f"{FEATURES_ON.name}, POST", f"{FEATURES_OFF.name}, POST"
    on_get = f"{FEATURES_ON.name}, APQ hash by GET"
    targets = (
        LoadTarget(on_post, on_url, on, posts, variant_description(FEATURES_ON)),
        LoadTarget(off_post, off_url, off, posts, variant_description(FEATURES_OFF)),
        LoadTarget(on_get, on_url, on, gets, "same process as the POST row"),
    )
    pairs = (ComparedPair(on_post, off_post, FEATURE_COST_TARGET), ComparedPair(on_get, on_post))
    return compare_variants(
        f"feature cost: customer-360 over {len(workload.variables)} customers, project fleet "
        f"(PostgreSQL {workload.scale.label} orders)",
        targets, pairs, settings,
    )  # fmt: skip


def feature_cost(
    workload: FeatureWorkload,
    settings: LoadSettings,
    work_dir: Path,
    *,
    under_load: bool = True,
    in_process_requests: int = 300,
) -> CostResult:
    """Issue 12: limits + cost + APQ on vs all off, in-process then (``under_load``) by POST
    under autocannon, with APQ GET vs POST (all on); a part that fails is a note."""
    notes = []
    in_process = comparison = None
    with ProcessGroup(work_dir / "logs") as group:
        supergraph, sdl = _fleet_supergraph(
            group,
            workload,
            work_dir,
            _FEATURE_FLEET_PORT,
            "feature-fleet",
            _OPEN_ENVIRONMENT,
            access_control=False,
        )
        try:
            in_process = _feature_in_process(workload, sdl, in_process_requests)
        except _IN_PROCESS_FAILURES as error:
            notes.append(f"feature cost in-process failed: {str(error).strip()[:400]}")
        if under_load:
            comparison = _feature_under_load(group, workload, supergraph, settings, work_dir)
    return CostResult(in_process, comparison, tuple(notes))


class _SecuritySetup(NamedTuple):
    variants: tuple[RouterVariant, RouterVariant, RouterVariant]
    headers: dict[str, str]
    secret: str


def _security_setup(work_dir: Path) -> _SecuritySetup:
    issuer = JwtIssuer.generate()
    jwks = issuer.write_jwks(work_dir / "jwks.json")
    variants = security_variants(issuer.jwt_config(jwks), known=known_sections())
    token = issuer.token("bench-staff", STAFF_SCOPES)
    return _SecuritySetup(variants, bearer_headers(token), secrets.token_urlsafe(32))


class _Fleets(NamedTuple):
    open_graph: Path
    open_sdl: str
    secured_graph: Path
    secured_sdl: str


def _in_process(
    workload: FeatureWorkload, setup: _SecuritySetup, fleets: _Fleets, requests: int
) -> ConfigOverheadResult:
    off, on, _ = setup.variants
    environ = {IDENTITY_SECRET_ENV: setup.secret}
    open_sdl, secured_sdl = fleets.open_sdl, fleets.secured_sdl
    return measure_config_overhead(
        f"security cost: customer-360, staff bearer token, project fleet "
        f"({workload.scale.label} orders)",
        (
            AppVariant(off.name, _app(off, open_sdl, environ), {}, _names(open_sdl)),
            AppVariant(on.name, _app(on, secured_sdl, environ), setup.headers, _names(secured_sdl)),
            AppVariant(off.name + A_A_SUFFIX, _app(off, open_sdl, environ), {}, _names(open_sdl)),
        ),
        [{"query": workload.query, "variables": v} for v in workload.variables],
        requests=requests,
        target=SECURITY_COST_IN_PROCESS_TARGET,
    )


def _customer_answers(workload: FeatureWorkload, setup: _SecuritySetup, fleets: _Fleets) -> str:
    """What each side answers for the first customer: the PII fields, as a check that the
    secured side really masks (the staff token has no ``pii:read``) and the open one not."""
    off, on, _ = setup.variants
    environ = {IDENTITY_SECRET_ENV: setup.secret}
    body = orjson.dumps({"query": workload.query, "variables": workload.variables[0]})

    async def ask(variant: RouterVariant, sdl: str, headers: Mapping[str, str]) -> str:
        app = _app(variant, sdl, environ)
        async with running(app):
            response = await post_graphql(app, body, headers)
        customer = (orjson.loads(response.body).get("data") or {}).get("customer") or {}
        return f"name {customer.get('name')!r}, email {customer.get('email')!r}"

    open_answer = asyncio.run(ask(off, fleets.open_sdl, {}))
    secured_answer = asyncio.run(ask(on, fleets.secured_sdl, setup.headers))
    return f"customer {workload.variables[0]['id']}: {off.name}: {open_answer}; {on.name}: " + (
        secured_answer
    )


def _under_load(
    group: ProcessGroup, workload: FeatureWorkload, setup: _SecuritySetup, fleets: _Fleets,
    settings: LoadSettings, work_dir: Path,
) -> VariantComparison:  # fmt: skip
    off, on, uncached = setup.variants
    environ = {IDENTITY_SECRET_ENV: setup.secret}
    port = _ROUTERS_PORT + 5
    off_process, off_url = _start_router(group, off, fleets.open_graph, port, work_dir, environ)
    started = [
        _start_router(group, variant, fleets.secured_graph, port + offset, work_dir, environ)
        for offset, variant in ((1, on), (2, uncached))
    ]
    plain = tuple(post_requests(workload.query, workload.variables))
    with_token = tuple(post_requests(workload.query, workload.variables, setup.headers))
    targets = [LoadTarget(off.name, off_url, off_process, plain, variant_description(off))]
    for variant, (process, url) in zip((on, uncached), started, strict=True):
        description = variant_description(variant) + "; subgraphs with the identity secret"
        targets.append(LoadTarget(variant.name, url, process, with_token, description))
    pairs = (
        ComparedPair(on.name, off.name, SECURITY_COST_TARGET),
        ComparedPair(uncached.name, off.name),
    )
    return compare_variants(
        f"security cost: customer-360 over {len(workload.variables)} customers, staff "
        f"bearer token, project fleet (PostgreSQL {workload.scale.label} orders)",
        targets, pairs, settings,
    )  # fmt: skip


def security_cost(
    workload: FeatureWorkload,
    settings: LoadSettings,
    work_dir: Path,
    *,
    under_load: bool = True,
    in_process_requests: int = 300,
) -> CostResult:
    """Issue 11: in-process first, then (``under_load``) the routers under autocannon; a
    part that fails is a note, the other part still runs."""
    setup = _security_setup(work_dir)
    secured_env = {IDENTITY_SECRET_ENV: setup.secret, "OPS_MODE": "", **_TWO_FLEETS_POOL}
    open_env = {**_OPEN_ENVIRONMENT, **_TWO_FLEETS_POOL}
    notes = []
    in_process = comparison = None
    with ProcessGroup(work_dir / "logs") as group:
        fleets = _Fleets(
            *_fleet_supergraph(
                group,
                workload,
                work_dir,
                _OPEN_FLEET_PORT,
                "open-fleet",
                open_env,
                access_control=False,
            ),
            *_fleet_supergraph(
                group, workload, work_dir, _SECURED_FLEET_PORT, "secured-fleet", secured_env
            ),
        )
        try:
            in_process = _in_process(workload, setup, fleets, in_process_requests)
            answers = _customer_answers(workload, setup, fleets)
            in_process = in_process._replace(remarks=(answers,))
        except _IN_PROCESS_FAILURES as error:
            notes.append(f"security cost in-process failed: {str(error).strip()[:400]}")
        if under_load:
            comparison = _under_load(group, workload, setup, fleets, settings, work_dir)
    return CostResult(in_process, comparison, tuple(notes))


def _names(sdl: str) -> dict[str, str]:
    """Subgraph names by the ``host:port`` of their routing URL."""
    return {urlsplit(s.url).netloc: name for name, s in Supergraph.from_sdl(sdl).subgraphs.items()}


def _app(variant: RouterVariant, sdl: str, environ: dict[str, str]) -> Starlette:
    config = parse_config(variant.yaml_text(), source=variant.name, environ=environ)
    return app_from_config(config, sdl)
