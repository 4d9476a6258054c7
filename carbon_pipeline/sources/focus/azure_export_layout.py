"""The folder layout of an Azure Cost Management export, for a FOCUS source pointed at the export's own
folder (issue 14): ``<export>/<yyyymmdd-yyyymmdd>/<run-id>/part_*.csv[.gz]|parquet`` with a
``manifest.json`` per run (also in the period folder on some exports).

Each run rewrites the whole period, so a month's delivery is the newest run of the period folder that starts
in it, and only that run's files are read: older runs stay in storage as stale full copies. The newest run is
the one whose manifest says it was submitted last (``runInfo.submittedTime``, else ``runInfo.startTime``);
with several runs and no manifest to order them the month is refused, naming the folder, rather than guessed.
When a manifest lists its files (``blobs[].blobName``, a path ending in ``<period>/<run>/<file>``) only those
are read; otherwise every data file in the run folder is.

Kept apart from focus.py so that the Azure-specific layout is one module; focus.py asks it first.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from carbon_pipeline.errors import SourceError
from carbon_pipeline.sources.landing import Landing

PERIOD_FOLDER = re.compile(r"^(\d{4})(\d{2})(\d{2})-(\d{8})$")
MANIFEST = "manifest.json"
DATA_SUFFIXES = (".csv", ".csv.gz", ".parquet", ".snappy.parquet")


@dataclass(frozen=True)
class AzureRun:
    month: date
    period_folder: str
    run_id: str
    manifest_key: str | None
    keys: tuple[str, ...]


def period_folders(landing: Landing) -> dict[date, str]:
    """Month of each ``yyyymmdd-yyyymmdd`` folder directly under the export folder (its start date's month)."""
    folders: dict[date, str] = {}
    for name in landing.list_dirs(""):
        match = PERIOD_FOLDER.match(name)
        if match:
            month = date(int(match.group(1)), int(match.group(2)), 1)
            if month in folders:
                raise _refuse(landing, f"two period folders start in {month:%Y-%m}: {folders[month]}, {name}", name)
            folders[month] = name
    return folders


def is_azure_export_layout(landing: Landing) -> bool:
    """True when the source folder is an Azure export's own folder (it holds period folders)."""
    return bool(period_folders(landing))


def _refuse(landing: Landing, message: str, key: str) -> SourceError:
    return SourceError(message, source_id=landing.source_id, object_key=key)


def _submitted(manifest: Any) -> str | None:
    run = manifest.get("runInfo") if isinstance(manifest, dict) else None
    if isinstance(run, dict):
        value = run.get("submittedTime") or run.get("startTime")
        return str(value) if value else None
    return None


def _listed_keys(manifest: Any, period: str, run: str) -> list[str] | None:
    blobs = manifest.get("blobs") if isinstance(manifest, dict) else None
    if not isinstance(blobs, list) or not blobs:
        return None
    keys = []
    marker = f"{period}/{run}/"
    for blob in blobs:
        name = str(blob.get("blobName", "")) if isinstance(blob, dict) else str(blob)
        if marker not in name:
            return None  # a manifest naming files elsewhere: read the run folder instead
        keys.append(marker + name.split(marker, 1)[1])
    return keys


def newest_run(landing: Landing, month: date) -> AzureRun | None:
    """The run that makes up ``month``'s delivery, or None when no period folder starts in the month."""
    period = period_folders(landing).get(month)
    if period is None:
        return None
    runs = landing.list_dirs(period)
    if not runs:
        files = [f"{period}/{f}" for f in landing.list_files(period) if f.lower().endswith(DATA_SUFFIXES)]
        return AzureRun(month, period, period, None, tuple(files)) if files else None
    manifests: dict[str, Any] = {}
    for run in runs:
        key = f"{period}/{run}/{MANIFEST}"
        if landing.exists(key):
            manifests[run] = landing.read_json(key)
    if len(runs) == 1:
        chosen = runs[0]
    else:
        dated = {run: _submitted(manifests.get(run)) for run in runs}
        if any(value is None for value in dated.values()):
            undated = sorted(run for run, value in dated.items() if value is None)
            raise _refuse(
                landing,
                f"{len(runs)} export runs and no manifest runInfo.submittedTime to tell the newest "
                f"(without: {', '.join(undated)})",
                f"{period}/",
            )
        chosen = max(runs, key=lambda run: (dated[run], run))
    manifest = manifests.get(chosen)
    listed = _listed_keys(manifest, period, chosen) if manifest is not None else None
    if listed is None:
        listed = [
            f"{period}/{chosen}/{f}"
            for f in landing.list_files(f"{period}/{chosen}")
            if f.lower().endswith(DATA_SUFFIXES)
        ]
    manifest_key = f"{period}/{chosen}/{MANIFEST}" if manifest is not None else None
    return AzureRun(month, period, chosen, manifest_key, tuple(listed))
