"""A sensor that notices new deliveries in the landing zone by their identity (CUR assemblyId, export
executionId per model version, activity file checksums) and launches exactly the affected months.

The run_key is derived from that identity, so a delivery seen again never starts a second run."""

import hashlib
import json
from datetime import date

import dagster as dg

from carbon_pipeline.defs.jobs import INVENTORY_JOB
from carbon_pipeline.defs.resources import SourcesResource
from carbon_pipeline.sources.registry import reader_for


def build_sensors(first_month: date) -> list[dg.SensorDefinition]:
    @dg.sensor(
        job_name=INVENTORY_JOB,
        minimum_interval_seconds=300,
        description="New or changed deliveries (by manifest identity) -> runs for exactly those months.",
    )
    def landing_deliveries_sensor(context: dg.SensorEvaluationContext, sources: SourcesResource) -> dg.SensorResult:
        seen: dict[str, str] = json.loads(context.cursor) if context.cursor else {}
        requests: dict[str, dg.RunRequest] = {}
        for source in sources.load().sources:
            reader = reader_for(source)
            for month in reader.available_months(source):
                if month < first_month:
                    continue
                identity = reader.delivery_identity(source, month)
                marker = f"{source.id}:{month:%Y-%m}"
                if identity is None or seen.get(marker) == identity:
                    continue
                seen[marker] = identity
                digest = hashlib.sha256(identity.encode()).hexdigest()[:16]
                key = month.strftime("%Y-%m-%d")
                requests[key] = dg.RunRequest(
                    run_key=f"{marker}:{digest}"
                    if key not in requests
                    else f"{requests[key].run_key}+{marker}:{digest}",
                    partition_key=key,
                    tags={"carbon_pipeline/trigger": "delivery"},
                )
        return dg.SensorResult(run_requests=list(requests.values()), cursor=json.dumps(seen, sort_keys=True))

    return [landing_deliveries_sensor]
