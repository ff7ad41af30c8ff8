"""``router.yaml`` section ``telemetry``: tracing (off unless ``enabled``), metrics (always
on; only the label bound is configurable) and the log format."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from observability.tracing import TracingSettings
from router.telemetry.metrics import DEFAULT_MAX_OPERATION_NAMES

__all__ = ["LoggingConfig", "MetricsConfig", "TelemetryConfig", "TracingConfig"]


class TracingConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    enabled: bool = False
    exporter: Literal["otlp", "console"] = "otlp"
    # OTLP over HTTP, e.g. http://otel-collector:4318/v1/traces (unset: the OTEL_EXPORTER_OTLP_*
    # variables, else http://localhost:4318/v1/traces)
    endpoint: str | None = None
    service_name: str = "router"
    sample_ratio: float = Field(default=1.0, ge=0.0, le=1.0)

    def settings(self) -> TracingSettings | None:
        if not self.enabled:
            return None
        return TracingSettings(self.service_name, self.exporter, self.endpoint, self.sample_ratio)


class MetricsConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    # operation names kept as labels besides the trusted documents' (the rest: "(other)")
    max_operation_names: int = Field(default=DEFAULT_MAX_OPERATION_NAMES, ge=0)


class LoggingConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    format: Literal["json", "text"] = "json"
    access_log: bool = True


class TelemetryConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    tracing: TracingConfig = Field(default_factory=TracingConfig)
    metrics: MetricsConfig = Field(default_factory=MetricsConfig)
    logging: LoggingConfig = Field(default_factory=LoggingConfig)
