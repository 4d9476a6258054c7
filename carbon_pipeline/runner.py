"""Running the inventory job over a month range as one run: what `make run`, the tests and the
benchmarks share."""

from __future__ import annotations

from datetime import date

import dagster as dg

from carbon_pipeline.orchestration.partitions import RANGE_END_TAG, RANGE_START_TAG
from carbon_pipeline.settings import Settings
from carbon_pipeline.sources import registry
from carbon_pipeline.sources.sources_file import load_sources_file

QUIET_LOGS = {"loggers": {"console": {"config": {"log_level": "WARNING"}}}}
# The CLI's runs: Dagster logs a failed step with the stack of its exception, which buried the one line that
# names source, object and path under a traceback (issue 13, class 5). The CLI prints failure_messages and
# failed_warning_checks itself; the full events stay in the run's event log (DAGSTER_HOME).
CLI_LOGS = {"loggers": {"console": {"config": {"log_level": "CRITICAL"}}}}


def delivered_months(settings: Settings, before_start: list[tuple[str, date]] | None = None) -> list[date]:
    """Every month any configured source has a delivery for, from the settings' start month on. Months
    before it are not loaded; pass ``before_start`` to get them as (source id, month), so that a caller can
    report them instead of dropping them silently."""
    config = load_sources_file(settings.sources_file)
    by_source = [(s.id, m) for s in config.sources for m in registry.opened(s).available_months()]
    if before_start is not None:
        before_start.extend(sorted(item for item in set(by_source) if item[1] < config.settings.start_month))
    return sorted({m for _, m in by_source if m >= config.settings.start_month})


def run_inventory(
    settings: Settings,
    first: date,
    last: date,
    *,
    instance: dg.DagsterInstance | None = None,
    job_name: str = "inventory_job",
    tags: dict[str, str] | None = None,
    run_config: dict | None = None,
) -> dg.ExecuteInProcessResult:
    """Materialize ``job_name`` for the months first..last (inclusive) in one run. ``run_config`` defaults to
    QUIET_LOGS (warnings and errors on the console)."""
    from carbon_pipeline.definitions import definitions_for

    job = definitions_for(settings).resolve_job_def(job_name)
    if job_name == "inventory_job":
        # a re-sync job mostly finds its deliveries unchanged and skips its checks: importing great-expectations
        # beside it would only compete with its steps for the interpreter
        prewarm_contract_checks()
    tags = {**(tags or {}), RANGE_START_TAG: f"{first:%Y-%m-%d}", RANGE_END_TAG: f"{last:%Y-%m-%d}"}
    options = {
        "run_config": run_config or QUIET_LOGS,
        "tags": tags,
        "raise_on_error": False,
        "asset_selection": configured_selection(settings, job) if job_name == "inventory_job" else None,
    }
    if instance is not None:
        return job.execute_in_process(instance=instance, **options)
    with dg.DagsterInstance.ephemeral() as ephemeral:
        return job.execute_in_process(instance=ephemeral, **options)


def prewarm_contract_checks() -> None:
    """Start the helper process that imports great-expectations on the other core while the run's first steps
    work, and validates the contract frames (quality/suite_process.py). The code location does not import it
    (so the UI loads fast); imported in this process, even in a background thread, it held the interpreter
    lock the run's steps need for about 3 s (docs/performance.md, Profile 28)."""
    from carbon_pipeline.quality import suite_process

    suite_process.start()


def configured_selection(settings: Settings, job: dg.JobDefinition) -> list[dg.AssetKey]:
    """Every asset of the job except the raw assets of source kinds no source is configured for, with their
    checks: a deployment with one CUR source has no use for seven empty raw steps and their fourteen checks,
    which cost about a second per run (docs/performance.md). The job itself keeps every asset, so the UI, the
    schedules and a new source of another kind need no other definitions."""
    from carbon_pipeline.orchestration.keys import raw_asset_key

    configured = {source.kind for source in load_sources_file(settings.sources_file).sources}
    idle = {raw_asset_key(kind) for kind in registry.source_kinds() if kind not in configured}
    return [key for key in job.asset_layer.executable_asset_keys if key not in idle]


def failure_messages(result: dg.ExecuteInProcessResult) -> list[str]:
    """What went wrong, in the words a person needs: step failures (our messages name source, object,
    row and column) and blocking checks that failed."""
    messages = []
    for event in result.all_events:
        if event.event_type == dg.DagsterEventType.STEP_FAILURE:
            error = event.step_failure_data.error
            user = event.step_failure_data.user_failure_data
            if user and user.description:
                text = user.description
            elif error and error.cause:
                text = error.cause.message
            else:
                text = error.message if error else "failed"
            messages.append(f"{event.step_key}: {text.strip()}")
        elif event.event_type == dg.DagsterEventType.ASSET_CHECK_EVALUATION:
            evaluation = event.event_specific_data
            if not evaluation.passed and evaluation.severity == dg.AssetCheckSeverity.ERROR:
                messages.append(f"check {evaluation.check_name} on {evaluation.asset_key.to_user_string()} failed")
    return messages


def failed_warning_checks(result: dg.ExecuteInProcessResult) -> list[str]:
    """Warning checks that did not pass, for the CLI's summary: a run can succeed while its data has
    unclassified usage or factor fallbacks, and the person running it should see that without opening the UI."""
    warnings = []
    for event in result.all_events:
        if event.event_type == dg.DagsterEventType.ASSET_CHECK_EVALUATION:
            evaluation = event.event_specific_data
            if not evaluation.passed and evaluation.severity == dg.AssetCheckSeverity.WARN:
                warnings.append(f"check {evaluation.check_name} on {evaluation.asset_key.to_user_string()}")
    return warnings


def pinned_version_problem(settings: Settings) -> str | None:
    """Why settings.carbon_model_version cannot be honoured, or None. A pin that no carbon export delivers
    used to select the newest version silently, which is exactly what pinning is meant to prevent."""
    from carbon_pipeline.sources.aws_carbon import reader as aws_carbon
    from carbon_pipeline.sources.landing import open_landing

    config = load_sources_file(settings.sources_file)
    pinned = config.settings.pinned_model_version
    exports = config.of_kind("aws_carbon")
    if pinned is None or not exports:
        return None
    delivered = set().union(*(aws_carbon.model_versions(open_landing(s)) for s in exports))
    if pinned in delivered:
        return None
    return (
        f"settings.carbon_model_version pins {pinned[:80]!r}, which no carbon export delivers "
        f"(delivered: {', '.join(sorted(delivered)) or 'none'}); fix the pin or use 'newest'"
    )
