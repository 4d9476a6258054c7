"""Where partition files live: a local (or mounted) folder, or an S3 prefix.

Both offer the same few operations on keys relative to the store's root. The only write a reader may
observe half-done is prevented by the callers: data files are written under new keys first, and the
small pointer that names them is written last in one atomic step (``os.replace`` locally, a single
PUT on S3, where an object is never visible half-written).
"""

from __future__ import annotations

import os
import shutil
import uuid
from pathlib import Path
from typing import Any, Protocol

from botocore.exceptions import BotoCoreError, ClientError

from carbon_pipeline.safety.paths import UnsafePathError, contained

NOT_FOUND = {"404", "NoSuchKey", "NotFound"}


class PartitionStoreError(RuntimeError):
    """The store cannot be read or written; the message names the store and the key."""


class Backend(Protocol):
    url: str

    def read_bytes(self, key: str) -> bytes | None: ...

    def write_bytes(self, key: str, data: bytes) -> None: ...

    def upload(self, key: str, path: Path) -> None: ...

    def download(self, key: str, path: Path) -> None: ...

    def list_keys(self, prefix: str) -> list[str]: ...

    def delete(self, key: str) -> None: ...


class LocalFolder:
    """A folder, possibly a network mount shared by several hosts."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.url = str(root)

    def _path(self, key: str) -> Path:
        # keys come from pointers read back from the store, which another host writes: never leave the root
        try:
            contained(self.root, key)
        except UnsafePathError as exc:
            raise PartitionStoreError(f"partition store {self.url}: {exc}") from exc
        return self.root / key

    def read_bytes(self, key: str) -> bytes | None:
        try:
            return self._path(key).read_bytes()
        except FileNotFoundError:
            return None

    def _atomic(self, key: str, write: Any) -> None:
        target = self._path(key)
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.parent / f".{target.name}.{uuid.uuid4().hex}.part"
        try:
            write(partial)
            os.replace(partial, target)
        finally:
            partial.unlink(missing_ok=True)

    def write_bytes(self, key: str, data: bytes) -> None:
        self._atomic(key, lambda partial: partial.write_bytes(data))

    def upload(self, key: str, path: Path) -> None:
        self._atomic(key, lambda partial: shutil.copyfile(path, partial))

    def download(self, key: str, path: Path) -> None:
        source = self._path(key)
        if not source.is_file():
            raise PartitionStoreError(f"partition store {self.url}: file {key} named by a pointer is missing")
        shutil.copyfile(source, path)

    def list_keys(self, prefix: str) -> list[str]:
        folder = self._path(prefix)
        if not folder.is_dir():
            return []
        return sorted(p.relative_to(self.root).as_posix() for p in folder.rglob("*") if p.is_file())

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)


class S3Prefix:
    """An S3 (or S3-compatible) prefix, through a boto3 client built like a source's (dagster-aws,
    standard retry mode)."""

    def __init__(self, bucket: str, prefix: str, client: Any) -> None:
        self.bucket = bucket
        self.prefix = prefix.strip("/")
        self.client = client
        self.url = f"s3://{bucket}/{self.prefix}" if self.prefix else f"s3://{bucket}"

    def _key(self, key: str) -> str:
        return f"{self.prefix}/{key}" if self.prefix else key

    def _fail(self, action: str, key: str, exc: Exception) -> PartitionStoreError:
        where = f"s3://{self.bucket}/{self._key(key)}"
        if isinstance(exc, ClientError):
            code = exc.response.get("Error", {}).get("Code", "")
            status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
            if code in ("AccessDenied", "403") or status == 403:
                return PartitionStoreError(
                    f"partition store: access denied to {action} {where} (bucket '{self.bucket}', prefix "
                    f"'{self.prefix}'): check CARBON_PARTITION_STORE_CREDENTIALS and the bucket policy"
                )
            return PartitionStoreError(f"partition store: S3 error {code or status} trying to {action} {where}")
        return PartitionStoreError(f"partition store: cannot reach S3 to {action} {where}: {type(exc).__name__}")

    def read_bytes(self, key: str) -> bytes | None:
        try:
            return self.client.get_object(Bucket=self.bucket, Key=self._key(key))["Body"].read()
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in NOT_FOUND:
                return None
            raise self._fail("read", key, exc) from exc
        except BotoCoreError as exc:
            raise self._fail("read", key, exc) from exc

    def write_bytes(self, key: str, data: bytes) -> None:
        try:
            self.client.put_object(Bucket=self.bucket, Key=self._key(key), Body=data)
        except (ClientError, BotoCoreError) as exc:
            raise self._fail("write", key, exc) from exc

    def upload(self, key: str, path: Path) -> None:
        try:
            self.client.upload_file(str(path), self.bucket, self._key(key))
        except (ClientError, BotoCoreError) as exc:
            raise self._fail("write", key, exc) from exc

    def download(self, key: str, path: Path) -> None:
        try:
            self.client.download_file(self.bucket, self._key(key), str(path))
        except (ClientError, BotoCoreError) as exc:
            raise self._fail("read", key, exc) from exc

    def list_keys(self, prefix: str) -> list[str]:
        full = self._key(prefix).rstrip("/") + "/"
        keys: list[str] = []
        try:
            for page in self.client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=full):
                keys += [o["Key"] for o in page.get("Contents", [])]
        except (ClientError, BotoCoreError) as exc:
            raise self._fail("list", prefix, exc) from exc
        strip = len(self.prefix) + 1 if self.prefix else 0
        return sorted(k[strip:] for k in keys)

    def delete(self, key: str) -> None:
        try:
            self.client.delete_object(Bucket=self.bucket, Key=self._key(key))
        except (ClientError, BotoCoreError) as exc:
            raise self._fail("delete", key, exc) from exc
