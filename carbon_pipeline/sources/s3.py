"""Sources in S3 (or an S3-compatible store): the same object keys as a local landing folder, read
through a dagster-aws S3 client.

Objects are downloaded (streamed to disk by s3transfer) into a staging folder keyed by the object's
ETag, and DuckDB reads them from there: DuckDB's httpfs extension cannot be installed offline, and a
local copy keyed by ETag is also what makes a retry cheap. The client's standard retry mode backs
off exponentially on throttling (503 SlowDown) and transient errors. Staging is removed after the
partition is committed (see ``cleanup``); after a failure it stays for inspection.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from carbon_pipeline.errors import SourceError
from carbon_pipeline.safety.paths import UnsafePathError, strictly_contained
from carbon_pipeline.safety.s3_client import Deadline, S3DeadlineExceeded
from carbon_pipeline.sources.local_copies import ReadsLocalCopies

MAX_ATTEMPTS = 10
NOT_FOUND = {"404", "NoSuchKey", "NotFound"}


def split_uri(uri: str) -> tuple[str, str]:
    without = uri[len("s3://") :]
    bucket, _, prefix = without.partition("/")
    return bucket, prefix.strip("/")


class S3Landing(ReadsLocalCopies):
    def __init__(self, source_id: str, uri: str, client: Any, staging_root: Path) -> None:
        self.source_id = source_id
        self.bucket, self.prefix = split_uri(uri)
        self.client = client
        # the one folder of this source under the staging root, never the root itself or outside it: cleanup
        # deletes it (a source id of '..' once made a run delete the staging root's parent)
        try:
            self.staging = strictly_contained(staging_root, source_id)
        except UnsafePathError as exc:
            raise SourceError(f"staging folder not allowed: {exc}", source_id=source_id) from exc
        self.deadline = Deadline(client)

    def _key(self, key: str) -> str:
        key = key.strip("/")
        return f"{self.prefix}/{key}" if self.prefix and key else (self.prefix or key)

    def _fail(self, key: str, exc: Exception) -> SourceError:
        if isinstance(exc, ClientError):
            code = exc.response.get("Error", {}).get("Code", "")
            status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
            if code in ("AccessDenied", "403") or status == 403:
                reason = (
                    f"access denied to s3://{self.bucket}/{self._key(key)} (bucket '{self.bucket}', prefix "
                    f"'{self.prefix}'): check the source's credentials and the bucket policy"
                )
            else:
                reason = f"S3 error {code or status} on s3://{self.bucket}/{self._key(key)}"
        elif isinstance(exc, S3DeadlineExceeded):
            reason = (
                f"S3 did not answer for s3://{self.bucket}/{self._key(key)} (bucket '{self.bucket}', prefix "
                f"'{self.prefix}'): {exc}"
            )
        else:
            reason = (
                f"cannot reach S3 for s3://{self.bucket}/{self._key(key)} (bucket '{self.bucket}', prefix "
                f"'{self.prefix}'): {type(exc).__name__}"
            )
        return SourceError(reason, source_id=self.source_id, object_key=key)

    def _list(self, prefix: str) -> tuple[list[str], list[dict[str, Any]]]:
        full = self._key(prefix)
        full = f"{full}/" if full else ""
        dirs: list[str] = []
        files: list[dict[str, Any]] = []
        try:
            with self.deadline.within():
                pages = list(
                    self.client.get_paginator("list_objects_v2").paginate(
                        Bucket=self.bucket, Prefix=full, Delimiter="/"
                    )
                )
            for page in pages:
                dirs += [p["Prefix"][len(full) :].rstrip("/") for p in page.get("CommonPrefixes", [])]
                files += [{**o, "Name": o["Key"][len(full) :]} for o in page.get("Contents", [])]
        except (ClientError, BotoCoreError) as exc:
            raise self._fail(prefix, exc) from exc
        return dirs, files

    def list_dirs(self, prefix: str) -> list[str]:
        return sorted(self._list(prefix)[0])

    def list_files(self, prefix: str, suffix: str = "") -> list[str]:
        return sorted(f["Name"] for f in self._list(prefix)[1] if f["Name"].endswith(suffix) and f["Name"])

    def _head(self, key: str) -> dict[str, Any] | None:
        try:
            with self.deadline.within():
                return self.client.head_object(Bucket=self.bucket, Key=self._key(key))
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in NOT_FOUND:
                return None
            raise self._fail(key, exc) from exc
        except BotoCoreError as exc:
            raise self._fail(key, exc) from exc

    def exists(self, key: str) -> bool:
        return self._head(key) is not None

    def local_path(self, key: str) -> Path:
        head = self._head(key)
        if head is None:
            raise SourceError("object listed by the manifest does not exist", source_id=self.source_id, object_key=key)
        etag = str(head.get("ETag", "")).strip('"') or "no-etag"
        try:  # the ETag comes from the server: it must not steer the copy out of the staging folder
            folder = strictly_contained(self.staging, f"{hashlib.sha1(key.encode()).hexdigest()[:12]}-{etag}")
            path = strictly_contained(folder, Path(key).name)
        except UnsafePathError as exc:
            raise SourceError(f"cannot be staged: {exc}", source_id=self.source_id, object_key=key) from exc
        if not path.exists():
            folder.mkdir(parents=True, exist_ok=True)
            partial = folder / f".{path.name}.part"
            try:
                self.client.download_file(self.bucket, self._key(key), str(partial))
            except (ClientError, BotoCoreError) as exc:
                partial.unlink(missing_ok=True)
                raise self._fail(key, exc) from exc
            os.replace(partial, path)
        return path

    def version(self, key: str) -> str:
        head = self._head(key)
        if head is None:
            raise SourceError("object listed by the manifest does not exist", source_id=self.source_id, object_key=key)
        return str(head.get("VersionId") or head.get("ETag", "")).strip('"')

    def cleanup(self) -> None:
        shutil.rmtree(self.staging, ignore_errors=True)
