"""Which document a request runs: its own text, a persisted query, or a trusted document.

The server asks :meth:`OperationDocuments.resolve` for the request's query text before the
pipeline sees it. An id (``extensions.persistedQuery.sha256Hash`` or ``documentId``) is
looked up in the trusted-documents manifest first, then, for a hash, in the automatic
persisted queries' store (:mod:`router.persisted_queries`); whatever text results is
checked against the safelist for the caller's client id (:mod:`router.trusted_documents`).
Problems are :class:`~router.http_protocol.HTTPProblem` with Apollo's codes.
"""

from __future__ import annotations

import dataclasses

from router.http_protocol import HTTPProblem
from router.persisted_queries import (
    ApqConfig,
    AutomaticPersistedQueries,
    MemoryApqStore,
    persisted_query_hash,
)
from router.request import GraphQLRequest
from router.trusted_documents import TrustedDocuments, TrustedDocumentsConfig

__all__ = ["OperationDocuments"]


class OperationDocuments:
    def __init__(
        self,
        apq: AutomaticPersistedQueries | None = None,
        trusted: TrustedDocuments | None = None,
    ) -> None:
        """The defaults: APQ in memory, no manifest, every operation allowed."""
        default = ApqConfig()
        self.apq = apq or AutomaticPersistedQueries(
            MemoryApqStore(default.cache_bytes, default.max_query_bytes)
        )
        self.trusted = trusted or TrustedDocuments()

    @classmethod
    def from_config(cls, apq: ApqConfig, trusted: TrustedDocumentsConfig) -> OperationDocuments:
        apq_store = AutomaticPersistedQueries.from_config(apq)
        return cls(apq_store, TrustedDocuments.from_config(trusted))

    async def resolve(self, request: GraphQLRequest, client_id: str | None) -> GraphQLRequest:
        """``request`` with the query text it names; raises :class:`HTTPProblem`."""
        digest = persisted_query_hash(request.extensions)
        ident = request.document_id or digest
        query = request.query or None
        if ident is None:
            if query is None:
                raise HTTPProblem(400, "BAD_REQUEST", "The 'query' parameter is missing.")
            self.trusted.check_text(query, client_id)
            return request
        listed = self.trusted.body(ident)
        if listed is not None:
            if query is not None and query != listed:
                raise HTTPProblem(
                    400,
                    "PERSISTED_QUERY_HASH_MISMATCH",
                    "The query text differs from the trusted document with this id",
                )
            return dataclasses.replace(request, query=listed)
        if query is not None:  # an APQ registration: its text is checked before it is stored
            self.trusted.check_text(query, client_id)
        else:
            self.trusted.refuse_unknown_id(ident, client_id)
        if digest is None:  # a documentId names trusted documents only
            raise HTTPProblem(
                400,
                "PERSISTED_QUERY_NOT_IN_LIST",
                f"Persisted query '{ident}' not found in the persisted query list",
            )
        text = await self.apq.resolve(digest, query)
        if query is None:  # registered by another client, maybe under another mode
            self.trusted.check_text(text, client_id)
        return dataclasses.replace(request, query=text)

    async def aclose(self) -> None:
        await self.apq.aclose()
