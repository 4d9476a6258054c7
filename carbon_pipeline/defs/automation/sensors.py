"""One sensor per configured source that notices a new delivery by its identity (CUR assemblyId,
export executionId per model version, activity file checksums) and launches exactly the affected
months, for that source only.

The run_key is derived from the identity, so a delivery seen again never starts a second run; a new
carbon-model version for old months changes their identity and so triggers them.

Newest months first, at most MAX_RUNS_PER_TICK run requests per tick: a first tick over two years of
deliveries would otherwise queue 24 runs against a single-writer warehouse at once. Months not requested
stay out of the cursor, so the next tick (minimum_interval_seconds later) picks them up."""

import hashlib
import json
from datetime import date

import dagster as dg

from carbon_pipeline.defs.automation.jobs import resync_job_name
from carbon_pipeline.defs.automation.schedules import definition_name
from carbon_pipeline.orchestration.partitions import SOURCES_TAG
from carbon_pipeline.orchestration.resources import SourcesResource
from carbon_pipeline.sources import registry
from carbon_pipeline.sources.config import SourceConfig

MAX_RUNS_PER_TICK = 3


def _source_sensor(source_id: str, kind: str, first_month: date) -> dg.SensorDefinition:
    @dg.sensor(
        name=definition_name(source_id, "deliveries"),
        job_name=resync_job_name(kind),
        minimum_interval_seconds=300,
        description=f"New or changed deliveries of source '{source_id}' ({kind}) -> a run for each such month.",
    )
    def _sensor(context: dg.SensorEvaluationContext, sources: SourcesResource) -> dg.SensorResult:
        source: SourceConfig | None = next((s for s in sources.load().sources if s.id == source_id), None)
        if source is None:
            return dg.SensorResult(skip_reason=f"source '{source_id}' is no longer in the sources file")
        seen: dict[str, str] = json.loads(context.cursor) if context.cursor else {}
        requests: list[dg.RunRequest] = []
        access = registry.opened(source)  # one landing (one S3 client) for every month of the tick
        for month in sorted(access.available_months(), reverse=True):
            if month < first_month:
                continue
            if len(requests) >= MAX_RUNS_PER_TICK:
                break  # the rest, older, on the next tick: they are not in the cursor yet
            identity = access.delivery_identity(month)
            if identity is None or seen.get(f"{month:%Y-%m}") == identity:
                continue
            seen[f"{month:%Y-%m}"] = identity
            digest = hashlib.sha256(identity.encode()).hexdigest()[:16]
            requests.append(
                dg.RunRequest(
                    run_key=f"{source_id}:{month:%Y-%m}:{digest}",
                    partition_key=month.strftime("%Y-%m-%d"),
                    tags={SOURCES_TAG: source_id, "carbon_pipeline/trigger": "delivery"},
                )
            )
        return dg.SensorResult(run_requests=requests, cursor=json.dumps(seen, sort_keys=True))

    return _sensor


def build_sensors(sources: list[SourceConfig], first_month: date) -> list[dg.SensorDefinition]:
    """One delivery sensor per configured source."""
    return [_source_sensor(s.id, s.kind, first_month) for s in sources]
