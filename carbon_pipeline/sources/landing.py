"""Where a source's objects live. Readers speak in object keys relative to the source's `uri`, so the
same reader serves a local folder laid out like the bucket and (later) the bucket itself.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Protocol

from carbon_pipeline.errors import ConfigError, SourceError
from carbon_pipeline.sources.config import SourceConfig
from carbon_pipeline.sources.local_copies import ReadsLocalCopies


class Landing(Protocol):
    source_id: str

    def list_dirs(self, prefix: str) -> list[str]: ...
    def list_files(self, prefix: str, suffix: str = "") -> list[str]: ...
    def exists(self, key: str) -> bool: ...
    def local_path(self, key: str) -> Path: ...
    def read_json(self, key: str) -> Any: ...
    def sha256(self, key: str) -> str: ...
    def cleanup(self) -> None: ...
    def version(self, key: str) -> str: ...


class LocalLanding(ReadsLocalCopies):
    """A folder laid out exactly like the bucket prefix would be."""

    def __init__(self, source_id: str, root: Path) -> None:
        self.source_id = source_id
        self.root = root

    def _path(self, key: str) -> Path:
        path = (self.root / key).resolve()
        if self.root.resolve() not in (path, *path.parents):
            raise SourceError("object key escapes the source folder", source_id=self.source_id, object_key=key)
        return path

    def _entries(self, prefix: str) -> list[Path]:
        """The folder's entries; a folder this process may not read is a message naming it, not a traceback."""
        folder = self._path(prefix)
        if not folder.is_dir():
            return []
        try:
            return list(folder.iterdir())
        except OSError as exc:
            raise SourceError(
                f"folder {folder} cannot be read ({exc.strerror or exc}); nothing was loaded",
                source_id=self.source_id,
            ) from None

    def list_dirs(self, prefix: str) -> list[str]:
        return sorted(p.name for p in self._entries(prefix) if p.is_dir())

    def list_files(self, prefix: str, suffix: str = "") -> list[str]:
        return sorted(p.name for p in self._entries(prefix) if p.is_file() and p.name.endswith(suffix))

    def exists(self, key: str) -> bool:
        return self._path(key).is_file()

    def local_path(self, key: str) -> Path:
        path = self._path(key)
        if not path.is_file():
            raise SourceError("object listed by the manifest does not exist", source_id=self.source_id, object_key=key)
        try:  # opening is the only real test (os.access answers yes to root whatever the mode)
            with path.open("rb"):
                pass
        except OSError as exc:
            raise SourceError(
                f"file {path} cannot be read ({exc.strerror or exc}); nothing was loaded",
                source_id=self.source_id,
                object_key=key,
            ) from None
        return path

    def cleanup(self) -> None:
        """Nothing to clean: the folder is the user's."""

    def version(self, key: str) -> str:
        stat = self.local_path(key).stat()
        return f"{stat.st_size}-{stat.st_mtime_ns}"


def open_landing(source: SourceConfig) -> Landing:
    if source.is_s3:
        return _s3_landing(source)
    root = Path(source.uri)
    if not root.is_dir():
        raise ConfigError(f"source '{source.id}': uri folder does not exist: {root}")
    return LocalLanding(source.id, root)


def _s3_landing(source: SourceConfig) -> Landing:
    from carbon_pipeline.safety.s3_client import make_s3_client
    from carbon_pipeline.settings import load_settings
    from carbon_pipeline.sources.credentials import resolve_credentials
    from carbon_pipeline.sources.s3 import MAX_ATTEMPTS, S3Landing

    region = source.options.get("region")
    endpoint_url = source.options.get("endpoint_url")
    credentials = resolve_credentials(
        source.id, source.options.get("credentials"), region=region, endpoint_url=endpoint_url
    )
    client = make_s3_client(
        region_name=region, endpoint_url=endpoint_url, max_attempts=MAX_ATTEMPTS, **credentials.as_kwargs()
    )
    return S3Landing(source.id, source.uri, client, load_settings().staging)
