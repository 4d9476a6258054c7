"""The package's import graph: no cycles anywhere, every module importable on its own, and the stage folders
under carbon_pipeline/defs/ never importing one another (a stage refers to another's assets by key)."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import carbon_pipeline

PACKAGE = Path(carbon_pipeline.__file__).resolve().parent


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def module_level_imports(name: str) -> set[str]:
    """The project modules ``name`` imports when it is imported: top-level statements (and their if/try
    blocks), not imports inside functions or under TYPE_CHECKING, which run later or never."""
    tree = ast.parse(MODULES[name].read_text(encoding="utf-8"))
    found: set[str] = set()

    def visit(statements: list[ast.stmt]) -> None:
        for node in statements:
            if isinstance(node, ast.Import):
                found.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                for alias in node.names:
                    submodule = f"{node.module}.{alias.name}"
                    found.add(submodule if submodule in MODULES else node.module)
            elif isinstance(node, ast.If) and not _is_type_checking(node):
                visit(node.body)
                visit(node.orelse)
            elif isinstance(node, ast.Try):
                visit(node.body)
                for handler in node.handlers:
                    visit(handler.body)

    visit(tree.body)
    return {m for m in found if m in MODULES and m != name}


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """A cycle in ``graph`` as a list of nodes, or None (iterative depth-first search)."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    for root in sorted(graph):
        if state.get(root):
            continue
        path, stack = [root], [iter(sorted(graph[root]))]
        state[root] = 1
        while stack:
            nxt = next(stack[-1], None)
            if nxt is None:
                state[path.pop()] = 2
                stack.pop()
            elif state.get(nxt) == 1:
                return path[path.index(nxt) :] + [nxt]
            elif not state.get(nxt):
                state[nxt] = 1
                path.append(nxt)
                stack.append(iter(sorted(graph[nxt])))
    return None


def test_the_cycle_finder_finds_a_cycle_and_only_a_cycle():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b", "c"}, "b": {"c"}, "c": set()}) is None


def every_import(name: str) -> set[str]:
    """Every project module ``name`` may import, at load or later (imports inside functions included): a lazy
    import that closes a cycle still makes two modules depend on each other."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(MODULES[name].read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                submodule = f"{node.module}.{alias.name}"
                found.add(submodule if submodule in MODULES else node.module)
    return {m for m in found if m in MODULES and m != name}


def test_no_module_of_the_package_imports_itself_back_through_others():
    graph = {name: every_import(name) for name in MODULES}
    assert sum(map(len, graph.values())) > 100, "the import graph was not read"
    assert find_cycle(graph) is None


def test_stage_folders_never_import_one_another():
    crossings = []
    for name in MODULES:
        parts = name.split(".")
        if parts[:2] != ["carbon_pipeline", "defs"] or len(parts) < 4:
            continue
        for imported in module_level_imports(name):
            other = imported.split(".")
            if other[:2] == ["carbon_pipeline", "defs"] and len(other) >= 3 and other[2] != parts[2]:
                crossings.append((name, imported))
    assert crossings == []


def test_nothing_below_the_dagster_layer_imports_it():
    """Readers, SQL running, factors, engines and reporting must not reach up into the Dagster definitions."""

    def layer(module: str) -> str:
        return (module.split(".") + [""])[1]

    upward = [
        (name, imported)
        for name in MODULES
        if layer(name) in {"sources", "warehouse", "factors", "engines", "reporting", "quality", "serving"}
        for imported in module_level_imports(name)
        if layer(imported) in {"defs", "orchestration", "definitions"}
    ]
    assert upward == []


def test_every_module_imports_on_its_own():
    """Each module imported first in a process where no other project module is loaded yet (third-party
    packages stay cached between modules, so this takes seconds, not minutes)."""
    script = """
import importlib, sys, traceback
failed = []
for name in sys.argv[1:]:
    for loaded in [m for m in sys.modules if m == "carbon_pipeline" or m.startswith("carbon_pipeline.")]:
        del sys.modules[loaded]
    try:
        importlib.import_module(name)
    except Exception:
        failed.append(name + ": " + traceback.format_exc(limit=1).strip().splitlines()[-1])
print("\\n".join(failed))
"""
    # the definitions module builds the code location (reads the sources file): its own tests cover it
    names = [n for n in MODULES if n != "carbon_pipeline.definitions"]
    done = subprocess.run(
        [sys.executable, "-c", script, *names], capture_output=True, text=True, timeout=600, check=False
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == ""
