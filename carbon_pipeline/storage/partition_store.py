"""Raw and ledger month partitions kept as Parquet outside the warehouse file, so that the DuckDB file
is a cache any host can rebuild: a run hydrates the months it needs, works in its local DuckDB file
as before, and publishes each month it committed.

Layout (``<store>`` is a folder or ``s3://bucket/prefix``)::

    <store>/<schema>/<table>/period_month=YYYY-MM-01/_pointer.json
    <store>/<schema>/<table>/period_month=YYYY-MM-01/<version>.parquet               the table's rows
    <store>/<schema>/<table>/period_month=YYYY-MM-01/<version>.deliveries.parquet    raw only
    <store>/<schema>/<table>/period_month=YYYY-MM-01/<version>.restatements.parquet  raw only
    <store>/<schema>/<table>/period_month=YYYY-MM-01/<version>.groups.parquet        raw CUR only
    <store>/<schema>/<table>/period_month=YYYY-MM-01/<version>.objects.parquet       raw CUR only

``version`` is a digest of the partition's rows (computed in DuckDB, independent of row order and of
Parquet encoding), so re-publishing an unchanged month writes nothing and a pointer identifies
content, whichever host wrote it. The pointer is written last and alone names the files: a crash
before it leaves the previous partition as the one every reader sees.

A raw partition carries the ``raw.deliveries`` rows of its source kinds and the ``audit.restatements``
of its sources for that month: the unchanged-delivery skip and restatement detection read them, so
they must never be at a different version than the rows they describe. A CUR raw partition also carries
its kinds' ledger-grain line-item groups and object list (raw.cur_line_item_groups, raw.delivery_objects):
the ledger reads the groups, and for a source with ``raw_line_items: reference`` they and the objects they
point at are all there is of the month's line items.
"""

from __future__ import annotations

import hashlib
import json
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import duckdb

from carbon_pipeline.storage.backends import Backend, PartitionStoreError
from carbon_pipeline.warehouse.connection import transaction

POINTER = "_pointer.json"
FORMAT = "carbon_pipeline.partition/1"
LEDGER_TABLES = ("ledger.activity", "ledger.provider_emissions")
DELIVERIES = "raw.deliveries"
RESTATEMENTS = "audit.restatements"
GROUPS = "raw.cur_line_item_groups"
OBJECTS = "raw.delivery_objects"
SUFFIX = {DELIVERIES: ".deliveries", RESTATEMENTS: ".restatements", GROUPS: ".groups", OBJECTS: ".objects"}
# Kinds whose months also keep ledger-grain groups and an object list (sources/aws_cur.py); for a source
# with raw_line_items: reference these two ARE its raw partition.
GROUPED_KINDS = {"aws_cur", "aws_cur2"}
BY_KIND = (GROUPS, OBJECTS)


@dataclass(frozen=True)
class StoredTable:
    """A table whose months live in the store; ``kinds`` are the source kinds whose bookkeeping rows
    travel with each raw month (empty for ledger tables)."""

    table: str
    kinds: tuple[str, ...] = ()

    @property
    def folder(self) -> str:
        schema, name = self.table.split(".")
        return f"{schema}/{name}"


def stored_tables() -> dict[str, StoredTable]:
    """Every raw table a reader fills (with the kinds that fill it) and the two ledger tables."""
    from carbon_pipeline.sources.registry import source_kinds

    kinds: dict[str, list[str]] = {}
    for name, kind in source_kinds().items():
        kinds.setdefault(kind.raw_table, []).append(name)
    tables = {table: StoredTable(table, tuple(sorted(k))) for table, k in kinds.items()}
    tables.update({table: StoredTable(table) for table in LEDGER_TABLES})
    return tables


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _digest(con: duckdb.DuckDBPyConnection, select: str, params: dict[str, Any]) -> tuple[int, str]:
    """(rows, digest) of a set of rows, independent of their order and of how the file holding them was
    encoded: the count and the sums of each row's MD5 (of its JSON text, column names included), so a
    duplicated row counts twice. DuckDB's Parquet bytes are not a usable identity: the same rows can
    be encoded differently depending on how they sit in the table."""
    count, upper, lower = con.execute(
        f"""SELECT COUNT(*), SUM(md5_number_upper(j)), SUM(md5_number_lower(j))
            FROM (SELECT to_json(m) AS j FROM ({select}) AS m)""",
        params,
    ).fetchall()[0]
    return int(count), f"{count}:{upper or 0}:{lower or 0}"


def _copy_to(con: duckdb.DuckDBPyConnection, select: str, params: dict[str, Any], path: Path) -> None:
    target = str(path).replace("'", "''")  # COPY takes no bound path; the path is ours, not input
    con.execute(f"COPY ({select}) TO '{target}' (FORMAT parquet)", params)


class PartitionStore:
    def __init__(self, backend: Backend, work_dir: Path) -> None:
        self.backend = backend
        self.url = backend.url
        self.work_dir = work_dir
        self.tables = stored_tables()

    # -- pointers -------------------------------------------------------------------------------------

    def partition_folder(self, table: str, month: date) -> str:
        return f"{self.tables[table].folder}/period_month={month:%Y-%m-%d}"

    def read_pointer(self, table: str, month: date) -> dict[str, Any] | None:
        key = f"{self.partition_folder(table, month)}/{POINTER}"
        data = self.backend.read_bytes(key)
        if data is None:
            return None
        try:
            pointer = json.loads(data)
        except ValueError as exc:
            raise PartitionStoreError(f"partition store {self.url}: {key} is not valid JSON: {exc}") from exc
        if pointer.get("format") != FORMAT or pointer.get("table") != table:
            raise PartitionStoreError(f"partition store {self.url}: {key} is not a {FORMAT} pointer for {table}")
        return pointer

    def swap_pointer(self, table: str, month: date, pointer: dict[str, Any]) -> None:
        """The commit point of a publish: one atomic write."""
        key = f"{self.partition_folder(table, month)}/{POINTER}"
        self.backend.write_bytes(key, json.dumps(pointer, indent=1, sort_keys=True).encode())

    # -- local bookkeeping ------------------------------------------------------------------------------

    def local_version(self, con: duckdb.DuckDBPyConnection, table: str, month: date) -> str | None:
        rows = con.execute(
            """SELECT version FROM partition_store.local_versions
               WHERE store = $store AND stored_table = $table AND period_month = $month""",
            {"store": self.url, "table": table, "month": month},
        ).fetchall()
        return rows[0][0] if rows else None

    def _record_local(self, con: duckdb.DuckDBPyConnection, table: str, month: date, version: str, how: str) -> None:
        params = {"store": self.url, "table": table, "month": month}
        con.execute(
            """DELETE FROM partition_store.local_versions
               WHERE store = $store AND stored_table = $table AND period_month = $month""",
            params,
        )
        con.execute(
            """INSERT INTO partition_store.local_versions
                   (store, stored_table, period_month, version, synced, synced_at)
               VALUES ($store, $table, $month, $version, $how, $now)""",
            {**params, "version": version, "how": how, "now": datetime.now(UTC).replace(tzinfo=None)},
        )

    # -- publish ---------------------------------------------------------------------------------------

    def _members(
        self, con: duckdb.DuckDBPyConnection, stored: StoredTable, month: date
    ) -> tuple[list[tuple[str, str, dict[str, Any]]], list[str]]:
        """(table, SELECT, params) of each file of the partition, and the source ids whose
        restatements travel with it."""
        members = [(stored.table, f"SELECT * FROM {stored.table} WHERE period_month = $month", {"month": month})]
        if not stored.kinds:
            return members, []
        kinds = list(stored.kinds)
        source_ids = [
            r[0]
            for r in con.execute(
                f"""SELECT source_id FROM raw.deliveries WHERE list_contains($kinds, source_kind)
                    UNION SELECT source_id FROM {stored.table} WHERE period_month = $month ORDER BY 1""",
                {"kinds": kinds, "month": month},
            ).fetchall()
        ]
        members.append(
            (
                DELIVERIES,
                "SELECT * FROM raw.deliveries WHERE period_month = $month AND list_contains($kinds, source_kind)",
                {"month": month, "kinds": kinds},
            )
        )
        for table in BY_KIND if GROUPED_KINDS & set(kinds) else ():
            members.append(
                (
                    table,
                    f"SELECT * FROM {table} WHERE period_month = $month AND list_contains($kinds, source_kind)",
                    {"month": month, "kinds": kinds},
                )
            )
        members.append(
            (
                RESTATEMENTS,
                "SELECT * FROM audit.restatements WHERE period_month = $month AND list_contains($ids, source_id)",
                {"month": month, "ids": source_ids},
            )
        )
        return members, source_ids

    def publish(
        self, con: duckdb.DuckDBPyConnection, table: str, months: Iterable[date], run_id: str | None = None
    ) -> list[str]:
        """Write each committed month of ``table`` to the store unless the store already holds exactly
        it. Returns one line per month saying what happened, for the materialization's metadata."""
        return [self._publish_month(con, self.tables[table], month, run_id) for month in months]

    def _publish_month(
        self, con: duckdb.DuckDBPyConnection, stored: StoredTable, month: date, run_id: str | None
    ) -> str:
        label = f"{stored.table} {month:%Y-%m}"
        previous = self.read_pointer(stored.table, month)
        members, source_ids = self._members(con, stored, month)
        files = []
        for member, select, params in members:
            rows, digest = _digest(con, select, params)
            files.append({"table": member, "rows": rows, "digest": digest, "select": select, "params": params})
        version = hashlib.sha256("\n".join(f"{f['table']}={f['digest']}" for f in files).encode()).hexdigest()[:24]
        if previous is not None and previous.get("version") == version:
            if self.local_version(con, stored.table, month) != version:
                self._record_local(con, stored.table, month, version, "published")
            return f"{label}: unchanged {version}"
        if previous is None and not any(f["rows"] for f in files):
            return f"{label}: empty, nothing stored"
        folder = self.partition_folder(stored.table, month)
        self.work_dir.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(prefix="publish-", dir=self.work_dir) as tmp:
            for f in files:
                f["key"] = f"{version}{SUFFIX.get(f['table'], '')}.parquet"
                path = Path(tmp) / f["key"]
                _copy_to(con, f["select"], f["params"], path)
                f["sha256"] = _sha256(path)
                self.backend.upload(f"{folder}/{f['key']}", path)
        pointer = {
            "format": FORMAT,
            "table": stored.table,
            "period_month": f"{month:%Y-%m-%d}",
            "version": version,
            "files": [{k: f[k] for k in ("table", "key", "rows", "digest", "sha256")} for f in files],
            "source_kinds": list(stored.kinds),
            "source_ids": source_ids,
            "previous_version": None if previous is None else previous.get("version"),
            "written_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "written_by_run": run_id,
        }
        self.swap_pointer(stored.table, month, pointer)
        self._record_local(con, stored.table, month, version, "published")
        self._collect_garbage(folder, keep=[pointer, previous])
        return f"{label}: published {version}" + ("" if previous is None else f" (was {previous.get('version')})")

    def _collect_garbage(self, folder: str, keep: list[dict[str, Any] | None]) -> None:
        """Delete files no pointer names any more. The previous version's files stay one more
        generation, for a host that read the old pointer a moment before the swap and is still
        downloading; files of a publish that crashed before its swap go now."""
        named = {f"{folder}/{POINTER}"} | {
            f"{folder}/{f['key']}" for pointer in keep if pointer for f in pointer.get("files", [])
        }
        for key in self.backend.list_keys(folder):
            if key not in named and not key.rsplit("/", 1)[-1].startswith("."):
                self.backend.delete(key)

    # -- hydrate ---------------------------------------------------------------------------------------

    def hydrate(self, con: duckdb.DuckDBPyConnection, months: Iterable[date]) -> list[str]:
        """Bring every stored table's ``months`` in the local DuckDB file to the store's version, one
        transaction per partition. Months the store does not hold stay as they are locally."""
        done = []
        for month in months:
            for table in self.tables:
                outcome = self._hydrate_month(con, self.tables[table], month)
                if outcome:
                    done.append(outcome)
        return done

    def _hydrate_month(self, con: duckdb.DuckDBPyConnection, stored: StoredTable, month: date) -> str | None:
        pointer = self.read_pointer(stored.table, month)
        if pointer is None or self.local_version(con, stored.table, month) == pointer["version"]:
            return None
        folder = self.partition_folder(stored.table, month)
        self.work_dir.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(prefix="hydrate-", dir=self.work_dir) as tmp:
            paths = {}
            for f in pointer["files"]:
                path = Path(tmp) / f["key"]
                self.backend.download(f"{folder}/{f['key']}", path)
                if _sha256(path) != f["sha256"]:
                    raise PartitionStoreError(
                        f"partition store {self.url}: {folder}/{f['key']} does not match its pointer's sha256"
                    )
                paths[f["table"]] = (path, int(f["rows"]))
            with transaction(con):
                self._replace_locally(con, stored, month, pointer, paths)
                self._record_local(con, stored.table, month, pointer["version"], "hydrated")
        return f"{stored.table} {month:%Y-%m}: hydrated {pointer['version']}"

    def _replace_locally(
        self,
        con: duckdb.DuckDBPyConnection,
        stored: StoredTable,
        month: date,
        pointer: dict[str, Any],
        paths: dict[str, tuple[Path, int]],
    ) -> None:
        con.execute(f"DELETE FROM {stored.table} WHERE period_month = $month", {"month": month})
        if not stored.kinds:
            # a ledger month another host built: what it was built from is not known here, so a re-sync
            # rebuilds it rather than skip on a record of the rows just replaced (audit.built_from)
            con.execute(
                "DELETE FROM audit.built_from WHERE stage_table = $table AND period_month = $month",
                {"table": stored.table, "month": month},
            )
        if stored.kinds:
            con.execute(
                "DELETE FROM raw.deliveries WHERE period_month = $month AND list_contains($kinds, source_kind)",
                {"month": month, "kinds": list(pointer.get("source_kinds") or stored.kinds)},
            )
            con.execute(
                "DELETE FROM audit.restatements WHERE period_month = $month AND list_contains($ids, source_id)",
                {"month": month, "ids": list(pointer.get("source_ids") or [])},
            )
            for table in BY_KIND if GROUPED_KINDS & set(stored.kinds) else ():
                con.execute(
                    f"DELETE FROM {table} WHERE period_month = $month AND list_contains($kinds, source_kind)",
                    {"month": month, "kinds": list(pointer.get("source_kinds") or stored.kinds)},
                )
        for member, (path, expected) in paths.items():
            if member not in (stored.table, DELIVERIES, RESTATEMENTS, *BY_KIND):
                raise PartitionStoreError(f"partition store {self.url}: pointer names an unexpected table {member}")
            written = con.execute(
                f"INSERT INTO {member} BY NAME SELECT * FROM read_parquet($path)", {"path": str(path)}
            ).fetchall()[0][0]
            if written != expected:
                raise PartitionStoreError(
                    f"partition store {self.url}: {stored.table} {month:%Y-%m}: {member} has {written} rows, "
                    f"its pointer says {expected}"
                )
