"""The closures compiled conditions are made of: null-safe comparisons, set membership, regular-expression search,
arithmetic and the functions. None of them raises on missing or mistyped data: such a value matches nothing."""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

Record = Mapping[str, Any]
Fn = Callable[[Record], Any]
Test = Callable[[Any, Any], bool]

# What bad data can raise inside a comparison or a sum; such a value matches nothing and sums to null.
DATA_ERRORS = (TypeError, ValueError, ArithmeticError)
NUMBERS: frozenset[type[Any]] = frozenset({int, float, Decimal})  # not bool: true + 1 is no score
ORDERING = {"<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge}
COLLECTIONS = (list, tuple, set, frozenset)


def all_of(fns: list[Callable[[Record], bool]]) -> Fn:
    if len(fns) == 2:
        a, b = fns
        return lambda r: a(r) and b(r)
    if len(fns) == 3:
        a, b, c = fns
        return lambda r: a(r) and b(r) and c(r)
    return lambda r: all(fn(r) for fn in fns)


def any_of(fns: list[Callable[[Record], bool]]) -> Fn:
    if len(fns) == 2:
        a, b = fns
        return lambda r: a(r) or b(r)
    if len(fns) == 3:
        a, b, c = fns
        return lambda r: a(r) or b(r) or c(r)
    return lambda r: any(fn(r) for fn in fns)


def arithmetic(op: Callable[[Any, Any], Any], lf: Fn, rf: Fn) -> Fn:
    """Arithmetic on numbers; null, text or a division by zero gives null instead of an error."""
    def value(r: Record) -> Any:
        a, b = lf(r), rf(r)
        if a.__class__ not in NUMBERS or b.__class__ not in NUMBERS:
            return None
        try:
            return op(a, b)
        except DATA_ERRORS:
            return None

    return value


def negated(v: Any) -> Any:
    return -v if v.__class__ in NUMBERS else None


def null_safe(compare: Callable[[Any, Any], Any], nulls_match: bool = False) -> Test:
    """`compare` as a comparison that is False (not an error) on null or mistyped values."""
    def test(a: Any, b: Any) -> bool:
        if not nulls_match and (a is None or b is None):
            return False
        try:
            return bool(compare(a, b))
        except DATA_ERRORS:
            return False

    return test


TESTS: dict[str, Test] = {
    **{op: null_safe(compare) for op, compare in ORDERING.items()},
    "==": null_safe(operator.eq, nulls_match=True), "!=": null_safe(operator.ne, nulls_match=True),
    "in": null_safe(lambda a, b: a in b), "not in": null_safe(lambda a, b: a not in b),
}


def field_eq(key: str, c: Any) -> Fn:
    return lambda r: r.get(key) == c


def field_ne(key: str, c: Any) -> Fn:
    return lambda r: r.get(key) != c


def field_lt(key: str, c: Any) -> Fn:
    def test(r: Record) -> bool:
        try:
            return (v := r.get(key)) is not None and v < c
        except DATA_ERRORS:
            return False
    return test


def field_le(key: str, c: Any) -> Fn:
    def test(r: Record) -> bool:
        try:
            return (v := r.get(key)) is not None and v <= c
        except DATA_ERRORS:
            return False
    return test


def field_gt(key: str, c: Any) -> Fn:
    def test(r: Record) -> bool:
        try:
            return (v := r.get(key)) is not None and v > c
        except DATA_ERRORS:
            return False
    return test


def field_ge(key: str, c: Any) -> Fn:
    def test(r: Record) -> bool:
        try:
            return (v := r.get(key)) is not None and v >= c
        except DATA_ERRORS:
            return False
    return test


FIELD_TESTS: dict[str, Callable[[str, Any], Fn]] = {
    "==": field_eq, "!=": field_ne, "<": field_lt, "<=": field_le, ">": field_gt, ">=": field_ge,
}


def as_set(value: Any) -> frozenset[Any] | None:
    if not isinstance(value, COLLECTIONS):
        return None
    try:
        return frozenset(value)
    except TypeError:
        return None


def field_in(key: str, values: frozenset[Any], inside: bool) -> Fn:
    def test(r: Record) -> bool:
        try:
            return (v := r.get(key)) is not None and (v in values) is inside
        except TypeError:  # an unhashable value is in no set
            return False
    return test


def field_search(key: str, search: Callable[[str], Any], matches: bool) -> Fn:
    def test(r: Record) -> bool:
        try:
            return (v := r.get(key)) is not None and (search(v) is not None) is matches
        except TypeError:  # not text
            return False
    return test


def searched(search: Callable[[str], Any], v: Any, matches: bool) -> bool:
    try:
        return v is not None and (search(v) is not None) is matches
    except TypeError:
        return False


def has(v: Any) -> bool:
    """Not null, and not empty when it is text or a list."""
    return v is not None and not (isinstance(v, SIZED) and len(v) == 0)


SIZED = (str, dict, *COLLECTIONS)


# name: (implementation, result kind, argument kinds refused at compile time, what it works on)
FUNCTION_IMPLS: dict[str, tuple[Callable[[Any], Any], str, tuple[str, ...], str]] = {
    "lower": (lambda v: v.lower() if isinstance(v, str) else None, "string", ("number", "bool", "list"), "text"),
    "upper": (lambda v: v.upper() if isinstance(v, str) else None, "string", ("number", "bool", "list"), "text"),
    "len": (lambda v: len(v) if isinstance(v, SIZED) else None, "number", ("number", "bool"), "text or a list"),
    "has": (has, "bool", (), "any value"),
}
