"""YAML as the sources file needs it: PyYAML keeps the last of two equal keys in one mapping, so a source
written twice with different options silently lost the first; here that is an error naming the key and line.
A value YAML itself cannot build (an unquoted ``2025-02-30`` is read as an impossible date) is an error with
its line too, not a traceback."""

from __future__ import annotations

from typing import Any

import yaml


class DuplicateKeyError(yaml.constructor.ConstructorError):
    pass


class StrictLoader(yaml.SafeLoader):
    """SafeLoader refusing duplicate keys within one mapping."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: dict[Any, yaml.Mark] = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            try:
                hash(key)
            except TypeError:
                continue  # SafeLoader reports unhashable keys itself
            if key in seen:
                raise DuplicateKeyError(
                    "while reading a mapping",
                    node.start_mark,
                    f"key {str(key)[:80]!r} appears twice (first at line {seen[key].line + 1})",
                    key_node.start_mark,
                )
            seen[key] = key_node.start_mark
        return super().construct_mapping(node, deep=deep)


def load_strict(text: str) -> Any:
    """The YAML document in ``text``; raises yaml.YAMLError for duplicate keys and ValueError for a scalar
    YAML cannot build (both are turned into a ConfigError by the caller)."""
    return yaml.load(text, Loader=StrictLoader)  # noqa: S506 - StrictLoader is a SafeLoader
