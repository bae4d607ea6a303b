"""Read YAML into plain values while remembering the line of every key, for errors a person can find."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml

Path = tuple[str | int, ...]


@dataclass
class LocatedYaml:
    """The document as plain Python values, the line of each path, and each scalar's raw text."""

    data: Any
    lines: dict[Path, int] = field(default_factory=dict)
    raw: dict[Path, str] = field(default_factory=dict)
    duplicates: list[tuple[Path, int]] = field(default_factory=list)

    def line(self, path: Path) -> int | None:
        """The line of `path`, or of its nearest ancestor that has one."""
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return self.lines.get((), None)


def path_text(path: Path) -> str:
    """("cadence", "steps", 2, "after") -> "cadence.steps[2].after"."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def load_located(text: str) -> LocatedYaml:
    """Parse one YAML document with the safe loader; raise yaml.YAMLError on bad syntax."""
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        result = LocatedYaml(data=None)
        if node is not None:
            result.lines[()] = node.start_mark.line + 1
            result.data = _convert(loader, node, (), result)
        return result
    finally:
        loader.dispose()


def _convert(loader: yaml.SafeLoader, node: yaml.Node, path: Path, out: LocatedYaml) -> Any:
    out.lines.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key = str(loader.construct_object(key_node))
            child = path + (key,)
            if key in result:
                out.duplicates.append((child, key_node.start_mark.line + 1))
            out.lines[child] = key_node.start_mark.line + 1
            result[key] = _convert(loader, value_node, child, out)
        return result
    if isinstance(node, yaml.SequenceNode):
        return [_convert(loader, item, path + (i,), out) for i, item in enumerate(node.value)]
    out.raw[path] = node.value
    return loader.construct_object(node)
