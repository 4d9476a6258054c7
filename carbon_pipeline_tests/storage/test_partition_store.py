"""Raw and ledger months kept as Parquet in a partition store (a local folder, or an S3 prefix on a moto
server over real HTTP), so that any host with an empty DuckDB file can run the same months: it hydrates
them, skips unchanged deliveries, and builds the same marts; re-running writes nothing; a crash before
the pointer swap leaves the previous partition in place."""

from __future__ import annotations

import dataclasses
import gzip
import hashlib
import json
import shutil
import uuid
from datetime import date
from pathlib import Path

import boto3
import dagster as dg
import duckdb
import pytest

from carbon_pipeline.errors import ConfigError
from carbon_pipeline.orchestration.resources import WarehouseResource
from carbon_pipeline.runner import failure_messages
from carbon_pipeline.settings import Settings, load_settings
from carbon_pipeline.storage import PartitionStore, PartitionStoreError, open_partition_store
from carbon_pipeline.storage.config import parse_credentials
from carbon_pipeline.storage.resource import StoredWarehouseResource, warehouse_resource
from carbon_pipeline.warehouse.connection import warehouse_connection
from carbon_pipeline_tests.conftest import Deployment, make_deployment, table_checksum

MAY, JUNE = date(2025, 5, 1), date(2025, 6, 1)  # June holds a superseded CUR delivery
SERVED = ("marts.scope_summary", "marts.cloud_emissions", "marts.cloud_reconciliation")
TRAVELLING = (
    "raw.aws_cur_line_items",
    "raw.cur_line_item_groups",
    "raw.delivery_objects",
    "raw.aws_carbon_emissions",
    "raw.activity_rows",
    "raw.deliveries",
)


@dataclasses.dataclass
class Store:
    """Where the test looks at the store with its own eyes (boto3 or the file system), not the
    pipeline's code."""

    url: str
    settings: dict[str, str]
    s3: object | None = None
    bucket: str = ""
    prefix: str = ""

    def objects(self) -> dict[str, str]:
        """Every key in the store with a digest of its bytes."""
        if self.s3 is None:
            root = Path(self.url)
            return {
                p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
                for p in root.rglob("*")
                if p.is_file()
            }
        found = {}
        for page in self.s3.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=self.prefix + "/"):
            for item in page.get("Contents", []):
                body = self.s3.get_object(Bucket=self.bucket, Key=item["Key"])["Body"].read()
                found[item["Key"][len(self.prefix) + 1 :]] = hashlib.sha256(body).hexdigest()
        return found

    def pointer(self, table: str, month: date) -> dict:
        schema, name = table.split(".")
        key = f"{schema}/{name}/period_month={month:%Y-%m-%d}/_pointer.json"
        if self.s3 is None:
            return json.loads((Path(self.url) / key).read_text())
        return json.loads(self.s3.get_object(Bucket=self.bucket, Key=f"{self.prefix}/{key}")["Body"].read())


@pytest.fixture
def moto_endpoint(moto_server) -> str:
    host, port = moto_server
    return f"http://{host}:{port}"


@pytest.fixture(params=["folder", "s3"])
def store(request, tmp_path: Path, monkeypatch) -> Store:
    if request.param == "folder":
        url = str(tmp_path / "shared-store")
        return Store(url=url, settings={"partition_store": url})
    endpoint = request.getfixturevalue("moto_endpoint")
    monkeypatch.setenv("STORE_KEY_ID", "AKIASTOREKEY")
    monkeypatch.setenv("STORE_SECRET", f"store-secret-{uuid.uuid4()}")
    s3 = boto3.client(
        "s3", endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="admin", aws_secret_access_key="admin"
    )
    bucket = f"carbon-partitions-{uuid.uuid4().hex[:8]}"
    s3.create_bucket(Bucket=bucket)
    url = f"s3://{bucket}/carbon/partitions"
    return Store(
        url=url,
        settings={
            "partition_store": url,
            "partition_store_region": "us-east-1",
            "partition_store_endpoint_url": endpoint,
            "partition_store_credentials": "{env: {access_key_id: STORE_KEY_ID, secret_access_key: STORE_SECRET}}",
        },
        s3=s3,
        bucket=bucket,
        prefix="carbon/partitions",
    )


def host(root: Path, demo_files: Path, store: Store) -> Deployment:
    """A deployment in a folder of its own (its own landing copy, empty DuckDB file), on the shared store."""
    deployment = make_deployment(root, demo_files)
    return Deployment(root, dataclasses.replace(deployment.settings, **store.settings))


def open_store(store: Store, work: Path) -> PartitionStore:
    options = store.settings
    return open_partition_store(
        store.url,
        work,
        region=options.get("partition_store_region"),
        endpoint_url=options.get("partition_store_endpoint_url"),
        credentials=options.get("partition_store_credentials"),
    )


def cur_metadata(result: dg.ExecuteInProcessResult, key: str) -> list:
    values = []
    for event in result.get_asset_materialization_events():
        materialization = event.event_specific_data.materialization
        if materialization.asset_key.to_user_string() == "raw/aws_cur_line_items":
            values += materialization.metadata[key].value
    return sorted(set(values))


def checksums(deployment: Deployment, tables: tuple[str, ...]) -> dict[str, str]:
    return {table: table_checksum(deployment.settings.warehouse, table) for table in tables}


def test_a_second_host_with_an_empty_warehouse_skips_unchanged_sources_and_builds_the_same_marts(
    tmp_path: Path, demo_files: Path, store: Store
):
    host_a = host(tmp_path / "host-a", demo_files, store)
    first = host_a.run(MAY, JUNE)
    assert first.success, failure_messages(first)
    assert cur_metadata(first, "skipped_unchanged") == []
    published = store.objects()
    assert f"raw/aws_cur_line_items/period_month={JUNE:%Y-%m-%d}/_pointer.json" in published
    june = store.pointer("raw.aws_cur_line_items", JUNE)
    assert {f["table"] for f in june["files"]} == {
        "raw.aws_cur_line_items",
        "raw.deliveries",
        "audit.restatements",
        "raw.cur_line_item_groups",
        "raw.delivery_objects",
    }
    assert store.pointer("ledger.activity", MAY)["version"]

    host_b = host(tmp_path / "host-b", demo_files, store)
    assert not host_b.settings.warehouse.exists()
    second = host_b.run(MAY, JUNE)
    assert second.success, failure_messages(second)
    # the CUR months came from the store with their raw.deliveries rows, so the skip works on a new host
    assert cur_metadata(second, "skipped_unchanged") == ["demo-cur 2025-05-01", "demo-cur 2025-06-01"]
    hydrated = host_b.query(
        "SELECT stored_table, strftime(period_month, '%Y-%m'), synced FROM partition_store.local_versions "
        "WHERE stored_table = 'raw.aws_cur_line_items' ORDER BY ALL"
    )
    assert hydrated == [
        ("raw.aws_cur_line_items", "2025-05", "hydrated"),
        ("raw.aws_cur_line_items", "2025-06", "hydrated"),
    ]
    assert host_b.query(
        "SELECT status, COUNT(*) FROM raw.deliveries WHERE source_id = 'demo-cur' AND period_month = ? GROUP BY ALL "
        "ORDER BY ALL",
        [JUNE],
    ) == [("loaded", 1), ("superseded", 1)]
    assert checksums(host_b, SERVED + TRAVELLING) == checksums(host_a, SERVED + TRAVELLING)
    assert host_b.query("SELECT COUNT(*) FROM marts.scope_summary")[0][0] > 0
    assert store.objects() == published, "host B's run published nothing new: same pointers, same files"

    again = host_a.run(MAY, JUNE)
    assert again.success, failure_messages(again)
    assert cur_metadata(again, "partition_store") == [
        f"raw.aws_cur_line_items {m:%Y-%m}: unchanged {store.pointer('raw.aws_cur_line_items', m)['version']}"
        for m in (MAY, JUNE)
    ]
    assert store.objects() == published, "re-running changes nothing in the store"


def redeliver_may(deployment: Deployment) -> tuple[str, str]:
    """A new CUR delivery for May with five rows fewer (a restatement)."""
    report = deployment.landing / "cur-reports" / "demo-cur" / "20250501-20250601"
    manifest = json.loads((report / "demo-cur-Manifest.json").read_text())
    old, new = manifest["assemblyId"], "11111111-2222-3333-4444-555555555555"
    shutil.copytree(report / old, report / new)
    data = report / new / "demo-cur-1.csv.gz"
    lines = gzip.decompress(data.read_bytes()).decode().splitlines(keepends=True)
    data.write_bytes(gzip.compress("".join(lines[:-5]).encode()))
    manifest.update(assemblyId=new, reportKeys=[k.replace(old, new) for k in manifest["reportKeys"]])
    (report / "demo-cur-Manifest.json").write_text(json.dumps(manifest))
    return old, new


@pytest.mark.parametrize("store", ["s3"], indirect=True)  # the swap is one PUT; a folder's is os.replace
def test_a_crash_between_writing_the_parquet_file_and_swapping_the_pointer_leaves_the_previous_partition(
    tmp_path: Path, demo_files: Path, store: Store, monkeypatch
):
    host_a = host(tmp_path / "host-a", demo_files, store)
    assert host_a.run(MAY, MAY).success
    before_tables = checksums(host_a, ("raw.aws_cur_line_items", "raw.deliveries", "audit.restatements"))
    before_pointer = store.pointer("raw.aws_cur_line_items", MAY)
    old_assembly, new_assembly = redeliver_may(host_a)

    swap = PartitionStore.swap_pointer

    def crash_before_cur_swap(self, table, month, pointer):
        if table == "raw.aws_cur_line_items":
            raise RuntimeError("injected crash before the pointer swap")
        swap(self, table, month, pointer)

    monkeypatch.setattr(PartitionStore, "swap_pointer", crash_before_cur_swap)
    crashed = host_a.run(MAY, MAY)
    assert not crashed.success
    assert "injected crash before the pointer swap" in " ".join(failure_messages(crashed))
    monkeypatch.setattr(PartitionStore, "swap_pointer", swap)

    assert store.pointer("raw.aws_cur_line_items", MAY) == before_pointer
    folder = f"raw/aws_cur_line_items/period_month={MAY:%Y-%m-%d}/"
    written = {k for k in store.objects() if k.startswith(folder)} - {
        folder + f["key"] for f in before_pointer["files"]
    }
    assert written - {folder + "_pointer.json"}, "the new Parquet files were written before the crash"

    # another host sees the previous partition, whole and unchanged
    host_c = host(tmp_path / "host-c", demo_files, store)
    with warehouse_connection(host_c.settings.warehouse) as con:
        open_store(store, tmp_path / "work-c").hydrate(con, [MAY])
    assert checksums(host_c, tuple(before_tables)) == before_tables

    # the next successful run publishes the restated month, restatement included, and sweeps nothing it needs
    recovered = host_a.run(MAY, MAY)
    assert recovered.success, failure_messages(recovered)
    after_pointer = store.pointer("raw.aws_cur_line_items", MAY)
    assert after_pointer["version"] != before_pointer["version"]
    assert after_pointer["previous_version"] == before_pointer["version"]
    kept = {k for k in store.objects() if k.startswith(folder)}
    assert kept == {folder + "_pointer.json"} | {
        folder + f["key"] for f in after_pointer["files"] + before_pointer["files"]
    }

    host_d = host(tmp_path / "host-d", demo_files, store)
    with warehouse_connection(host_d.settings.warehouse) as con:
        open_store(store, tmp_path / "work-d").hydrate(con, [MAY])
    assert host_d.query("SELECT source_id, previous_identity, new_identity FROM audit.restatements") == [
        ("demo-cur", old_assembly, new_assembly)
    ]
    assert checksums(host_d, ("raw.aws_cur_line_items",)) == checksums(host_a, ("raw.aws_cur_line_items",))


def test_a_partition_file_that_does_not_match_its_pointer_fails_loudly_and_changes_nothing(tmp_path: Path):
    url = str(tmp_path / "store")
    with warehouse_connection(tmp_path / "a.duckdb") as con:
        _activity_row(con, "bills", MAY, 2, 10.5)
        open_partition_store(url, tmp_path / "work").publish(con, "raw.activity_rows", [MAY])
    folder = Path(url) / "raw/activity_rows/period_month=2025-05-01"
    pointer = json.loads((folder / "_pointer.json").read_text())
    damaged = folder / pointer["files"][0]["key"]
    damaged.write_bytes(damaged.read_bytes()[:-100])
    with warehouse_connection(tmp_path / "b.duckdb") as con:
        _activity_row(con, "bills", MAY, 7, 99.0)  # what host B held before
        with pytest.raises(PartitionStoreError, match=f"{pointer['files'][0]['key']} does not match its pointer"):
            open_partition_store(url, tmp_path / "work").hydrate(con, [MAY])
        assert con.execute("SELECT object_line, quantity FROM raw.activity_rows").fetchall() == [(7, 99.0)]
        assert con.execute("SELECT COUNT(*) FROM partition_store.local_versions").fetchall() == [(0,)]


def test_without_a_partition_store_the_warehouse_resource_is_unchanged(tmp_path: Path):
    settings = Settings(
        sources_file=tmp_path / "s.yaml",
        warehouse=tmp_path / "w.duckdb",
        serving=tmp_path / "s.duckdb",
        uses_demo=False,
    )
    assert type(warehouse_resource(settings)) is WarehouseResource
    stored = warehouse_resource(dataclasses.replace(settings, partition_store="s3://bucket/prefix"))
    assert isinstance(stored, StoredWarehouseResource) and stored.partition_store == "s3://bucket/prefix"


def test_store_settings_come_from_the_environment_and_credentials_are_checked_like_a_sources():
    settings = load_settings(
        {
            "CARBON_PARTITION_STORE": "s3://acme-carbon/partitions",
            "CARBON_PARTITION_STORE_ENDPOINT_URL": "http://minio:9000",
            "CARBON_PARTITION_STORE_CREDENTIALS": "{store: partitions}",
        }
    )
    assert settings.partition_store == "s3://acme-carbon/partitions"
    assert settings.partition_store_endpoint_url == "http://minio:9000"
    assert parse_credentials(settings.partition_store_credentials) == {"store": "partitions"}
    assert load_settings({}).partition_store is None
    with pytest.raises(ConfigError, match="unknown key 'credentials.password'"):
        parse_credentials("{password: hunter2}")


def _activity_row(con: duckdb.DuckDBPyConnection, source_id: str, month: date, line: int, quantity: float) -> None:
    con.execute(
        """INSERT INTO raw.activity_rows (source_id, template, period_month, object_key, object_version, object_line,
               quantity, unit)
           VALUES (?, 'electricity', ?, 'bills.csv', 'sha-1', ?, ?, 'kWh')""",
        [source_id, month, line, quantity],
    )


def test_a_month_round_trips_with_its_deliveries_and_only_a_changed_month_is_written_again(
    tmp_path: Path, store: Store
):
    with warehouse_connection(tmp_path / "a.duckdb") as con:
        for line, quantity in ((2, 10.5), (3, 11.25), (3, 11.25)):  # a duplicated row must survive as two
            _activity_row(con, "bills", MAY, line, quantity)
        con.execute(
            """INSERT INTO raw.deliveries (source_id, source_kind, period_month, delivery_id, row_count, status)
               VALUES ('bills', 'activity_csv', ?, 'sha-1', 3, 'loaded'),
                      ('cur', 'aws_cur', ?, 'assembly-1', 9, 'loaded')""",
            [MAY, MAY],
        )
        a = open_store(store, tmp_path / "work-a")
        (line,) = a.publish(con, "raw.activity_rows", [MAY])
        assert line.startswith("raw.activity_rows 2025-05: published ")
        assert a.publish(con, "raw.activity_rows", [MAY]) == [line.replace("published", "unchanged")]
        assert a.publish(con, "raw.activity_rows", [JUNE]) == ["raw.activity_rows 2025-06: empty, nothing stored"]
    first = store.objects()
    pointer = store.pointer("raw.activity_rows", MAY)
    assert [(f["table"], f["rows"]) for f in pointer["files"]] == [
        ("raw.activity_rows", 3),
        ("raw.deliveries", 1),  # the activity kind's delivery travels, the CUR's does not
        ("audit.restatements", 0),
    ]

    with warehouse_connection(tmp_path / "b.duckdb") as con:
        b = open_store(store, tmp_path / "work-b")
        assert b.hydrate(con, [MAY, JUNE]) == [f"raw.activity_rows 2025-05: hydrated {pointer['version']}"]
        assert b.hydrate(con, [MAY, JUNE]) == [], "already at the store's version"
        assert con.execute("SELECT object_line, quantity FROM raw.activity_rows ORDER BY ALL").fetchall() == [
            (2, 10.5),
            (3, 11.25),
            (3, 11.25),
        ]
        assert con.execute("SELECT source_id FROM raw.deliveries").fetchall() == [("bills",)]
        assert b.publish(con, "raw.activity_rows", [MAY]) == [
            f"raw.activity_rows 2025-05: unchanged {pointer['version']}"
        ]
        assert store.objects() == first
        con.execute("UPDATE raw.activity_rows SET quantity = 12.0 WHERE object_line = 2")
        (changed,) = b.publish(con, "raw.activity_rows", [MAY])
    assert changed.endswith(f"(was {pointer['version']})")
    assert store.pointer("raw.activity_rows", MAY)["previous_version"] == pointer["version"]

    with warehouse_connection(tmp_path / "a.duckdb") as con:  # host A's copy is now stale: it is replaced
        (hydrated,) = a.hydrate(con, [MAY])
        assert hydrated.startswith("raw.activity_rows 2025-05: hydrated ")
        assert con.execute("SELECT SUM(quantity) FROM raw.activity_rows").fetchall() == [(12.0 + 11.25 * 2,)]
        assert con.execute("SELECT COUNT(*) FROM raw.deliveries WHERE source_kind = 'aws_cur'").fetchall() == [(1,)]


@pytest.mark.parametrize("store", ["folder"], indirect=True)
def test_a_referenced_cur_month_travels_as_its_groups_and_object_list_and_a_second_host_builds_the_same_marts(
    tmp_path: Path, demo_files: Path, store: Store
):
    def referencing(root: Path) -> Deployment:
        deployment = host(root, demo_files, store)
        sources = deployment.settings.sources_file
        sources.write_text(
            sources.read_text().replace("kind: aws_cur\n", "kind: aws_cur\n    raw_line_items: reference\n", 1)
        )
        return deployment

    host_a = referencing(tmp_path / "host-a")
    first = host_a.run(MAY, JUNE)
    assert first.success, failure_messages(first)
    june = store.pointer("raw.aws_cur_line_items", JUNE)
    rows = {f["table"]: f["rows"] for f in june["files"]}
    assert rows["raw.aws_cur_line_items"] == 0  # no line item copied ...
    assert rows["raw.cur_line_item_groups"] > 0 and rows["raw.delivery_objects"] == 1  # ... their groups instead

    host_b = referencing(tmp_path / "host-b")
    second = host_b.run(MAY, JUNE)
    assert second.success, failure_messages(second)
    assert cur_metadata(second, "skipped_unchanged") == ["demo-cur 2025-05-01", "demo-cur 2025-06-01"]
    assert host_b.query("SELECT DISTINCT raw_storage FROM raw.delivery_objects") == [("referenced",)]
    assert checksums(host_b, SERVED + TRAVELLING + ("ledger.activity",)) == checksums(
        host_a, SERVED + TRAVELLING + ("ledger.activity",)
    )
