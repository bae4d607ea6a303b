"""The pact's condition language, compiled once into Python closures: safe (no eval), null-safe and fast.

    >>> is_big = compile_condition("employees >= 200", {"employees": "number"})
    >>> is_big({"employees": 250}), is_big({"employees": None}), is_big({})
    (True, False, False)

A missing value never matches a comparison; `== null` tests for it. Evaluation never raises on missing or mistyped
data. Types known at compile time are checked then (text compared with a number is an error, not a silent False).
"""

from __future__ import annotations

import difflib
import operator
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, ClassVar, Literal

from leadpact.core.expr_closures import (
    COLLECTIONS,
    FIELD_TESTS,
    FUNCTION_IMPLS,
    ORDERING,
    TESTS,
    Fn,
    Record,
    all_of,
    any_of,
    arithmetic,
    as_set,
    field_in,
    field_search,
    negated,
    searched,
)
from leadpact.core.expr_parse import ExprError, Node, parse

__all__ = ["Condition", "ExprError", "FieldType", "compile_condition"]

FieldType = Literal["number", "string", "bool", "any"]
FUNCTIONS = ("lower", "upper", "len", "has")
_ARITH = {"+": operator.add, "-": operator.sub, "*": operator.mul, "/": operator.truediv}
_MIRROR = {"<": ">", "<=": ">=", ">": "<", ">=": "<=", "==": "==", "!=": "!="}
_KINDS = {type(None): "null", bool: "bool", int: "number", float: "number", Decimal: "number", str: "string"}
_WHAT = {"string": "text", "number": "a number", "bool": "true/false", "list": "a list", "null": "null"}


@dataclass(frozen=True, slots=True)
class Condition:
    """A compiled condition: call it with a record (field name -> value) to get a bool."""

    # Page templates call what is callable; a condition on a page is shown (its source), never run.
    do_not_call_in_templates: ClassVar[bool] = True
    source: str
    fields: frozenset[str]  # the fields the condition reads
    _test: Callable[[Record], bool] = field(repr=False, compare=False)
    _value: Fn = field(repr=False, compare=False)

    def __call__(self, record: Record, /) -> bool:
        return self._test(record)

    def value(self, record: Record) -> Any:
        """The raw value of the expression, for expressions that are not conditions (like fit + engagement)."""
        return self._value(record)


def compile_condition(source: str, fields: Mapping[str, FieldType],
                      names: Mapping[str, Any] | None = None) -> Condition:
    """Parse, check and compile `source` once; raise ExprError (with the column) when it cannot be used."""
    compiler = _Compiler(fields, names or {})
    part = compiler.build(parse(source))
    return Condition(source, frozenset(compiler.used), _as_test(part), part.fn)


@dataclass(frozen=True)
class _Part:
    """A compiled sub-expression: its function and static type, and what it is when a bare field or a constant."""

    fn: Fn
    kind: str  # number | string | bool | any | list | null
    key: str | None = None  # the field's name when the part only reads that field
    constant: Any = None
    is_constant: bool = False
    strict: bool = False  # fn always returns a bool


def _constant(value: Any) -> _Part:
    return _Part(lambda r: value, _kind_of(value), constant=value, is_constant=True, strict=value.__class__ is bool)


def _frozen(value: Any) -> Any:
    """A named constant as an immutable value, so later changes to the mapping cannot alter compiled conditions."""
    if isinstance(value, (set, list)):
        return frozenset(value) if isinstance(value, set) else tuple(value)
    return value


def _kind_of(value: Any) -> str:
    return _KINDS.get(value.__class__) or ("list" if isinstance(value, COLLECTIONS) else "any")


def _describe(part: _Part) -> str:
    what = _WHAT.get(part.kind, "a value")
    return f"{what} ({part.key})" if part.key else what


class _Compiler:
    """Turns a syntax tree into closures, checking names and the types it knows on the way."""

    def __init__(self, fields: Mapping[str, FieldType], names: Mapping[str, Any]) -> None:
        self.fields, self.names = fields, names
        self.used: set[str] = set()
        self.reads = 0

    def build(self, node: Node) -> _Part:
        reads = self.reads
        part: _Part = getattr(self, _HANDLERS.get(node.op, "compare"))(node)
        if self.reads == reads and not part.is_constant:
            return _constant(part.fn({}))  # reads no field, so its value is known now
        return part

    def literal(self, node: Node) -> _Part:
        return _constant(node.value)

    def list_literal(self, node: Node) -> _Part:
        return _constant(tuple(self.build(item).constant for item in node.children))

    def identifier(self, node: Node) -> _Part:
        name: str = node.value
        if name in self.names:
            return _constant(_frozen(self.names[name]))
        kind = self.fields.get(name) or ("any" if name.startswith("custom.") else None)
        if kind is None:
            raise self._unknown(name, node.column)
        self.used.add(name)
        self.reads += 1
        return _Part(operator.methodcaller("get", name), kind, key=name)

    def _unknown(self, name: str, column: int) -> ExprError:
        if name in FUNCTIONS:
            return ExprError(f"{name} is a function; call it like {name}(title)", column)
        known = sorted({*self.fields, *self.names})
        near = difflib.get_close_matches(name, known, n=1)
        if near:
            return ExprError(f"unknown field {name!r}; did you mean {near[0]!r}?", column)
        return ExprError(f"unknown field {name!r}; known fields include {', '.join(known[:6])} "
                         "and custom.<name> for a custom field", column)

    def boolean(self, node: Node) -> _Part:
        """`and`/`or`, flattened to one n-ary closure; constants that decide nothing are dropped."""
        deciding = node.op == "or"  # the value that settles the whole chain
        parts = [self.build(child) for child in _flatten(node)]  # all of them, so every mistake is reported
        if any(part.is_constant and bool(part.constant) is deciding for part in parts):
            return _constant(deciding)
        fns = [_as_test(part) for part in parts if not part.is_constant]
        if not fns:
            return _constant(not deciding)
        return _Part(any_of(fns) if deciding else all_of(fns), "bool", strict=True)

    def negation(self, node: Node) -> _Part:
        fn = self.build(node.children[0]).fn
        return _Part(lambda r: not fn(r), "bool", strict=True)

    def minus(self, node: Node) -> _Part:
        fn = self._number(node.children[0], "-").fn
        return _Part(lambda r: negated(fn(r)), "number")

    def arithmetic(self, node: Node) -> _Part:
        left, right = (self._number(child, node.op) for child in node.children)
        return _Part(arithmetic(_ARITH[node.op], left.fn, right.fn), "number")

    def _number(self, node: Node, op: str) -> _Part:
        part = self.build(node)
        if part.kind in ("string", "bool", "list"):
            raise ExprError(f"{op!r} works on numbers, not on {_describe(part)}", node.column)
        return part

    def call(self, node: Node) -> _Part:
        name = node.value
        if name not in FUNCTIONS:
            raise ExprError(f"unknown function {name!r}; the functions are {', '.join(FUNCTIONS)}", node.column)
        if len(node.children) != 1:
            raise ExprError(f"{name}() takes one value, like {name}(title)", node.column)
        arg = self.build(node.children[0])
        impl, kind, refused, works_on = FUNCTION_IMPLS[name]
        if arg.kind in refused:
            raise ExprError(f"{name}() works on {works_on}, not on {_describe(arg)}", node.children[0].column)
        fn = arg.fn
        return _Part(lambda r: impl(fn(r)), kind, strict=name == "has")

    def compare(self, node: Node) -> _Part:
        left, right = map(self.build, node.children)
        _check_comparison(node, left, right)
        if node.op in ("~", "!~"):
            return _Part(_regex(node, left, right), "bool", strict=True)
        if node.op in ("in", "not in"):
            return _Part(_membership(left, right, node.op == "in"), "bool", strict=True)
        return _Part(_comparison(node.op, left, right), "bool", strict=True)


_HANDLERS = {"lit": "literal", "list": "list_literal", "name": "identifier", "and": "boolean", "or": "boolean",
             "not": "negation", "neg": "minus", "+": "arithmetic", "-": "arithmetic", "*": "arithmetic",
             "/": "arithmetic", "call": "call"}


def _flatten(node: Node) -> list[Node]:
    """The operands of an and/or chain, with parenthesised chains of the same operator spliced in."""
    return [leaf for child in node.children
            for leaf in (_flatten(child) if child.op == node.op else [child])]


def _check_comparison(node: Node, left: _Part, right: _Part) -> None:
    """Refuse comparisons whose static types can never make sense, with the fix in the message."""
    op, kinds = node.op, {left.kind, right.kind}
    if op in ORDERING and (kinds == {"string", "number"} or "list" in kinds):
        raise ExprError(f"{op!r} compares {_describe(left)} with {_describe(right)}; "
                        "compare numbers with numbers and text with text", node.column)
    if op in ("==", "!=") and "list" in kinds and kinds & {"string", "number", "bool"}:
        raise ExprError(f"{op!r} compares {_describe(left)} with a list; use 'in' to test for one of several "
                        "values", node.column)
    if op in ("in", "not in"):
        _check_membership(node, left, right)
    if op in ("~", "!~") and left.kind in ("number", "bool", "list", "null"):
        raise ExprError(f"{op!r} matches text, not {_describe(left)}", node.column)


def _check_membership(node: Node, left: _Part, right: _Part) -> None:
    if right.kind in ("number", "bool", "null"):
        raise ExprError(f"'{node.op}' needs a list, a named list or text on its right, not {_describe(right)}",
                        node.children[1].column)
    if right.kind == "string" and left.kind in ("number", "bool", "list"):
        raise ExprError(f"'{node.op}' with text on its right looks for a piece of text, not for "
                        f"{_describe(left)}", node.column)


def _as_test(part: _Part) -> Callable[[Record], bool]:
    """The part as a function that always returns a bool (truthiness for non-boolean values)."""
    if part.strict:
        return part.fn
    fn = part.fn
    return lambda r: bool(fn(r))


def _comparison(op: str, left: _Part, right: _Part) -> Fn:
    """`==`/`!=` compare anything (null equals only null); ordering is False when either side is null or mistyped."""
    if left.is_constant and right.key is not None:
        left, right, op = right, left, _MIRROR[op]
    if left.key is not None and right.is_constant:
        # One closure: a dict lookup, a null check and the comparison written inline.
        return FIELD_TESTS[op](left.key, right.constant)
    test, lf, rf = TESTS[op], left.fn, right.fn
    if right.is_constant:
        c = right.constant
        return lambda r: test(lf(r), c)
    return lambda r: test(lf(r), rf(r))


def _membership(left: _Part, right: _Part, inside: bool) -> Fn:
    """`x in [..]`, `x in named_list`, `'part' in text`; a null on either side never matches, either way."""
    values = as_set(right.constant) if right.is_constant else None
    if left.key is not None and values is not None:
        return field_in(left.key, values, inside)
    test, lf, rf = TESTS["in" if inside else "not in"], left.fn, right.fn
    if values is not None:
        return lambda r: test(lf(r), values)
    return lambda r: test(lf(r), rf(r))


def _regex(node: Node, left: _Part, right: _Part) -> Fn:
    """`~` / `!~`: the pattern is compiled now; a null or non-text value matches neither way."""
    pattern = node.children[1]
    if not (right.is_constant and isinstance(right.constant, str)):
        raise ExprError(f"{node.op!r} needs a regular expression in quotes on its right, like '(?i)vp'",
                        pattern.column)
    try:
        search = re.compile(right.constant).search
    except re.error as err:
        raise ExprError(f"not a valid regular expression: {err.msg}", pattern.column) from None
    matches = node.op == "~"
    if left.key is not None:
        return field_search(left.key, search, matches)
    fn = left.fn
    return lambda r: searched(search, fn(r), matches)


