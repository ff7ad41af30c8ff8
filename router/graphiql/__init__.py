"""GraphiQL served by the router itself, assets included, so it works with no internet."""

from router.graphiql.page import (
    CONTENT_SECURITY_POLICY,
    DEFAULT_HEADERS,
    STATIC_DIRECTORY,
    STATIC_FILES,
    GraphiQLExample,
    render_graphiql_page,
)

__all__ = [
    "CONTENT_SECURITY_POLICY",
    "DEFAULT_HEADERS",
    "STATIC_DIRECTORY",
    "STATIC_FILES",
    "GraphiQLExample",
    "render_graphiql_page",
]
