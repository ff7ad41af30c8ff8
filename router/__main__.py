"""Command line: ``python -m router serve ...``, ``python -m router explain ...`` and
``python -m router keys ...`` (partner API keys, :mod:`router.security.keys_cli`),
``python -m router audit list`` (the audit log, :mod:`router.audit.cli`) and
``python -m router documents build|check`` (trusted documents, :mod:`router.documents_cli`).

``serve`` runs the HTTP server (uvicorn, with uvloop/httptools when installed) over a
supergraph file. A subgraph's URL is ``--subgraph-url name=URL``, else the environment
variable ``SUBGRAPH_URL_<NAME>``, else its routing URL in the supergraph; the URLs used
are logged at start-up. Web origins allowed to call it cross-origin come from
``--cors-origin`` or ``ROUTER_CORS_ORIGINS`` (comma-separated; ``localhost`` stands for
any port on this machine). ``explain`` prints the query plan of one operation
without contacting any subgraph; it exits 1 and prints the GraphQL errors when the
operation is not valid against the supergraph's API schema. ``serve --config router.yaml``
reads the router's configuration (:mod:`router.config`) and refuses to start when it is
invalid.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import re
import socket
import sys
from collections.abc import Callable, Mapping, Sequence
from functools import partial
from pathlib import Path

import orjson

from observability.logs import configure_logging
from observability.tracing import configure_tracing
from prefork.sockets import reuse_port_sockets
from prefork.supervisor import Supervisor, WorkerSlot
from router.audit.cli import add_audit_parser, run_audit
from router.audit.log import AuditLog
from router.authorization.access_table import access_table
from router.compression import DEFAULT_MIN_COMPRESS_BYTES
from router.config import RouterConfig, load_config
from router.cors import CorsPolicy
from router.csrf import CsrfPrevention
from router.documents_cli import add_documents_parser, run_documents
from router.graphiql import GraphiQLExample
from router.limits import LimitsConfig, OperationLimits
from router.operation_documents import OperationDocuments
from router.pipeline import Router
from router.rate_limit import RateLimiter
from router.request import GraphQLRequest, RequestError
from router.security.identity import Identity, IdentityKind
from router.security.keys_cli import add_keys_parser, run_keys
from router.security.middleware import security_from_config
from router.server import DEFAULT_BODY_TIMEOUT, create_app
from router.serving import ServerLimits, serve
from router.subgraph_client import DEFAULT_MAX_RESPONSE_BYTES, SubgraphClients
from router.supergraph import Supergraph
from router.supergraph_reload import SupergraphReloader

__all__ = [
    "build_parser",
    "default_workers",
    "environment_variable",
    "main",
    "parse_subgraph_urls",
    "subgraph_urls",
]

_log = logging.getLogger("router")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m router", description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser(
        "serve",
        help="serve GraphQL over HTTP (and GraphiQL)",
        description="Serve /graphql (GraphiQL for browsers) and /health. A request with the "
        "header 'X-Query-Plan: true' (or 'Apollo-Query-Plan-Experimental: 1') gets the "
        "query plan in extensions.queryPlan unless --no-query-plans is given.",
    )
    _add_supergraph(serve)
    serve.add_argument(
        "--config", type=Path, default=None, help="router.yaml (refuses to start when invalid)"
    )
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=4000)
    serve.add_argument(
        "--workers",
        type=_worker_count,
        default=default_workers(),
        help="processes serving the port, each with its own plan cache and subgraph pools "
        "(default: the cores this process may run on, here %(default)s; 1: no master process)",
    )
    serve.add_argument(
        "--subgraph-url",
        action="append",
        default=[],
        metavar="NAME=URL",
        help="override a subgraph's routing URL (repeatable; else SUBGRAPH_URL_<NAME>)",
    )
    serve.add_argument(
        "--cors-origin",
        action="append",
        default=[],
        metavar="ORIGIN",
        help="a web origin (scheme://host[:port]) allowed to call the router, or 'localhost' "
        "for any port on this machine (repeatable; default: ROUTER_CORS_ORIGINS, else none)",
    )
    serve.add_argument(
        "--graphiql-example",
        type=Path,
        default=None,
        metavar="FILE",
        help="a .graphql file GraphiQL opens with (a '# variables: {...}' line gives variables)",
    )
    serve.add_argument(
        "--gzip-min-bytes",
        type=int,
        default=DEFAULT_MIN_COMPRESS_BYTES,
        help="gzip responses this large or larger for clients that accept it",
    )
    serve.add_argument("--no-gzip", action="store_true", help="never compress responses")
    serve.add_argument("--timeout", type=float, default=10.0, help="subgraph timeout, seconds")
    serve.add_argument("--no-graphiql", action="store_true", help="do not serve GraphiQL")
    serve.add_argument(
        "--no-query-plans", action="store_true", help="ignore the query-plan request headers"
    )
    serve.add_argument(
        "--check-responses",
        action="store_true",
        help="check every response for selected fields missing or null without a reason; "
        "log each and add an error with code RESPONSE_COVERAGE_VIOLATION "
        "(default: the ROUTER_CHECK_COVERAGE environment variable, else off)",
    )
    _add_limits(serve)
    serve.add_argument(
        "--shutdown-grace",
        type=float,
        default=ServerLimits().shutdown_grace,
        help="on SIGTERM, seconds in-flight requests may take to finish (then cancelled)",
    )
    serve.add_argument(
        "--reload-poll-seconds",
        type=float,
        default=1.0,
        help="how often the supergraph file is checked for changes (0: only on SIGHUP)",
    )
    serve.add_argument("--log-level", default="info")
    serve.add_argument("--no-access-log", action="store_true", help="do not log each request")

    explain = commands.add_parser("explain", help="print the query plan of an operation")
    _add_supergraph(explain)
    explain.add_argument("operation", metavar="QUERY_OR_FILE", help="operation text, file or -")
    explain.add_argument("--operation-name", default=None)
    explain.add_argument("--variables", default=None, help="variables as a JSON object")
    access = commands.add_parser(
        "access-table", help="print docs/access.md: every type and field with its requirement"
    )
    _add_supergraph(access)
    add_keys_parser(commands)
    add_audit_parser(commands)
    add_documents_parser(commands)
    return parser


def _add_limits(parser: argparse.ArgumentParser) -> None:
    limits = parser.add_argument_group(
        "limits",
        "what one request may cost (0 turns an operation limit off; unset: router.yaml's "
        "limits section, else the defaults)",
    )
    defaults = OperationLimits()
    for name in _LIMIT_NAMES:
        flag = "--" + name.replace("_", "-")
        limits.add_argument(flag, type=int, default=None, help=f"default {getattr(defaults, name)}")
    limits.add_argument(
        "--max-response-bytes",
        type=int,
        default=DEFAULT_MAX_RESPONSE_BYTES,
        help="subgraph response bytes one request may receive",
    )
    limits.add_argument(
        "--request-timeout", type=float, default=30.0, help="seconds in subgraphs per request"
    )
    server = ServerLimits()
    limits.add_argument("--header-timeout", type=float, default=server.header_timeout)
    limits.add_argument("--body-timeout", type=float, default=DEFAULT_BODY_TIMEOUT)
    limits.add_argument("--keep-alive-timeout", type=float, default=server.keep_alive_timeout)
    limits.add_argument("--max-concurrency", type=int, default=server.max_concurrency)


_LIMIT_NAMES = (
    "max_tokens",
    "max_depth",
    "max_aliases",
    "max_root_fields",
    "max_recursive_selections",
    "max_document_bytes",
)


def _operation_limits(args: argparse.Namespace, config: LimitsConfig) -> OperationLimits:
    """A flag given wins over router.yaml; 0 (or null in the file) turns a limit off."""
    values = {}
    for name in _LIMIT_NAMES:
        flag = getattr(args, name, None)
        values[name] = (flag if flag is not None else getattr(config, name)) or None
    return OperationLimits(**values, warn_only=config.warn_only)


def _add_supergraph(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--supergraph", required=True, type=Path, help="supergraph SDL file")


def parse_subgraph_urls(values: Sequence[str]) -> dict[str, str]:
    """Turn ``name=URL`` arguments into a mapping; raises ValueError on a malformed one."""
    urls = {}
    for value in values:
        name, sep, url = value.partition("=")
        if not sep or not name or not url:
            raise ValueError(f"--subgraph-url expects NAME=URL, got {value!r}")
        urls[name] = url
    return urls


def environment_variable(name: str) -> str:
    """``SUBGRAPH_URL_<NAME>``, the variable the subgraphs read for their peers too."""
    return "SUBGRAPH_URL_" + re.sub(r"[^A-Z0-9]", "_", name.upper())


def subgraph_urls(
    names: Sequence[str], flags: Sequence[str], environ: Mapping[str, str]
) -> dict[str, str]:
    """Overrides of the supergraph's routing URLs: ``--subgraph-url`` over the environment.
    A flag naming no subgraph of the supergraph is an error (a typo would be ignored)."""
    urls = {
        name: environ[environment_variable(name)]
        for name in names
        if environ.get(environment_variable(name))
    }
    flagged = parse_subgraph_urls(flags)
    unknown = sorted(set(flagged) - set(names))
    if unknown:
        raise ValueError(
            f"--subgraph-url names {', '.join(unknown)}, not in the supergraph "
            f"(its subgraphs: {', '.join(names)})"
        )
    return {**urls, **flagged}


def default_workers() -> int:
    """The cores this process may run on (``taskset`` narrows them)."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def _worker_count(text: str) -> int:
    count = int(text)
    if count < 1:
        raise argparse.ArgumentTypeError(f"at least 1 worker, not {count}")
    return count


def _serve(args: argparse.Namespace) -> int:
    """One process (``--workers 1``), or a pre-fork master (:mod:`prefork`) whose workers
    each build and serve their own app; the configuration and the supergraph are checked
    here first, so a bad one stops the start-up before any worker is forked."""
    config = load_config(args.config) if args.config else RouterConfig()
    level = logging.getLevelName(args.log_level.upper())
    log_format = config.telemetry.logging.format
    configure_logging(level if isinstance(level, int) else logging.DEBUG, log_format)
    sdl = args.supergraph.read_text(encoding="utf-8")
    names = list(Supergraph.from_sdl(sdl).subgraphs)
    subgraph_urls(names, args.subgraph_url, os.environ)
    if args.workers == 1:
        return _serve_worker(args, config, sdl, names, None)
    sockets = reuse_port_sockets(args.host, args.port, args.workers)
    _log.info("router master (pid %d): %d workers on port %d", os.getpid(), args.workers, args.port)

    def worker(slot: WorkerSlot) -> int:
        return _serve_worker(args, config, sdl, names, slot.socket)

    return Supervisor(sockets, worker).run()


def _serve_worker(
    args: argparse.Namespace,
    config: RouterConfig,
    sdl: str,
    names: list[str],
    sock: socket.socket | None,
) -> int:
    """Build and serve the app (in each worker: the tracer's export thread, the plan
    cache and the pools are the worker's own)."""
    tracing = config.telemetry.tracing.settings()
    if tracing is not None:
        configure_tracing(tracing)

    def build(sdl: str, clients: SubgraphClients | None = None) -> Router:
        return Router.from_supergraph_sdl(
            sdl,
            subgraph_urls=subgraph_urls(names, args.subgraph_url, os.environ),
            timeout=args.timeout,
            response_checks="report" if args.check_responses else None,
            limits=_operation_limits(args, config.limits),
            max_response_bytes=args.max_response_bytes,
            request_timeout=args.request_timeout,
            demand_control=config.demand_control,
            traffic_shaping=config.traffic_shaping,
            authorization=config.authorization,
            clients=clients,
        )

    if sock is not None:  # a worker, maybe a replacement forked after a reload
        router, sdl = _current_router(build, args.supergraph, sdl)
    else:
        router = build(sdl)
    reloader = SupergraphReloader(
        args.supergraph,
        router,
        partial(build, clients=router.clients),
        loaded_sdl=sdl,
        poll_seconds=args.reload_poll_seconds,
    )
    cors = CorsPolicy.parse([*args.cors_origin] or [os.environ.get("ROUTER_CORS_ORIGINS", "")])
    example = GraphiQLExample.from_file(args.graphiql_example) if args.graphiql_example else None
    app = create_app(
        router,
        graphiql=not args.no_graphiql and config.enables(config.graphiql),
        query_plans=not args.no_query_plans and config.enables(config.query_plans),
        body_timeout=args.body_timeout,
        cors=cors,
        compress_min_bytes=None if args.no_gzip else args.gzip_min_bytes,
        graphiql_example=example,
        security=security_from_config(config),
        rate_limiter=RateLimiter.from_config(config.rate_limits),
        documents=OperationDocuments.from_config(config.apq, config.trusted_documents),
        csrf=CsrfPrevention.from_config(config.csrf),
        security_headers=config.security_headers,
        batching=config.batching,
        introspection=config.enables(config.introspection),
        audit=_audit_log(config),
        reloader=reloader,
        telemetry=config.telemetry,
        access_log=not args.no_access_log,
        subscriptions=config.subscriptions,
    )
    listed = ", ".join(f"{name}={url}" for name, url in router.clients.urls.items())
    _log.info(
        "router on http://%s:%s/graphql (pid %d); subgraphs: %s",
        args.host, args.port, os.getpid(), listed,
    )  # fmt: skip
    limits = ServerLimits(
        args.header_timeout, args.keep_alive_timeout, args.max_concurrency, args.shutdown_grace
    )
    serve(
        app,
        args.host,
        args.port,
        limits,
        sock=sock,
        log_level=args.log_level,
        access_log=False,  # router.access is the access log (uvicorn's shows the URL: variables)
        log_config=None,  # configure_logging's handler
    )
    return 0


def _current_router(
    build: Callable[[str], Router], path: Path, checked_sdl: str
) -> tuple[Router, str]:
    """The router of the supergraph file as it is now (it may have been reloaded since the
    master read it), else of the one the master checked at start-up."""
    try:
        sdl = path.read_text(encoding="utf-8")
        if sdl != checked_sdl:
            return build(sdl), sdl
    except Exception as error:  # the file changed into something that cannot serve
        _log.error("%s cannot serve (%s); serving the supergraph checked at start-up", path, error)
    return build(checked_sdl), checked_sdl


def _audit_log(config: RouterConfig) -> AuditLog | None:
    if not config.audit.enabled:
        return None
    return AuditLog.from_config(config.audit, config.api_keys.database_url)


def _read_operation(argument: str) -> str:
    if argument == "-":
        return sys.stdin.read()
    path = Path(argument)
    if "{" not in argument and path.is_file():
        return path.read_text(encoding="utf-8")
    return argument


def _explain(args: argparse.Namespace) -> int:
    router = Router.from_supergraph_sdl(args.supergraph.read_text(encoding="utf-8"))
    try:
        return _print_plan(router, args)
    finally:
        asyncio.run(router.aclose())


def _print_plan(router: Router, args: argparse.Namespace) -> int:
    variables = orjson.loads(args.variables) if args.variables else None
    if variables is not None and not isinstance(variables, dict):
        raise ValueError("--variables must be a JSON object")
    request = GraphQLRequest(
        query=_read_operation(args.operation),
        operation_name=args.operation_name,
        variables=variables,
    )
    # the plan of a caller holding every scope the supergraph mentions (explain shows
    # plans, never data)
    requirements = router.authorizer.requirements
    scopes = {"staff"}.union(
        *(r.scope_names() for r in (*requirements.types.values(), *requirements.fields.values()))
    )
    prepared = router.prepare(
        request, Identity(IdentityKind.USER, subject="explain", scopes=frozenset(scopes))
    )
    if isinstance(prepared, RequestError):
        for error in prepared.errors:
            print(f"error: {error.get('message')}", file=sys.stderr)
        return 1
    print(router.explain(prepared))
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        if args.command == "serve":
            return _serve(args)
        if args.command == "documents":
            return run_documents(args, sys.stdout)
        if args.command == "access-table":
            sys.stdout.write(access_table(args.supergraph.read_text(encoding="utf-8")))
            return 0
        if args.command == "keys":
            config = load_config(args.config) if args.config else RouterConfig()
            return run_keys(args, args.database_url or config.api_keys.database_url, sys.stdout)
        if args.command == "audit":
            config = load_config(args.config) if args.config else RouterConfig()
            url = args.database_url or config.audit.database_url or config.api_keys.database_url
            return run_audit(args, url, sys.stdout)
        return _explain(args)
    except (OSError, ValueError) as error:
        parser.exit(2, f"{parser.prog}: error: {error}\n")


if __name__ == "__main__":
    sys.exit(main())
