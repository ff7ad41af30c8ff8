"""The router's audit log: every mutation and every read of unmasked personal data.

``record`` (what a request touched, from the subgraphs' ``extensions.audit``), ``store``
(append and list; the database refuses updates and deletes), ``writer`` (the background
writer and its spool), ``log`` (what the server calls), ``endpoint`` (``GET /audit``),
``cli`` (``python -m router audit list``).
"""
