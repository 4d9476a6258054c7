"""`raw_line_items: archive` over S3 (a moto server over real HTTP): the bytes archived are the bytes the bucket
served, and the month stays traceable to them after the bucket overwrites the object and the staging folder is
gone."""

from __future__ import annotations

import gzip
import hashlib
import uuid
from pathlib import Path

import boto3

from carbon_pipeline.sources.archive import archived_copy
from carbon_pipeline.sources.aws_cur import reader as aws_cur
from carbon_pipeline.sources.config import SourceConfig
from carbon_pipeline.sources.landing import open_landing
from carbon_pipeline.warehouse.connection import open_warehouse, transaction
from carbon_pipeline_tests.sources.test_cur_formats import DAILY, NOVEMBER, legacy_report


def test_an_archived_s3_object_is_the_bucket_s_bytes_and_outlives_an_overwrite(
    tmp_path: Path, moto_server, monkeypatch
):
    host, port = moto_server
    endpoint = f"http://{host}:{port}"
    local = legacy_report(
        tmp_path, NOVEMBER, {"acme-cur-1.csv.gz": gzip.compress(DAILY.read_bytes())}, layout="overwrite"
    )
    bucket = f"archive-{uuid.uuid4().hex[:8]}"
    admin = boto3.client(
        "s3", endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="a", aws_secret_access_key="a"
    )
    admin.create_bucket(Bucket=bucket)
    report = Path(local.uri)
    for path in report.rglob("*"):
        if path.is_file():
            admin.upload_file(str(path), bucket, f"prefix/acme-cur/{path.relative_to(report).as_posix()}")
    monkeypatch.setenv("ARCHIVE_TEST_KEY_ID", "AKIATESTKEY")
    monkeypatch.setenv("ARCHIVE_TEST_SECRET", "not-a-secret")
    monkeypatch.setenv("CARBON_STAGING", str(tmp_path / "staging"))
    options = {
        "endpoint_url": endpoint,
        "region": "us-east-1",
        "credentials": {"env": {"access_key_id": "ARCHIVE_TEST_KEY_ID", "secret_access_key": "ARCHIVE_TEST_SECRET"}},
        "raw_line_items": "archive",
    }
    source = SourceConfig(local.id, "aws_cur", f"s3://{bucket}/prefix/acme-cur", options)
    con = open_warehouse(tmp_path / "warehouse.duckdb")
    landing = open_landing(source)
    try:
        with transaction(con):
            summary = aws_cur.load_month(con, landing, source, NOVEMBER)
    finally:
        landing.cleanup()

    [(key, uri, relative, sha256)] = con.execute(
        "SELECT object_key, object_uri, archived_as, archived_sha256 FROM raw.delivery_objects"
    ).fetchall()
    served = admin.get_object(Bucket=bucket, Key=f"prefix/acme-cur/{key}")["Body"].read()
    assert summary.rows == 1281 and summary.raw_line_items == "archived"
    assert uri == f"s3://{bucket}/prefix/acme-cur/{key}"
    assert sha256 == hashlib.sha256(served).hexdigest()
    assert not (tmp_path / "staging").exists() or not any((tmp_path / "staging").iterdir())

    admin.put_object(Bucket=bucket, Key=f"prefix/acme-cur/{key}", Body=gzip.compress(b"identity/LineItemId\n"))
    kept = archived_copy(tmp_path / "warehouse.duckdb.archive", relative, sha256, source_id=source.id, object_key=key)
    assert kept.read_bytes() == served
    con.close()
