"""Where compressed objects are unpacked, and how much they may unpack to.

A ZIP CUR object is extracted (DuckDB reads no ZIP) into a private folder under the staging root
(``CARBON_STAGING/.extract/``), never beside the object: the landing folder is the user's, and may be a
read-only copy or a synced bucket. The member may expand to at most ``max_extracted_bytes`` and to at most
``max_expansion_ratio`` times the object's size; both are checked against the sizes the ZIP declares before
anything is written and against the bytes actually written while copying, since a hostile ZIP can lie. Each
folder carries its process id, so a run finding a folder whose process is gone (a crash) deletes it.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from carbon_pipeline.safety.leftovers import process_alive
from carbon_pipeline.safety.limits import max_expansion_ratio, max_extracted_bytes
from carbon_pipeline.safety.paths import entry_in

EXTRACT_FOLDER = ".extract"  # cannot clash with a source's staging folder: ids start with a letter or digit
PREFIX = "zip-"
COPY_CHUNK = 1 << 20
# a small object may expand more than the ratio allows (a few kilobytes of header compress very well)
RATIO_FLOOR_BYTES = 16 << 20


class ExtractionRefused(ValueError):
    """The member is larger than the limits allow."""


def remove_orphans(root: Path) -> list[Path]:
    """Delete extraction folders under ``root`` left by processes that no longer run; returns them."""
    removed = []
    if not root.is_dir():
        return removed
    for folder in root.iterdir():
        pid_text = folder.name[len(PREFIX) :].split("-", 1)[0]
        if not folder.name.startswith(PREFIX) or not pid_text.isdigit():
            continue
        if int(pid_text) != os.getpid() and not process_alive(int(pid_text)):
            entry = entry_in(root, folder.name)
            if entry.is_symlink():
                entry.unlink()
            else:
                shutil.rmtree(entry, ignore_errors=True)
            removed.append(folder)
    return removed


@contextmanager
def private_folder(staging_root: Path) -> Iterator[Path]:
    """A new folder only this block uses, under ``staging_root/.extract``, deleted when the block ends."""
    root = staging_root / EXTRACT_FOLDER
    root.mkdir(parents=True, exist_ok=True)
    remove_orphans(root)
    folder = Path(tempfile.mkdtemp(prefix=f"{PREFIX}{os.getpid()}-", dir=root))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def allowed_bytes(compressed_size: int) -> int:
    """How many bytes an object of ``compressed_size`` may expand to."""
    by_ratio = max(int(compressed_size * max_expansion_ratio()), RATIO_FLOOR_BYTES)
    return min(max_extracted_bytes(), by_ratio)


def extract_member(archive: zipfile.ZipFile, member: zipfile.ZipInfo, target: Path, *, compressed_size: int) -> int:
    """Copy ``member`` to ``target`` in 1 MiB chunks, refusing it (before writing, by its declared size, and
    while writing, by the bytes produced) when it would exceed ``allowed_bytes``. Returns the bytes written;
    on refusal ``target`` is removed."""
    limit = allowed_bytes(compressed_size)
    if member.file_size > limit:
        raise ExtractionRefused(
            f"ZIP member {member.filename[:100]!r} declares {member.file_size} bytes, more than the "
            f"{limit} allowed (CARBON_MAX_EXTRACTED_BYTES, CARBON_MAX_EXPANSION_RATIO)"
        )
    written = 0
    try:
        with archive.open(member) as source, target.open("wb") as out:
            while block := source.read(COPY_CHUNK):
                written += len(block)
                if written > limit:
                    raise ExtractionRefused(
                        f"ZIP member {member.filename[:100]!r} expands to more than the {limit} bytes allowed "
                        f"(it declared {member.file_size}; CARBON_MAX_EXTRACTED_BYTES, CARBON_MAX_EXPANSION_RATIO)"
                    )
                out.write(block)
    except BaseException:
        target.unlink(missing_ok=True)
        raise
    return written
