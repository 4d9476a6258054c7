"""A function the great-expectations helper process can be asked to run (it imports functions by module and
name): which modules that process has imported so far."""

from __future__ import annotations

import sys


def imported(names: list[str]) -> dict[str, bool]:
    return {name: sys.modules.get(name) is not None for name in names}
