"""Every path the pipeline derives from input (a source id, an object key, a pointer read from a partition
store) must stay under the folder it was derived from. A source id of ``..`` once made a run delete a folder
outside the staging root; ``contained`` is the one place that check is made, so a new derived path cannot
forget it.

Source ids name folders, Dagster jobs, schedules and sensors, so they are restricted to a pattern that is safe
in all of them (``SOURCE_ID_PATTERN``, docs/sources.md) and two ids that would become the same definition name
(``my-cur`` and ``my_cur``) are refused while the sources file is read.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

# Lower-case letters and digits, then up to 62 more of those, '-' or '_': no separator, no dot (so never '.'
# or '..'), no leading '-' (never read as an option), and at most 63 characters (a DNS label, a Dagster name).
SOURCE_ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]{0,62}$")
SOURCE_ID_RULE = "1 to 63 characters: lower-case letters, digits, '-' and '_', starting with a letter or digit"


class UnsafePathError(ValueError):
    """A derived path would leave its root: a bug or a hostile name, never something to carry on from."""


def source_id_problem(source_id: str) -> str | None:
    """Why ``source_id`` is not a safe id, or None when it is."""
    if not SOURCE_ID_PATTERN.fullmatch(source_id):
        shown = source_id if len(source_id) <= 80 else source_id[:80] + "..."
        return f"source id {shown!r} is not allowed ({SOURCE_ID_RULE})"
    return None


def id_collisions(source_ids: Iterable[str]) -> list[tuple[str, str]]:
    """Pairs of ids that differ only by '-' versus '_': they would name the same job, schedule and sensor."""
    seen: dict[str, str] = {}
    clashes: list[tuple[str, str]] = []
    for source_id in source_ids:
        key = source_id.replace("-", "_")
        if key in seen and seen[key] != source_id:
            clashes.append((seen[key], source_id))
        seen.setdefault(key, source_id)
    return clashes


def contained(root: Path, *parts: str | Path) -> Path:
    """``root / parts`` resolved (symlinks and ``..`` followed), after checking it is ``root`` itself or below
    it. Raises UnsafePathError otherwise: an absolute part, a ``..`` or a symlink pointing out all fail."""
    base = Path(root).resolve()
    candidate = base.joinpath(*[str(p) for p in parts]).resolve()
    if candidate != base and base not in candidate.parents:
        shown = "/".join(str(p) for p in parts)
        shown = shown if len(shown) <= 200 else shown[:200] + "..."
        raise UnsafePathError(f"path {shown!r} would leave its folder {base}")
    return candidate


def strictly_contained(root: Path, *parts: str | Path) -> Path:
    """As ``contained``, but the result must lie strictly below ``root``: for anything that will be deleted,
    so that deleting it can never remove the root (or, with an empty part, the root's whole content)."""
    path = contained(root, *parts)
    if path == Path(root).resolve():
        raise UnsafePathError(f"path {'/'.join(str(p) for p in parts)!r} is the folder {path} itself")
    return path


def entry_in(root: Path, name: str) -> Path:
    """``root/name`` for deleting a directory entry itself: ``name`` must be one path component (not ``.``,
    ``..``, nor holding a separator). The entry is not resolved, so a symlink is removed as a link, never
    followed to what it points at."""
    if name in ("", ".", "..") or "/" in name or "\\" in name or "\0" in name:
        raise UnsafePathError(f"{name[:200]!r} is not a single name inside {root}")
    return Path(root).resolve() / name
