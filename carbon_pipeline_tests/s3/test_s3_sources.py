"""Sources in S3, read over real HTTP from a moto S3 server (through a proxy that can inject faults):
the same inventory as from a local folder, retries on throttling, a clear error on access denied,
and no secret in any file a run leaves behind."""

from __future__ import annotations

import json
import uuid
from datetime import date
from pathlib import Path

import boto3
import dagster as dg
import pytest
import yaml

from carbon_pipeline.runner import failure_messages, run_inventory
from carbon_pipeline_tests.conftest import settings_under, table_checksum
from carbon_pipeline_tests.s3.fault_proxy import Fault, FaultProxy

BUCKET = "demo-billing-bucket"
FIRST, LAST = date(2025, 1, 1), date(2025, 4, 1)
CANARY = f"canary-{uuid.uuid4()}-secret"

CREDENTIALS = {"env": {"access_key_id": "TEST_S3_KEY_ID", "secret_access_key": "TEST_S3_SECRET"}}


def s3_sources(demo_sources: Path, bucket: str, endpoint: str) -> str:
    """The demo's own sources file with every source moved to the bucket: the S3 deployment reads exactly
    what the local one does, however many sources the demo grows."""
    document = yaml.safe_load(demo_sources.read_text())
    for source in document["sources"]:
        source["uri"] = f"s3://{bucket}/" + source["uri"].removeprefix("landing/")
        source.update(endpoint_url=endpoint, region="us-east-1", credentials=CREDENTIALS)
    return yaml.safe_dump(document, sort_keys=False)


@pytest.fixture
def moto_endpoint(moto_server) -> tuple[str, int]:
    return moto_server


def upload_demo(host: str, port: int, demo_files: Path) -> str:
    """A new bucket holding the demo landing zone; its name."""
    admin = boto3.client(
        "s3",
        endpoint_url=f"http://{host}:{port}",
        region_name="us-east-1",
        aws_access_key_id="admin",
        aws_secret_access_key="admin",
    )
    bucket = f"{BUCKET}-{uuid.uuid4().hex[:8]}"
    admin.create_bucket(Bucket=bucket)
    landing = demo_files / "landing"
    for path in landing.rglob("*"):
        if path.is_file():
            admin.upload_file(str(path), bucket, path.relative_to(landing).as_posix())
    return bucket


@pytest.fixture(scope="module")
def demo_bucket(moto_server, demo_files: Path) -> str:
    """The demo landing zone uploaded once for the tests that only read the bucket (faults are injected by
    each test's own proxy, never stored in the bucket)."""
    return upload_demo(*moto_server, demo_files)


def deployment_over(bucket: str, tmp_path: Path, demo_files: Path, moto_endpoint, monkeypatch):
    """A deployment whose sources all point at ``bucket`` through a fault-injecting proxy of its own."""
    host, port = moto_endpoint
    monkeypatch.setenv("TEST_S3_KEY_ID", "AKIATESTKEY")
    monkeypatch.setenv("TEST_S3_SECRET", CANARY)
    monkeypatch.setenv("CARBON_STAGING", str(tmp_path / "staging"))
    proxy = FaultProxy(host, port)
    endpoint = proxy.start()
    sources = tmp_path / "sources.yaml"
    sources.write_text(s3_sources(demo_files / "sources.yaml", bucket, endpoint))
    settings = settings_under(tmp_path, sources)
    return settings, proxy, bucket


@pytest.fixture
def s3_deployment(tmp_path: Path, demo_files: Path, demo_bucket: str, moto_endpoint, monkeypatch):
    """The demo landing zone in the shared read-only bucket; a deployment whose sources all point at it
    through a fault-injecting proxy."""
    settings, proxy, bucket = deployment_over(demo_bucket, tmp_path, demo_files, moto_endpoint, monkeypatch)
    yield settings, proxy, bucket
    proxy.stop()


@pytest.fixture
def s3_deployment_with_its_own_bucket(tmp_path: Path, demo_files: Path, moto_endpoint, monkeypatch):
    """As s3_deployment, over a bucket of its own that the test may change (a redelivery)."""
    bucket = upload_demo(*moto_endpoint, demo_files)
    settings, proxy, bucket = deployment_over(bucket, tmp_path, demo_files, moto_endpoint, monkeypatch)
    yield settings, proxy, bucket
    proxy.stop()


@pytest.fixture(scope="module")
def s3_runs(tmp_path_factory, demo_files: Path, demo_bucket: str, moto_server):
    """Two runs over the shared bucket, on an instance whose files stay in the folder: one month that fails
    (access to the carbon exports denied once), then FIRST..LAST. Module scope: the inventory test and the
    secret test read the same runs (one four-month run over S3 fewer, docs/testing.md)."""
    root = tmp_path_factory.mktemp("s3-runs")
    with pytest.MonkeyPatch.context() as monkeypatch:
        settings, proxy, _ = deployment_over(demo_bucket, root, demo_files, moto_server, monkeypatch)
        try:
            proxy.faults.append(Fault("GET", "carbon-exports", 403, "AccessDenied", remaining=1))  # an error path
            (root / "dagster_home").mkdir()
            with dg.DagsterInstance.local_temp(tempdir=str(root / "dagster_home")) as instance:
                failed = run_inventory(settings, FIRST, FIRST, instance=instance)
                result = run_inventory(settings, FIRST, LAST, instance=instance)
        finally:
            proxy.stop()
    return root, settings, proxy, failed, result


def test_sources_read_from_s3_give_the_same_inventory_as_the_local_folder(s3_runs, built):
    _, settings, proxy, _, result = s3_runs
    assert result.success, failure_messages(result)
    from_s3 = _summary(settings.warehouse)
    local = [r for r in built.query("SELECT * FROM marts.scope_summary ORDER BY ALL") if FIRST <= r[0] <= LAST]
    assert from_s3 == local
    assert any(method == "GET" and "demo-cur-1.csv.gz" in path for method, path in proxy.requests)
    assert not (settings.staging / "demo-cur").exists(), "staging is removed once the months are committed"


def test_throttling_is_retried_with_backoff_and_the_run_succeeds(s3_deployment):
    settings, proxy, _ = s3_deployment
    slow_down = Fault("GET", "demo-cur-1.csv.gz", 503, "SlowDown", remaining=2)
    proxy.faults.append(slow_down)
    result = run_inventory(settings, FIRST, FIRST)
    assert result.success, failure_messages(result)
    assert slow_down.served == 2


def test_access_denied_names_bucket_and_prefix_and_changes_nothing(s3_deployment):
    settings, proxy, bucket = s3_deployment
    assert run_inventory(settings, FIRST, FIRST).success
    before = table_checksum(settings.warehouse, "raw.aws_carbon_emissions")
    proxy.faults.append(Fault("GET", "carbon-exports", 403, "AccessDenied", remaining=-1))
    proxy.faults.append(Fault("HEAD", "carbon-exports", 403, "AccessDenied", remaining=-1))
    result = run_inventory(settings, FIRST, FIRST)
    assert not result.success
    message = " ".join(failure_messages(result))
    assert "access denied" in message
    assert f"bucket '{bucket}'" in message and "prefix 'carbon-exports/demo-carbon'" in message
    assert "source 'demo-carbon'" in message
    assert table_checksum(settings.warehouse, "raw.aws_carbon_emissions") == before


def test_the_secret_appears_in_no_file_the_run_produced(s3_runs):
    root, _, _, failed, result = s3_runs
    assert not failed.success and result.success  # the error path and the success path both wrote their files
    files = [p for p in root.rglob("*") if p.is_file()]
    assert any(p.suffix == ".duckdb" for p in files) and any("dagster_home" in str(p) for p in files)
    leaking = [str(p) for p in files if CANARY.encode() in p.read_bytes()]
    assert leaking == []


def _summary(path: Path) -> list[tuple]:
    import duckdb

    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute("SELECT * FROM marts.scope_summary ORDER BY ALL").fetchall()
    finally:
        con.close()


def test_sensor_on_the_bucket_runs_new_deliveries_once_and_a_redelivery_as_a_restatement(
    s3_deployment_with_its_own_bucket, moto_endpoint
):
    from carbon_pipeline.definitions import build_definitions
    from carbon_pipeline.defs.automation.sensors import MAX_RUNS_PER_TICK
    from carbon_pipeline.months import months_between
    from carbon_pipeline.orchestration.partitions import SOURCES_TAG
    from carbon_pipeline.orchestration.resources import SourcesResource

    settings, proxy, bucket = s3_deployment_with_its_own_bucket
    defs = build_definitions(settings)
    sensor = next(s for s in defs.sensors if s.name == "demo_cur_deliveries")
    resources = {"sources": SourcesResource(path=str(settings.sources_file))}

    def tick(cursor=None):
        with dg.build_sensor_context(cursor=cursor, resources=resources, repository_def=defs.get_repository_def()) as c:
            return sensor.evaluate_tick(c)

    def launch(requests):
        for request in requests:
            month = date.fromisoformat(request.partition_key)
            tags = {SOURCES_TAG: request.tags[SOURCES_TAG]}
            result = run_inventory(settings, month, month, job_name=sensor.job_name, tags=tags)
            assert result.success, failure_messages(result)

    # a bounded number of requests per tick, newest months first, until every delivered month was requested
    requested, cursor = [], None
    while True:
        result = tick(cursor)
        assert len(result.run_requests) <= MAX_RUNS_PER_TICK
        if not result.run_requests:
            break
        requested += result.run_requests
        cursor = result.cursor
    every_month = [f"{m:%Y-%m-%d}" for m in months_between(date(2024, 1, 1), date(2026, 1, 1))]
    assert [r.partition_key for r in requested] == every_month[::-1]
    launch([r for r in requested if r.partition_key == "2025-02-01"])
    assert _count(settings.warehouse, "SELECT COUNT(*) FROM marts.scope_summary") > 0
    assert tick(cursor).run_requests == []  # the same manifests again: no new run

    host, port = moto_endpoint
    admin = boto3.client(
        "s3",
        endpoint_url=f"http://{host}:{port}",
        region_name="us-east-1",
        aws_access_key_id="admin",
        aws_secret_access_key="admin",
    )
    period = "cur-reports/demo-cur/20250201-20250301"
    manifest = json.loads(admin.get_object(Bucket=bucket, Key=f"{period}/demo-cur-Manifest.json")["Body"].read())
    old_key = manifest["reportKeys"][0]
    new_key = old_key.replace(manifest["assemblyId"], "99999999-aaaa-bbbb-cccc-dddddddddddd")
    admin.copy_object(Bucket=bucket, Key=new_key, CopySource={"Bucket": bucket, "Key": old_key})
    previous_assembly = manifest["assemblyId"]
    manifest.update(assemblyId="99999999-aaaa-bbbb-cccc-dddddddddddd", reportKeys=[new_key])
    admin.put_object(Bucket=bucket, Key=f"{period}/demo-cur-Manifest.json", Body=json.dumps(manifest).encode())

    again = tick(cursor)
    assert [r.partition_key for r in again.run_requests] == ["2025-02-01"]
    launch(again.run_requests)
    assert (
        _count(
            settings.warehouse,
            "SELECT COUNT(*) FROM audit.restatements WHERE source_id = 'demo-cur' AND period_month = DATE '2025-02-01' "
            f"AND previous_identity = '{previous_assembly}'",
        )
        == 1
    )


def _count(path: Path, sql: str) -> int:
    import duckdb

    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute(sql).fetchall()[0][0]
    finally:
        con.close()


@pytest.mark.parametrize("mode", ["role", "store"])
def test_a_source_can_assume_a_role_with_an_external_id_or_use_a_credential_store_entry(
    s3_deployment, tmp_path, monkeypatch, mode
):
    from carbon_pipeline.secrets.store import CredentialStore, generate_key

    settings, proxy, _ = s3_deployment
    env_credentials = "{env: {access_key_id: TEST_S3_KEY_ID, secret_access_key: TEST_S3_SECRET}}"
    if mode == "role":
        replacement = (
            '{role: {arn: "arn:aws:iam::123456789012:role/carbon-read", external_id: acme-7c1f, '
            f"base: {env_credentials}}}}}"
        )
    else:
        key = generate_key()
        store_path = tmp_path / "credentials.enc"
        CredentialStore(store_path, key).put(
            "demo-bucket", {"aws_access_key_id": "AKIASTORE", "aws_secret_access_key": CANARY}
        )
        monkeypatch.setenv("CARBON_CREDENTIALS_KEY", key)
        monkeypatch.setenv("CARBON_CREDENTIALS_STORE", str(store_path))
        replacement = "{store: demo-bucket}"
    document = yaml.safe_load(settings.sources_file.read_text())
    for source in document["sources"]:
        assert source["credentials"] == yaml.safe_load(env_credentials)
        source["credentials"] = yaml.safe_load(replacement)
    settings.sources_file.write_text(yaml.safe_dump(document, sort_keys=False))
    result = run_inventory(settings, FIRST, FIRST)
    assert result.success, failure_messages(result)
    if mode == "role":
        assert any(method == "POST" for method, _ in proxy.requests)  # the STS AssumeRole call
    assert _count(settings.warehouse, "SELECT COUNT(*) FROM raw.aws_cur_line_items") > 0
    leaking = [
        str(p)
        for p in tmp_path.rglob("*")
        if p.is_file() and p.name != "credentials.enc" and CANARY.encode() in p.read_bytes()
    ]
    assert leaking == []
