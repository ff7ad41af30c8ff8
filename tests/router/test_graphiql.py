"""GraphiQL works offline: the page only loads router-served assets, and (when Chromium is
installed) a headless browser with every non-loopback connection blocked opens the
platform's GraphiQL on its customer-360 example, with the headers editor showing, loads
the schema and runs the example. The screenshot lands in ``var/graphiql.png`` (copy it to
``docs/graphiql-offline.png`` when the page changes)."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import itertools
import re
import socket
import subprocess
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.routing import Mount
from websockets.asyncio.client import ClientConnection, connect

from models.database import Database
from models.seed import generate
from platform_cli.dev import EXAMPLE_OPERATION
from router.graphiql import (
    CONTENT_SECURITY_POLICY,
    DEFAULT_HEADERS,
    STATIC_DIRECTORY,
    STATIC_FILES,
    GraphiQLExample,
    render_graphiql_page,
)
from router.pipeline import Router
from router.server import create_app
from subgraphs.registry import DOMAINS
from tests.conftest import TEST_SCALE
from tests.fleet.apps import fleet_transport
from tests.project_access import STAFF_HEADERS, project_platform, router_client

REPOSITORY = Path(__file__).resolve().parents[2]
SUPERGRAPH = REPOSITORY / "tests" / "fixtures" / "fleet" / "supergraph.graphql"
PLATFORM_SUPERGRAPH = REPOSITORY / "schema.graphql"
SCREENSHOT = REPOSITORY / "var" / "graphiql.png"
CHROMIUM = Path("/usr/bin/chromium")
PORT_RANGE = range(15760, 15780)
QUERY = "{ topProducts { name price inStock reviews { body author { username } } } }"


def fleet_router() -> Router:
    return Router.from_supergraph_sdl(
        SUPERGRAPH.read_text(encoding="utf-8"), transport=fleet_transport()
    )


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(fleet_router())
    transport = httpx.ASGITransport(app=app)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=transport, base_url="http://router") as client,
    ):
        yield client


def test_page_references_only_router_assets() -> None:
    page = render_graphiql_page(endpoint="/graphql", static_prefix="/graphiql/static/")
    urls = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert urls == [
        "data:,",
        "/graphiql/static/graphiql.min.css",
        "/graphiql/static/react.production.min.js",
        "/graphiql/static/react-dom.production.min.js",
        "/graphiql/static/graphiql.min.js",
        "/graphiql/static/graphiql-init.js",
    ]
    assert "http://" not in page
    assert "https://" not in page
    assert "<script>" not in page  # no inline script: the CSP forbids it


def test_page_escapes_its_parameters() -> None:
    page = render_graphiql_page(endpoint='/g"><script>', static_prefix="/s", title="<b>")
    assert '/g"><script>' not in page
    assert "<title>&lt;b&gt;</title>" in page


def test_vendored_assets_exist_with_versions_recorded() -> None:
    versions = (STATIC_DIRECTORY / "VERSIONS.md").read_text(encoding="utf-8")
    for name in STATIC_FILES:
        assert (STATIC_DIRECTORY / name).stat().st_size > 0
        assert f"`{name}`" in versions
    for licence in ("LICENSE.graphiql", "LICENSE.react", "LICENSE.react-dom"):
        assert "MIT License" in (STATIC_DIRECTORY / licence).read_text(encoding="utf-8")


def test_stylesheet_loads_nothing_remote() -> None:
    css = (STATIC_DIRECTORY / "graphiql.min.css").read_text(encoding="utf-8")
    remote = [url for url in re.findall(r"url\(([^)]*)\)", css) if "//" in url.split(",")[0]]
    assert remote == []


@pytest.mark.parametrize(
    ("name", "content_type"),
    [
        ("graphiql.min.css", "text/css"),
        ("graphiql.min.js", "javascript"),
        ("react.production.min.js", "javascript"),
        ("react-dom.production.min.js", "javascript"),
        ("graphiql-init.js", "javascript"),
    ],
)
async def test_assets_are_served_with_their_content_type(
    client: httpx.AsyncClient, name: str, content_type: str
) -> None:
    response = await client.get(f"/graphiql/static/{name}")
    assert response.status_code == 200
    assert content_type in response.headers["content-type"]
    assert response.content == (STATIC_DIRECTORY / name).read_bytes()


async def test_unknown_asset_is_404(client: httpx.AsyncClient) -> None:
    response = await client.get("/graphiql/static/../server.py")
    assert response.status_code == 404


async def test_graphql_endpoint_serves_the_page_to_browsers(client: httpx.AsyncClient) -> None:
    response = await client.get("/graphql", headers={"accept": "text/html"})
    assert response.status_code == 200
    assert response.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    assert '<div id="graphiql" data-endpoint="/graphql">' in response.text


def test_the_example_goes_into_data_attributes_escaped() -> None:
    example = GraphiQLExample(query='query A { f(s: "<b>&") }', variables='{"id": "1"}')
    page = render_graphiql_page(endpoint="/graphql", static_prefix="/s", example=example)
    assert 'data-default-query="query A { f(s: &quot;&lt;b&gt;&amp;&quot;) }"' in page
    assert 'data-default-variables="{&quot;id&quot;: &quot;1&quot;}"' in page
    assert "data-default-headers=" in page
    plain = render_graphiql_page(endpoint="/graphql", static_prefix="/s")
    assert "data-default-" not in plain


def test_the_platform_example_is_customer_360() -> None:
    example = GraphiQLExample.from_file(EXAMPLE_OPERATION)
    assert "query Customer360($id: ID!)" in example.query
    assert "# variables" not in example.query
    assert example.variables == '{"id": "3"}'
    assert example.headers == DEFAULT_HEADERS


async def test_the_dev_platform_page_carries_the_example(database: Database) -> None:
    databases = {name: database for name in DOMAINS}
    async with (
        project_platform(databases, PLATFORM_SUPERGRAPH.read_text()) as platform,
        router_client(platform.router_app) as client,
    ):
        page = await client.get("/graphql", headers={"accept": "text/html"})
    assert 'data-default-query="# Customer 360' in page.text
    assert 'data-default-variables="{&quot;id&quot;: &quot;3&quot;}"' in page.text


async def test_page_urls_follow_a_mount_prefix() -> None:
    router = fleet_router()
    outer = Starlette(routes=[Mount("/api", app=create_app(router))])
    transport = httpx.ASGITransport(app=outer)
    async with httpx.AsyncClient(transport=transport, base_url="http://router") as client:
        page = await client.get("/api/graphql", headers={"accept": "text/html"})
        script = await client.get("/api/graphiql/static/graphiql-init.js")
    await router.aclose()
    assert 'data-endpoint="/api/graphql"' in page.text
    assert 'src="/api/graphiql/static/graphiql.min.js"' in page.text
    assert script.status_code == 200


# --- headless Chromium, network closed -------------------------------------------------


def free_ports(count: int) -> list[int]:
    ports = []
    for port in PORT_RANGE:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) != 0:
                ports.append(port)
        if len(ports) == count:
            return ports
    raise RuntimeError(f"no free port in {PORT_RANGE}")


@contextlib.asynccontextmanager
async def live_server(app: Starlette, port: int) -> AsyncIterator[str]:
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", ws="none")
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    while not server.started:
        assert not task.done(), "uvicorn did not start"
        await asyncio.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task


@contextlib.contextmanager
def headless_chromium(port: int, profile: Path) -> Iterator[str]:
    """Start Chromium with DevTools on ``port``; every proxied (non-loopback) URL fails."""
    arguments = [
        str(CHROMIUM),
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--no-first-run",
        "--no-default-browser-check",
        f"--user-data-dir={profile}",
        "--proxy-server=127.0.0.1:9",
        "--proxy-bypass-list=127.0.0.1",
        "--window-size=1280,800",
        f"--remote-debugging-port={port}",
        "about:blank",
    ]
    log = profile.with_suffix(".log")
    with log.open("wb") as stderr:
        process = subprocess.Popen(arguments, stdout=subprocess.DEVNULL, stderr=stderr)
    try:
        yield _devtools_url(log, process)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _devtools_url(log: Path, process: subprocess.Popen[bytes]) -> str:
    """Chromium prints ``DevTools listening on ws://...`` on stderr once it is ready."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        found = re.search(r"DevTools listening on (ws://\S+)", log.read_text(errors="replace"))
        if found:
            return found.group(1)
        assert process.poll() is None, f"chromium exited: {log.read_text(errors='replace')}"
        time.sleep(0.1)
    raise TimeoutError("chromium did not open its DevTools port")


class DevToolsPage:
    """A minimal Chrome DevTools Protocol client for one page (flattened session)."""

    def __init__(self, connection: ClientConnection) -> None:
        self._connection = connection
        self._ids = itertools.count(1)
        self._session: str | None = None
        self.events: list[dict[str, Any]] = []

    async def send(self, method: str, **params: Any) -> dict[str, Any]:
        message_id = next(self._ids)
        message: dict[str, Any] = {"id": message_id, "method": method, "params": params}
        if self._session is not None:
            message["sessionId"] = self._session
        await self._connection.send(orjson.dumps(message).decode())
        while True:
            reply = orjson.loads(await self._connection.recv())
            if reply.get("id") != message_id:
                self.events.append(reply)
                continue
            assert "error" not in reply, reply["error"]
            result: dict[str, Any] = reply["result"]
            return result

    async def open(self) -> None:
        target = await self.send("Target.createTarget", url="about:blank")
        attached = await self.send(
            "Target.attachToTarget", targetId=target["targetId"], flatten=True
        )
        self._session = attached["sessionId"]
        for domain in ("Page", "Network", "Runtime", "Log"):
            await self.send(f"{domain}.enable")

    async def evaluate(self, expression: str) -> Any:
        """The value of ``expression``, awaited when it is a promise."""
        reply = await self.send(
            "Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True
        )
        return reply["result"].get("value")

    async def wait_for(self, expression: str, timeout: float = 30.0) -> Any:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            value = await self.evaluate(expression)
            if value:
                return value
            await asyncio.sleep(0.2)
        raise TimeoutError(f"never true: {expression}")

    def requested_urls(self) -> list[str]:
        return [
            event["params"]["request"]["url"]
            for event in self.events
            if event.get("method") == "Network.requestWillBeSent"
        ]

    def console_errors(self) -> list[str]:
        texts = []
        for event in self.events:
            if event.get("method") == "Log.entryAdded":
                entry = event["params"]["entry"]
                if entry["level"] == "error":
                    texts.append(f"{entry.get('url', '')}: {entry['text']}")
            elif event.get("method") == "Runtime.exceptionThrown":
                texts.append(str(event["params"]["exceptionDetails"]))
        return texts


def _text_of(selector: str) -> str:
    return f"((document.querySelector({orjson.dumps(selector).decode()}) || {{}}).innerText || '')"


async def _cross_origin_post(page: DevToolsPage, base_url: str) -> Any:
    """A JSON POST from a page on ``127.0.0.1`` to the router as ``localhost``: another
    origin, so Chromium sends a CORS preflight first and fails the fetch unless the router
    allows the page's origin (the dev platform allows every localhost origin)."""
    await page.send("Page.navigate", url=f"{base_url}/health")
    await page.wait_for("document.body && document.body.innerText.includes('ok')")
    other = base_url.replace("127.0.0.1", "localhost")
    return await page.evaluate(
        f"fetch('{other}/graphql', {{method: 'POST', headers: {{'content-type': "
        f"'application/json', 'authorization': '{STAFF_HEADERS['authorization']}'}}, "
        "body: JSON.stringify({query: "
        "'{ customer(id: \"3\") { id } }'})}).then(r => r.text(), e => 'failed: ' + e)"
    )


def _editor_text(selector: str) -> str:
    """The whole text of the CodeMirror editor under ``selector``."""
    found = f"document.querySelector({orjson.dumps(selector + ' .CodeMirror').decode()})"
    return f"({found} && {found}.CodeMirror.getValue()) || ''"


@pytest.mark.skipif(not CHROMIUM.exists(), reason="needs /usr/bin/chromium")
async def test_graphiql_opens_on_customer_360_with_the_network_closed(
    tmp_path: Path, database: Database
) -> None:
    server_port, devtools_port = free_ports(2)
    databases = {name: database for name in DOMAINS}
    async with (
        project_platform(databases, PLATFORM_SUPERGRAPH.read_text()) as platform,
        live_server(platform.router_app, server_port) as base_url,
    ):
        with headless_chromium(devtools_port, tmp_path / "profile") as devtools_url:
            async with connect(devtools_url, max_size=None) as connection:
                page = DevToolsPage(connection)
                await page.open()
                internet = await page.evaluate(  # the CDN GraphiQL pages use must be unreachable
                    "fetch('https://unpkg.com/graphiql', {mode: 'no-cors'})"
                    ".then(() => 'reachable', () => 'blocked')"
                )
                await page.send("Page.navigate", url=f"{base_url}/graphql")
                await page.wait_for("!!document.querySelector('.graphiql-execute-button')")
                query = await page.wait_for(_editor_text(".graphiql-query-editor"))
                variables = await page.evaluate(_editor_text(".graphiql-editor-tool .hidden"))
                headers = await page.wait_for(
                    _editor_text(".graphiql-editor-tool .graphiql-editor:not(.hidden)")
                )
                active_tab = await page.evaluate(
                    "(document.querySelector('.graphiql-editor-tools button.active') || {})"
                    ".innerText || ''"
                )
                await page.evaluate(
                    "document.querySelector('[aria-label=\"Show Documentation Explorer\"]').click()"
                )
                docs = await page.wait_for(
                    f"{_text_of('.graphiql-doc-explorer')}.includes('Root Types') && "
                    f"{_text_of('.graphiql-doc-explorer')}"
                )
                await page.evaluate("document.querySelector('.graphiql-execute-button').click()")
                result = await page.wait_for(
                    f"({_editor_text('.result-window')}).includes('shippingEstimate') && "
                    f"({_editor_text('.result-window')})"
                )
                shot = await page.send("Page.captureScreenshot", format="png")
                requested, console = page.requested_urls(), page.console_errors()
                cross_origin = await _cross_origin_post(page, base_url)
    SCREENSHOT.parent.mkdir(exist_ok=True)
    SCREENSHOT.write_bytes(base64.b64decode(shot["data"]))
    assert cross_origin == '{"data":{"customer":{"id":"3"}}}'  # the preflight passed
    assert internet == "blocked"
    assert query == GraphiQLExample.from_file(EXAMPLE_OPERATION).query
    # the dev platform opens GraphiQL with its staff token, so the example answers at once
    assert orjson.loads(headers)["Authorization"].startswith("Bearer ey")
    assert variables == '{"id": "3"}'
    assert active_tab == "Headers"
    assert "query: Query" in docs
    assert "mutation: Mutation" in docs
    assert f'"name": "{generate.customer(TEST_SCALE, 3).name}"' in result
    assert '"tier"' in result and '"recommendations"' in result
    assert '"errors"' not in result
    probe = "https://unpkg.com/graphiql"
    local = (base_url, "data:", probe)
    assert [url for url in requested if not url.startswith(local)] == []
    assert f"{base_url}/graphiql/static/graphiql.min.js" in requested
    assert [error for error in console if not error.startswith(probe)] == []
