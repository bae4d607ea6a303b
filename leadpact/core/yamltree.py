"""Read YAML into plain values while remembering the line of every key, for errors a person can find."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml

Path = tuple[str | int, ...]

# Far more values than any pact has (the example has a few hundred): an alias bomb stops here, not in memory.
MAX_VALUES = 20_000


@dataclass
class LocatedYaml:
    """The document as plain Python values, the line of each path, and each scalar's raw text.

    `unreadable` maps the path of each value YAML could not read (like the date 2026-13-01) to a message with the
    fix; such a value is kept as its text, so that everything else can still be checked."""

    data: Any
    lines: dict[Path, int] = field(default_factory=dict)
    raw: dict[Path, str] = field(default_factory=dict)
    duplicates: list[tuple[Path, int]] = field(default_factory=list)
    unreadable: dict[Path, str] = field(default_factory=dict)

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
    """Parse one YAML document with the safe loader; raise yaml.YAMLError on bad syntax, on an alias that contains
    itself, on values nested hundreds deep and on a document of more than MAX_VALUES values."""
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        result = LocatedYaml(data=None)
        if node is not None:
            result.lines[()] = node.start_mark.line + 1
            result.data = _Converter(loader, result).convert(node, ())
        return result
    except RecursionError:  # PyYAML composes nested values recursively
        raise yaml.YAMLError("values are nested too deeply; a pact needs only a few levels") from None
    finally:
        loader.dispose()


class _Converter:
    """Walks the node tree once, building plain values and recording where each one is."""

    def __init__(self, loader: yaml.SafeLoader, out: LocatedYaml) -> None:
        self.loader, self.out = loader, out
        self.open: set[int] = set()  # ids of the collections being converted: an alias to one of them is a loop
        self.count = 0

    def convert(self, node: yaml.Node, path: Path) -> Any:
        self.out.lines.setdefault(path, node.start_mark.line + 1)
        self._count(node)
        if isinstance(node, yaml.ScalarNode):
            self.out.raw[path] = node.value
            return self.scalar(node, path)
        if id(node) in self.open:
            raise _error("this alias refers to a value that contains it; write the value out instead", node)
        self.open.add(id(node))
        try:
            return self._mapping(node, path) if isinstance(node, yaml.MappingNode) else self._sequence(node, path)
        finally:
            self.open.discard(id(node))

    def scalar(self, node: yaml.ScalarNode, path: Path) -> Any:
        """The scalar's value; its text (and an entry in `unreadable`) when its type cannot read it."""
        try:
            return self.loader.construct_object(node)
        except (ValueError, TypeError, AttributeError, OverflowError):
            self.out.unreadable[path] = _unreadable(node)
            return node.value

    def _mapping(self, node: yaml.MappingNode, path: Path) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                raise _error("a key must be a plain name, not a list or a mapping", key_node)
            self._count(key_node)
            key = key_node.value  # as written: a key is a name, so `NO:` or `null:` is not False or None
            child = path + (key,)
            if key in result:
                self.out.duplicates.append((child, key_node.start_mark.line + 1))
            self.out.lines[child] = key_node.start_mark.line + 1
            result[key] = self.convert(value_node, child)
        return result

    def _sequence(self, node: yaml.SequenceNode, path: Path) -> list[Any]:
        return [self.convert(item, path + (i,)) for i, item in enumerate(node.value)]

    def _count(self, node: yaml.Node) -> None:
        self.count += 1
        if self.count > MAX_VALUES:
            raise _error(f"more than {MAX_VALUES} values (are aliases repeating a large part?); "
                         "a pact needs far fewer", node)


def _unreadable(node: yaml.ScalarNode) -> str:
    """What is wrong with a scalar YAML typed but could not read, and how to write it."""
    kind = node.tag.rsplit(":", 1)[-1]
    if kind == "timestamp":
        if len(node.value.strip()) <= 10:
            return f"{node.value} is not a date; write it like 2026-12-01"
        return f"{node.value} is not a date and time; write it like \"2026-12-01 09:30\""
    return f"{node.value!r} is not a valid {kind}; correct it, or remove the !!{kind} tag"


def _error(problem: str, node: yaml.Node) -> yaml.YAMLError:
    return yaml.constructor.ConstructorError(None, None, problem, node.start_mark)
