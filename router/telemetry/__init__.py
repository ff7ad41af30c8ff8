"""The router's telemetry: traces (:mod:`.tracing`), Prometheus metrics (:mod:`.metrics`),
the per-request record the pipeline notes into (:mod:`.record`), the ASGI middleware that
turns it into metrics, a span and an access-log line (:mod:`.middleware`), and the
``router.yaml`` ``telemetry`` section (:mod:`.config`)."""
