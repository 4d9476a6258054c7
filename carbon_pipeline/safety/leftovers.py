"""What a crashed process leaves behind is removed by the next one. Work files carry the process id of their
writer (``.serving.duckdb.<pid>.building``); one whose process no longer runs can only be a leftover, while a
live process's files are never touched (a concurrent run is refused elsewhere, but a stray reader or a test in
another process must not lose its work)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from carbon_pipeline.safety.paths import entry_in


def process_alive(pid: int) -> bool:
    """True when ``pid`` names a running process (or one we may not signal, which is therefore running)."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def remove_dead_leftovers(folder: Path, prefix: str, suffix: str) -> list[Path]:
    """Delete entries of ``folder`` named ``<prefix><pid><suffix>`` whose process is gone; returns them."""
    removed: list[Path] = []
    if not folder.is_dir():
        return removed
    for entry in folder.iterdir():
        name = entry.name
        if not (name.startswith(prefix) and name.endswith(suffix)) or len(name) <= len(prefix) + len(suffix):
            continue
        pid_text = name[len(prefix) : len(name) - len(suffix)]
        if not pid_text.isdigit() or int(pid_text) == os.getpid() or process_alive(int(pid_text)):
            continue
        path = entry_in(folder, name)
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)
        removed.append(entry)
    return removed
