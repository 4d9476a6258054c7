"""Opening the partition store named by the deployment's settings.

An S3 store gets its client the way an S3 source does: dagster-aws ``S3Resource`` with the standard
retry mode, an optional region and endpoint URL, and credentials given in the same forms as a source's
``credentials:`` (the default chain, names of environment variables, a role, or a credential-store
entry), never as values.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from carbon_pipeline.errors import ConfigError
from carbon_pipeline.storage.backends import Backend, LocalFolder, S3Prefix
from carbon_pipeline.storage.partition_store import PartitionStore

STORE_ID = "partition-store"


def parse_credentials(text: str | None) -> dict | None:
    """CARBON_PARTITION_STORE_CREDENTIALS holds a source's ``credentials:`` value as YAML flow text,
    e.g. ``{env: {access_key_id: KEY_VAR, secret_access_key: SECRET_VAR}}`` or ``{store: prod-store}``."""
    from carbon_pipeline.sources.credentials import validate_credentials_option

    if not text or not text.strip():
        return None
    try:
        option = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ConfigError(f"CARBON_PARTITION_STORE_CREDENTIALS is not valid YAML: {exc}") from exc
    validate_credentials_option(STORE_ID, option)
    return option


def open_backend(
    url: str, *, region: str | None = None, endpoint_url: str | None = None, credentials: str | None = None
) -> Backend:
    if not url.startswith("s3://"):
        return LocalFolder(Path(url))
    from carbon_pipeline.safety.s3_client import make_s3_client
    from carbon_pipeline.sources.credentials import resolve_credentials
    from carbon_pipeline.sources.s3 import MAX_ATTEMPTS, split_uri

    bucket, prefix = split_uri(url)
    if not bucket:
        raise ConfigError(f"CARBON_PARTITION_STORE '{url}' names no bucket")
    keys = resolve_credentials(STORE_ID, parse_credentials(credentials), region=region, endpoint_url=endpoint_url)
    client = make_s3_client(
        region_name=region or None, endpoint_url=endpoint_url or None, max_attempts=MAX_ATTEMPTS, **keys.as_kwargs()
    )
    return S3Prefix(bucket, prefix, client)


def open_partition_store(
    url: str,
    work_dir: Path,
    *,
    region: str | None = None,
    endpoint_url: str | None = None,
    credentials: str | None = None,
) -> PartitionStore:
    """``work_dir`` holds the Parquet files of a partition while it is written or read (removed after)."""
    return PartitionStore(
        open_backend(url, region=region, endpoint_url=endpoint_url, credentials=credentials), work_dir
    )
