"""Reading an object once it is a local file: the same for a landing folder and for S3 objects staged on disk
(landing.py, s3.py)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from carbon_pipeline.errors import SourceError


class ReadsLocalCopies:
    """Reading an object once it is a local file: the same for a landing folder and for S3 objects
    staged on disk."""

    source_id: str

    def local_path(self, key: str) -> Path:
        raise NotImplementedError

    def read_json(self, key: str) -> Any:
        path = self.local_path(key)
        try:
            return json.loads(path.read_text(encoding="utf-8-sig"))
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise SourceError(f"manifest is not valid JSON ({exc})", source_id=self.source_id, object_key=key) from exc

    def sha256(self, key: str) -> str:
        digest = hashlib.sha256()
        with self.local_path(key).open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
        return digest.hexdigest()
