"""The GraphiQL HTML page.

Every asset the page loads lives in ``static/`` (vendored builds, see ``VERSIONS.md``)
and is served by the router under ``static_prefix``: nothing comes from a CDN, so the
page works on a machine with no internet. The page carries no inline script;
``graphiql-init.js`` reads the endpoint from a ``data-`` attribute, which lets the
Content-Security-Policy restrict scripts, styles and connections to the router itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape
from pathlib import Path

__all__ = [
    "CONTENT_SECURITY_POLICY",
    "DEFAULT_HEADERS",
    "STATIC_DIRECTORY",
    "STATIC_FILES",
    "GraphiQLExample",
    "render_graphiql_page",
]

# Opened in the headers editor: the slot for a credential, to be filled in.
DEFAULT_HEADERS = '{\n  "Authorization": ""\n}'


@dataclass(frozen=True, slots=True)
class GraphiQLExample:
    """What a first-time visitor's GraphiQL opens with (their own edits then persist in
    the browser): an operation of this graph, its variables (JSON text) and the headers
    editor, open, with a slot for credentials."""

    query: str
    variables: str = ""
    headers: str = DEFAULT_HEADERS

    @classmethod
    def from_file(cls, path: Path) -> GraphiQLExample:
        """A ``.graphql`` file; a first line ``# variables: {...}`` gives the variables."""
        lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
        variables = ""
        if lines and lines[0].startswith("# variables:"):
            variables = lines.pop(0).removeprefix("# variables:").strip()
        return cls(query="".join(lines), variables=variables)


STATIC_DIRECTORY = Path(__file__).parent / "static"

# Load order matters: GraphiQL's UMD build expects the React globals to exist.
STATIC_FILES = (
    "graphiql.min.css",
    "react.production.min.js",
    "react-dom.production.min.js",
    "graphiql.min.js",
    "graphiql-init.js",
)

# GraphiQL sets style attributes from React and its CSS inlines fonts as data: URLs.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; "
    "frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
)


def render_graphiql_page(
    *,
    endpoint: str,
    static_prefix: str,
    title: str = "Router GraphiQL",
    example: GraphiQLExample | None = None,
) -> str:
    """Return the HTML of a GraphiQL page talking to ``endpoint``."""
    prefix = static_prefix.rstrip("/")
    defaults = ""
    if example is not None:
        defaults = "".join(
            f' data-default-{name}="{escape(value)}"'
            for name, value in (
                ("query", example.query),
                ("variables", example.variables),
                ("headers", example.headers),
            )
        )
    stylesheets = "".join(
        f'\n    <link rel="stylesheet" href="{escape(prefix)}/{name}">'
        for name in STATIC_FILES
        if name.endswith(".css")
    )
    scripts = "".join(
        f'\n    <script src="{escape(prefix)}/{name}"></script>'
        for name in STATIC_FILES
        if name.endswith(".js")
    )
    return f"""<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title>{escape(title)}</title>
    <link rel="icon" href="data:,">{stylesheets}
    <style>body {{ margin: 0; }} #graphiql {{ height: 100vh; }}</style>
  </head>
  <body>
    <div id="graphiql" data-endpoint="{escape(endpoint)}"{defaults}>Loading GraphiQL…</div>{scripts}
  </body>
</html>
"""
