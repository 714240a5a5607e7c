"""Nested parameters and documents as dotted paths (``data.source``), and back."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel


def flatten(tree: Any, prefix: str = "", *, lists: bool = False) -> dict[str, Any]:
    """The leaves of nested dicts and typed groups (and of lists, with ``lists``), keyed
    by their dotted path under ``prefix``."""
    if isinstance(tree, BaseModel):
        tree = tree.model_dump()
    if isinstance(tree, dict):
        items = tree.items()
    elif lists and isinstance(tree, list):
        items = enumerate(tree)
    else:
        return {prefix: tree}
    return {
        path: leaf
        for name, subtree in items
        for path, leaf in flatten(
            subtree, f"{prefix}.{name}" if prefix else str(name), lists=lists
        ).items()
    }


def nested(flat: dict[str, Any]) -> dict[str, Any]:
    """Dotted paths as the nested runtime parameters ``--params`` gives."""
    tree: dict[str, Any] = {}
    for path, value in flat.items():
        *groups, key = path.split(".")
        branch = tree
        for group in groups:
            branch = branch.setdefault(group, {})
        branch[key] = value
    return tree
