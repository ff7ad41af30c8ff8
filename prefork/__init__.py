"""Serving one port from several worker processes: :mod:`prefork.sockets` binds the port
once per worker (``SO_REUSEPORT``), :mod:`prefork.supervisor` forks the workers, replaces
one that dies and relays SIGTERM, SIGINT and SIGHUP. Used by ``python -m router serve
--workers N`` and ``python -m subgraphs serve --workers N``; it imports neither."""
