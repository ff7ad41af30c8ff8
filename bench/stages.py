"""The stages of a run. Each one adds its measurements to the results, or a note saying
why it was skipped or what failed, so one broken piece never hides the others' numbers."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from bench.data_layer import (
    customers_with_orders,
    measure_customer_360,
    subgraph_statements,
)
from bench.databases import SCALES, DataScale, SeedError, ensure_seeded, sqlalchemy_url
from bench.environment import BENCH_DIR, missing_peers_reason
from bench.fault import measure_fault
from bench.feature_stages import CostResult, FeatureWorkload, feature_cost, security_cost
from bench.fleets import (
    FLEET_SUPERGRAPH,
    project_supergraph,
    rewrite_routing_urls,
    start_node_fleet,
    start_project_subgraph,
    start_project_subgraphs,
    write_supergraph,
)
from bench.hostile_mix import measure_hostile_mix
from bench.load import LoadError, RequestBody
from bench.overhead import measure_overhead
from bench.peer_supergraph import without_access_control
from bench.processes import ProcessGroup, StartupError
from bench.profile import profile_under_load, py_spy_executable
from bench.report import RunResults
from bench.routers import OURS, LoadSettings, compare_routers
from bench.telemetry_cost import telemetry_cost
from bench.workers_scaling import measure_workers
from router.request import GraphQLRequest

__all__ = ["FLEET_QUERIES", "PROJECT_QUERY", "STAGES", "RunPlan", "Stage", "run_stages"]

FLEET_QUERIES = BENCH_DIR / "queries" / "fleet"  # the mix; the last one spans all four
PROJECT_QUERY = BENCH_DIR / "queries" / "customer-360.graphql"
_EXPECTED_FAILURES = (StartupError, LoadError, SeedError, RuntimeError, ValueError, OSError)

# Ports (all in 14700-14899): fleets, the routers compared, profiling, the data layer.
NODE_FLEET_PORT = 14701
NODE_ROUTERS_PORT = 14710
PROFILE_PORT = 14715
PROJECT_FLEET_PORT = 14720
PROJECT_ROUTERS_PORT = 14730
DATA_LAYER_PORT = 14760
HOSTILE_MIX_PORT = 14740
WORKERS_PORT = 14780  # and 14781
FAULT_FLEET_PORT = 14790  # 14790-14794, the router on 14799
FAULT_ROUTER_PORT = 14799
FAULT_SUBGRAPH = "marketing"  # customer-360's recommendations: the rest still answers


@dataclass(frozen=True, slots=True)
class RunPlan:
    settings: LoadSettings
    work_dir: Path
    scales: Sequence[DataScale] = SCALES
    profile: bool = True
    data_requests: int = 200
    what_if: bool = True


def _profile_ours(
    plan: RunPlan, supergraph: Path, bodies: Sequence[RequestBody], results: RunResults
) -> None:
    if py_spy_executable() is None:
        results.notes.append("profile skipped: py-spy is not installed")
        return
    with ProcessGroup(plan.work_dir / "logs") as group:
        process = OURS.start(group, supergraph, PROFILE_PORT, "profile")
        url = f"http://127.0.0.1:{PROFILE_PORT}/graphql"
        results.profile = profile_under_load(
            process.pid, url, bodies, connections=plan.settings.connections,
            duration=plan.settings.duration, output=plan.work_dir / "profile.txt",
        )  # fmt: skip


def _node_fleet(plan: RunPlan, results: RunResults) -> None:
    queries = sorted(FLEET_QUERIES.glob("*.graphql"))
    bodies = [{"query": path.read_text(encoding="utf-8")} for path in queries]
    with ProcessGroup(plan.work_dir / "logs") as group:
        urls = start_node_fleet(group, NODE_FLEET_PORT)
        sdl = rewrite_routing_urls(FLEET_SUPERGRAPH.read_text(encoding="utf-8"), urls)
        supergraph = write_supergraph(plan.work_dir, "node-fleet", sdl)
        request = GraphQLRequest(query=bodies[-1]["query"])
        results.overheads.append(measure_overhead("Node fleet (spanning)", sdl, request))
        results.comparisons.append(compare_routers(
            f"Node fleet (mix of {len(bodies)} queries, 4 subgraphs)", supergraph, bodies,
            plan.settings, log_dir=plan.work_dir / "logs", base_port=NODE_ROUTERS_PORT,
            label="node-fleet",
        ))  # fmt: skip
        if plan.profile:
            try:
                _profile_ours(plan, supergraph, bodies, results)
            except _EXPECTED_FAILURES as error:
                results.notes.append(f"profile failed: {_first_lines(error)}")


def _workers(plan: RunPlan, results: RunResults) -> None:
    queries = sorted(FLEET_QUERIES.glob("*.graphql"))
    bodies = [{"query": path.read_text(encoding="utf-8")} for path in queries]
    with ProcessGroup(plan.work_dir / "logs") as group:
        urls = start_node_fleet(group, NODE_FLEET_PORT)
        sdl = rewrite_routing_urls(FLEET_SUPERGRAPH.read_text(encoding="utf-8"), urls)
        fleet_pid = group.processes[-1].pid
        supergraph = write_supergraph(plan.work_dir, "workers", sdl)
        results.workers.append(measure_workers(
            f"Node fleet (mix of {len(bodies)} queries)", supergraph, bodies, plan.settings,
            log_dir=plan.work_dir / "logs", base_port=WORKERS_PORT, fleet_pid=fleet_pid,
        ))  # fmt: skip


def _fault(plan: RunPlan, results: RunResults) -> None:
    scale = plan.scales[0]
    asyncio.run(ensure_seeded(scale))
    query = PROJECT_QUERY.read_text(encoding="utf-8")
    ids = asyncio.run(customers_with_orders(scale.database, minimum=10, limit=200))
    bodies = [{"query": query, "variables": {"id": customer_id}} for customer_id in ids]
    database_url = sqlalchemy_url(scale.database)
    with ProcessGroup(plan.work_dir / "logs") as group:
        fleet = start_project_subgraphs(group, FAULT_FLEET_PORT, database_url, "fault")
        sdl = without_access_control(project_supergraph(fleet.urls))
        supergraph = write_supergraph(plan.work_dir, "fault", sdl)
        OURS.start(group, supergraph, FAULT_ROUTER_PORT, "fault")

        def restart() -> None:
            start_project_subgraph(
                group, fleet.urls, FAULT_SUBGRAPH, database_url, f"fault-{FAULT_SUBGRAPH}-back"
            )

        results.faults.append(measure_fault(
            f"http://127.0.0.1:{FAULT_ROUTER_PORT}/graphql", bodies, subgraph=FAULT_SUBGRAPH,
            pid=fleet.pids[FAULT_SUBGRAPH], restart=restart,
        ))  # fmt: skip


def _project_fleet(plan: RunPlan, results: RunResults) -> None:
    scale = plan.scales[0]
    asyncio.run(ensure_seeded(scale))
    query = PROJECT_QUERY.read_text(encoding="utf-8")
    # Many distinct customers, so that concurrent identical requests stay rare (Hive Gateway
    # deduplicates in-flight identical requests; real traffic seldom repeats that fast).
    ids = asyncio.run(customers_with_orders(scale.database, minimum=10, limit=200))
    bodies = [{"query": query, "variables": {"id": customer_id}} for customer_id in ids]
    if not bodies:
        raise ValueError(f"{scale.database} has no customer with 10 orders")
    with ProcessGroup(plan.work_dir / "logs") as group:
        urls = start_project_subgraphs(
            group, PROJECT_FLEET_PORT, sqlalchemy_url(scale.database), "project"
        ).urls
        # routing compared, not access control (Apollo Gateway has none; security-cost
        # measures it): every contender gets the supergraph without the access directives
        sdl = without_access_control(project_supergraph(urls))
        supergraph = write_supergraph(plan.work_dir, "project-fleet", sdl)
        request = GraphQLRequest(query=query, variables={"id": ids[0]})
        results.overheads.append(
            measure_overhead(f"project fleet ({scale.label} orders)", sdl, request)
        )
        results.comparisons.append(compare_routers(
            f"project fleet (customer-360 over {len(ids)} customers, 5 subgraphs, "
            f"PostgreSQL {scale.label} orders)",
            supergraph, bodies, plan.settings,
            log_dir=plan.work_dir / "logs", base_port=PROJECT_ROUTERS_PORT, label="project",
            count_statements=lambda: subgraph_statements(urls),
        ))  # fmt: skip
        print("bench: hostile mix ...", flush=True)
        try:
            results.hostile_mixes.append(measure_hostile_mix(
                f"customer-360, project fleet ({scale.label} orders)", supergraph, bodies,
                plan.settings, target=("Customer", f'customer(id: "{ids[0]}")', "id"),
                log_dir=plan.work_dir / "logs", port=HOSTILE_MIX_PORT,
            ))  # fmt: skip
        except _EXPECTED_FAILURES as error:
            results.notes.append(f"hostile mix failed: {_first_lines(error)}")


def _feature_cost(plan: RunPlan, results: RunResults) -> None:
    workload = FeatureWorkload.load(plan.scales[0])
    missing = missing_peers_reason()
    _record(results, feature_cost(workload, plan.settings, plan.work_dir, under_load=not missing))
    if missing:
        results.notes.append(f"feature cost under load skipped (in-process only): {missing}")


def _record(results: RunResults, cost: CostResult) -> None:
    if cost.in_process is not None:
        results.config_overheads.append(cost.in_process)
    if cost.under_load is not None:
        results.variant_comparisons.append(cost.under_load)
    results.notes.extend(cost.notes)


def _security_cost(plan: RunPlan, results: RunResults) -> None:
    workload = FeatureWorkload.load(plan.scales[0])
    missing = missing_peers_reason()
    _record(results, security_cost(workload, plan.settings, plan.work_dir, under_load=not missing))
    if missing:
        results.notes.append(f"security cost under load skipped (in-process only): {missing}")


def _telemetry_cost(plan: RunPlan, results: RunResults) -> None:
    workload = FeatureWorkload.load(plan.scales[0])
    _record(results, telemetry_cost(workload, plan.work_dir))


def _data_layer(plan: RunPlan, results: RunResults) -> None:
    query = PROJECT_QUERY.read_text(encoding="utf-8")
    for scale in plan.scales:
        print(f"bench: data layer at {scale.label} orders ...", flush=True)
        try:
            seconds = asyncio.run(ensure_seeded(scale))
            if seconds is not None:
                results.notes.append(f"seeded {scale.database} in {seconds:.0f} s (reused later)")
            results.data_layer.append(measure_customer_360(
                scale, query, log_dir=plan.work_dir / "logs",
                base_port=DATA_LAYER_PORT, requests=plan.data_requests,
            ))  # fmt: skip
        except _EXPECTED_FAILURES as error:
            results.notes.append(f"data layer at {scale.label} failed: {_first_lines(error)}")
    if plan.what_if and results.data_layer:
        _what_if(plan, results, plan.scales[-1], query)


Stage = Callable[[RunPlan, RunResults], None]
# name: (what it measures, the stage, whether it needs Node for autocannon), in run order
STAGES: dict[str, tuple[str, Stage, bool]] = {
    "node-fleet": ("Node fleet", _node_fleet, True),
    "project-fleet": ("project fleet", _project_fleet, True),
    "workers": ("router workers (1 and 2 processes)", _workers, True),
    "fault": ("fault: a subgraph killed under load", _fault, False),
    "feature-cost": ("feature cost (limits, demand control, APQ)", _feature_cost, False),
    "security-cost": ("security cost (JWT, identity, authorization)", _security_cost, False),
    "telemetry-cost": ("telemetry cost (metrics, access log, tracing)", _telemetry_cost, False),
    "data-layer": ("data layer", _data_layer, False),
}


def run_stages(plan: RunPlan, results: RunResults, names: Sequence[str] = tuple(STAGES)) -> None:
    """Run the stages ``names`` (in :data:`STAGES` order); a failure becomes a note."""
    missing = missing_peers_reason()
    for name, (title, stage, needs_node) in STAGES.items():
        if name not in names:
            continue
        if needs_node and missing:
            results.notes.append(f"{title} skipped (needs the load generator): {missing}")
            continue
        print(f"bench: {title} ...", flush=True)
        try:
            stage(plan, results)
        except _EXPECTED_FAILURES as error:
            results.notes.append(f"{title} failed: {_first_lines(error)}")


def _what_if(plan: RunPlan, results: RunResults, scale: DataScale, query: str) -> None:
    """The largest scale again with tuned subgraph processes (see bench.counted_subgraph)."""
    print(f"bench: data layer at {scale.label} orders, tuned what-if ...", flush=True)
    try:
        results.data_layer.append(measure_customer_360(
            scale, query, log_dir=plan.work_dir / "logs", base_port=DATA_LAYER_PORT,
            requests=plan.data_requests, tuned=True,
        ))  # fmt: skip
    except _EXPECTED_FAILURES as error:
        results.notes.append(f"tuned what-if failed: {_first_lines(error)}")


def _first_lines(error: BaseException, count: int = 4) -> str:
    return " / ".join(str(error).strip().splitlines()[:count])
