"""``raw_line_items: archive``: the delivered objects of a CUR month, kept byte for byte beside the warehouse.

Why: ``reference`` keeps only the ledger-grain groups and trusts the bucket to keep every object at the version
the month was read from, but legacy Parquet CURs and CUR 2.0 exports in overwrite mode rewrite a month's objects
in place, and a local landing folder belongs to whoever drops files in it. ``archive`` copies each object once
into ``<warehouse>.archive/<source>/<sha256>/<name>``: named by its content, written whole (a part file renamed
into place) and read-only. The raw step then reads that copy, so the groups are built from exactly the bytes
kept, and ``carbon-pipeline line-items`` reads the same bytes again (checking their SHA-256) whatever has happened
to the bucket since. The cost is one copy of the objects' compressed bytes (in the kernel, several at a time),
about a second for a 1 GB month, against writing every line item into the warehouse (docs/performance.md,
Profile 46).

The archive lies beside the warehouse file (as DuckDB's own ``.wal`` and ``.tmp`` do), so it is inside the
folder a deployment configures and needs no setting of its own. A run never deletes from it: it is the evidence
the inventory was built from. ``carbon-pipeline archive-unreferenced --delete`` removes, when asked, the copies no
month is read from any more (docs/sources.md says how to size and prune it).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import threading
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import duckdb

from carbon_pipeline.errors import ConfigError, SourceError
from carbon_pipeline.safety.leftovers import remove_dead_leftovers
from carbon_pipeline.safety.paths import UnsafePathError, strictly_contained

INCOMING = ".incoming-"  # <source folder>/.incoming-<pid>/: objects being copied by that process
# Objects archived side by side, one thread per core and at most THREADS: each is one in-kernel copy, an fsync and
# a hash of the copy (all three release the GIL). 828 MB of Parquet objects took 3.1 s one at a time through
# Python's buffers, 0.7-0.8 s this way on 2 cores (docs/performance.md, Profile 46).
THREADS = 4
# Room the archive leaves on its filesystem: a delivery whose objects would leave less is refused before anything is
# copied, naming the sizes, rather than filling the disk the warehouse (and its spill folder) share.
KEEP_FREE = 2**30


@dataclass(frozen=True)
class ArchivedObject:
    """Where an object was archived (``relative`` to the archive root: ``<source>/<sha256>/<name>``) and its
    SHA-256, as raw.delivery_objects records them."""

    path: Path
    relative: str
    sha256: str


def archive_folder(warehouse: Path | str) -> Path:
    """``<warehouse>.archive``: where the objects read into ``warehouse`` are archived."""
    return Path(f"{warehouse}.archive")


def archive_root(con: duckdb.DuckDBPyConnection) -> Path:
    """The archive folder of the database ``con`` writes to."""
    path = con.execute("SELECT path FROM duckdb_databases() WHERE database_name = current_database()").fetchall()[0][0]
    if not path:
        raise ConfigError("raw_line_items: archive keeps the objects beside the warehouse file: it needs one")
    return archive_folder(path)


def _incoming(root: Path, source_id: str) -> Path:
    """The folder this process copies a source's objects into before they are renamed into place."""
    return strictly_contained(root, source_id, f"{INCOMING}{os.getpid()}")


def archive_objects(objects: Mapping[str, Path], root: Path, *, source_id: str) -> dict[str, ArchivedObject]:
    """Archive every object of ``objects`` (key -> local file), several at a time; what a killed run was copying
    into the source's folder is removed first."""
    try:
        folder = strictly_contained(root, source_id)
    except UnsafePathError as exc:
        raise SourceError(f"cannot be archived: {exc}", source_id=source_id) from exc
    remove_dead_leftovers(folder, INCOMING, "")
    refuse_without_room(objects, root, source_id=source_id)
    workers = max(1, min(len(objects), os.cpu_count() or 1, THREADS))
    try:
        with ThreadPoolExecutor(workers, thread_name_prefix="archive") as pool:
            futures = {
                key: pool.submit(archive_object, path, root, source_id=source_id, object_key=key)
                for key, path in objects.items()
            }
            return {key: future.result() for key, future in futures.items()}
    finally:
        # only once every copy is done: removed while another thread was between creating it and copying into it,
        # the folder took that copy with it (a 100M-line month's 50 objects failed so)
        with contextlib.suppress(OSError):
            _incoming(root, source_id).rmdir()


def refuse_without_room(objects: Mapping[str, Path], root: Path, *, source_id: str) -> None:
    """Raise unless the archive's filesystem keeps KEEP_FREE bytes free once ``objects`` are copied into it."""
    needed = sum(path.stat().st_size for path in objects.values())
    existing = next((p for p in (root, *root.parents) if p.exists()), Path("/"))
    free = shutil.disk_usage(existing).free
    if needed + KEEP_FREE > free:
        raise SourceError(
            f"archiving the delivery's {len(objects)} object(s) needs {needed:,} bytes and would leave less than "
            f"{KEEP_FREE:,} free where {root} lies ({free:,} free); nothing was copied or loaded",
            source_id=source_id,
        )


def archive_object(source: Path, root: Path, *, source_id: str, object_key: str) -> ArchivedObject:
    """Copy ``source`` into the archive under the SHA-256 of the copy; an object already archived with the same
    content is kept as it is. The copy is made durable (fsync) before it is renamed into place, so a name under
    the archive always holds the whole object."""
    name = Path(object_key).name
    try:
        incoming = _incoming(root, source_id)
        part = strictly_contained(incoming, f"{threading.get_ident()}-{name}")
    except UnsafePathError as exc:
        raise SourceError(f"cannot be archived: {exc}", source_id=source_id, object_key=object_key) from exc
    try:
        incoming.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, part)  # in the kernel (sendfile / copy_file_range), not through Python's buffers
        with part.open("rb") as copy:
            os.fsync(copy.fileno())
            sha256 = hashlib.file_digest(copy, "sha256").hexdigest()
        relative = f"{source_id}/{sha256}/{name}"
        final = strictly_contained(root, relative)
        if final.is_file():  # archived before: a name under its own hash is only ever renamed into place whole
            part.unlink()
        else:
            final.parent.mkdir(parents=True, exist_ok=True)
            part.chmod(0o444)
            os.replace(part, final)
    except OSError as exc:
        raise SourceError(
            f"cannot be archived into {root} ({exc.strerror or exc}); nothing was loaded",
            source_id=source_id,
            object_key=object_key,
        ) from None
    finally:
        part.unlink(missing_ok=True)
    return ArchivedObject(final, relative, sha256)


def archived_copy(root: Path, relative: str, sha256: str, *, source_id: str, object_key: str) -> Path:
    """The archived copy of an object, after checking that it still holds exactly the bytes archived."""
    try:
        path = strictly_contained(root, relative)
    except UnsafePathError as exc:
        raise SourceError(f"archived copy: {exc}", source_id=source_id, object_key=object_key) from exc
    try:
        with path.open("rb") as reader:
            digest = hashlib.file_digest(reader, "sha256")
    except OSError as exc:
        raise SourceError(
            f"archived copy {path} cannot be read ({exc.strerror or exc})", source_id=source_id, object_key=object_key
        ) from None
    if digest.hexdigest() != sha256:
        raise SourceError(
            f"archived copy {path} no longer has SHA-256 {sha256}: it was changed after it was archived",
            source_id=source_id,
            object_key=object_key,
        )
    return path


def unreferenced(root: Path, referenced: set[str]) -> list[Path]:
    """The archived copies under ``root`` (``<source>/<sha256>/<name>``) that no row of raw.delivery_objects names
    (``referenced``: their ``archived_as``): those of deliveries read again since, or of a read that failed."""
    if not root.is_dir():
        return []
    found = []
    for path in sorted(root.glob("*/*/*")):
        relative = path.relative_to(root)
        hidden = relative.parts[0].startswith(".") or relative.parts[1].startswith(INCOMING)
        if path.is_file() and not hidden and relative.as_posix() not in referenced:
            found.append(path)
    return found


def remove_unreferenced(root: Path, paths: list[Path]) -> None:
    """Delete archived copies listed by ``unreferenced``, and their SHA-256 folders once empty."""
    for path in paths:
        copy = strictly_contained(root, path.relative_to(root))
        copy.unlink(missing_ok=True)
        with contextlib.suppress(OSError):
            copy.parent.rmdir()
