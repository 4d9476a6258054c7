"""What a source kind is: everything the pipeline needs to know about one kind of delivery, declared once in
the kind's own folder (``sources/<kind>/__init__.py``) and read by config validation, the raw assets, their
checks, the re-sync jobs, schedules and sensors (docs/architecture.md, "adding a source kind").

Nothing here imports Dagster: the declaration is plain data, so the CLI, the engines and the tests can read
it without loading the code location.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from carbon_pipeline.transforms import ContractCheck

if TYPE_CHECKING:
    import duckdb

    from carbon_pipeline.sources.config import SourceConfig
    from carbon_pipeline.sources.landing import Landing


@dataclass(frozen=True)
class LoadSummary:
    """What a reader did for one source and month; the raw asset reports it, typed rather than read back from a
    dict by string keys."""

    source_id: str
    month: date
    rows: int
    delivery: str | None = None
    restated: bool = False
    skipped: bool = False  # the delivery already loaded was found unchanged: nothing read
    objects: int = 0
    superseded: int = 0
    model_versions: tuple[str, ...] = ()
    focus_versions: tuple[str, ...] = ()
    raw_line_items: str | None = None  # CUR: copied | referenced (docs/sources.md, raw_line_items)

    @property
    def label(self) -> str:
        return f"{self.source_id} {self.month:%Y-%m-%d}"


class ObjectReader(Protocol):
    """A reader of delivered objects (a folder laid out like the bucket, or the bucket itself).

    A reader whose objects each cover many months may also define ``load_months(con, landing, source, months,
    *, run_id, force) -> list[LoadSummary]``, which a run then calls once for its months instead of
    ``load_month`` for each (activity_csv, focus, gcp_billing_export, azure_cost_details:
    registry.OpenedSource.load_months)."""

    def load_month(
        self,
        con: duckdb.DuckDBPyConnection,
        landing: Landing,
        source: SourceConfig,
        month: date,
        *,
        run_id: str | None = None,
        force: bool = False,
    ) -> LoadSummary: ...

    def available_months(self, landing: Landing, source: SourceConfig) -> list[date]: ...

    def delivery_identity(self, landing: Landing, source: SourceConfig, month: date) -> str | None: ...


class ApiReader(Protocol):
    """A reader of an API: no landing folder, nothing staged."""

    def load_month(
        self,
        con: duckdb.DuckDBPyConnection,
        source: SourceConfig,
        month: date,
        *,
        run_id: str | None = None,
        force: bool = False,
    ) -> LoadSummary: ...

    def available_months(self, source: SourceConfig) -> list[date]: ...

    def delivery_identity(self, source: SourceConfig, month: date) -> str | None: ...


@dataclass(frozen=True)
class DeliveryCalendar:
    """When month M of this kind must have been delivered: on day ``due_day`` of M + ``due_after_months``; the
    freshness check warns only once ``tolerated_months`` more have passed. ``text`` says it in words."""

    due_after_months: int
    due_day: int
    tolerated_months: int
    text: str

    def as_params(self) -> dict[str, Any]:
        return {
            "due_after_months": self.due_after_months,
            "due_day": self.due_day,
            "tolerated_months": self.tolerated_months,
            "delivery_calendar": self.text,
        }


@dataclass(frozen=True)
class Resync:
    """The schedule of a source of this kind: its default cadence, and which months each run re-reads —
    ``closed_months`` > 0: that many closed months before the run's (carbon exports land weeks after month
    end and are restated for a while); 0: the previous and the current month (billing is rewritten daily)."""

    cadence: str = "daily"  # daily | weekly | monthly | none, overridable per source (`schedule:`)
    closed_months: int = 0

    @property
    def window(self) -> str:
        if self.closed_months:
            words = {1: "closed month", 2: "two closed months", 3: "three closed months"}
            return f"the {words.get(self.closed_months, f'{self.closed_months} closed months')} before the run"
        return "previous and current month"


OptionsValidator = Callable[[Path, str, Mapping[str, Any]], None]
# Run on a month just read, inside the raw stage's transaction, before it commits: raising SourceError refuses the
# delivery, so it is never left in raw.* marked loaded.
BeforeCommit = Callable[["duckdb.DuckDBPyConnection", "SourceConfig", date], None]


@dataclass(frozen=True)
class SourceKind:
    """One kind of source, declared in its folder. ``reader`` is the module (or object) with ``load_month``,
    ``available_months`` and ``delivery_identity``; ``reads_objects`` says whether it reads a landing folder or
    bucket (ObjectReader) or an API (ApiReader)."""

    name: str
    asset_name: str  # raw/<asset_name>
    raw_table: str  # where its rows go (several kinds may share one table)
    description: str
    reader: Any
    feeds: str  # the transform table its raw rows flow into (carbon_pipeline/transforms.py)
    calendar: DeliveryCalendar
    resync: Resync = Resync()
    options: frozenset[str] = frozenset()  # keys beyond id, kind, uri, description, schedule (and S3 keys)
    validate_options: OptionsValidator | None = None
    reads_objects: bool = True
    contracts: tuple[ContractCheck, ...] = ()
    before_commit: BeforeCommit | None = None
    sql: tuple[str, ...] = ()  # the models it owns under dbt_like_sql/ (staging), for readers of the layout
    # the companion models that name its unusable cells, ``staging/<model>__invalid`` beside the staging model
    # they guard, each run by sources/validation.refuse_invalid_rows (docs/architecture.md, "Validating rows")
    validation: tuple[str, ...] = ()
