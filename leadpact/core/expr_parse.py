"""Tokenizer and parser of the pact's condition language: text in, a small syntax tree with columns out."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

# Deep enough for any real condition, shallow enough that parsing, compiling and evaluating stay far from
# Python's recursion limit.
MAX_DEPTH = 32

KEYWORDS = frozenset({"and", "or", "not", "in", "true", "false", "null"})
COMPARISONS = frozenset({"==", "!=", "<", "<=", ">", ">=", "in", "not in", "~", "!~"})
_LITERALS = {"true": True, "false": False, "null": None}

_TOKEN = re.compile(r"""
    (?P<space>\s+)
  | (?P<number>\d+(?:\.\d+)?)
  | (?P<string>'(?:[^'\\]|\\[\s\S])*'|"(?:[^"\\]|\\[\s\S])*")
  | (?P<name>[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z0-9_]+)*)
  | (?P<op>==|!=|<=|>=|!~|=~|<>|=>|=<|&&|\|\||[<>~+\-*/()\[\],=!&|])
""", re.VERBOSE)
_UNESCAPE = re.compile(r"\\([\\'\"])")

# Habits from other languages, answered with the fix.
_HINTS = {
    "&&": "use 'and' instead of '&&'", "||": "use 'or' instead of '||'", "!": "use 'not' instead of '!'",
    "&": "use 'and' instead of '&'", "|": "use 'or' instead of '|'", "=": "use '==' to compare",
    "<>": "use '!=' for 'is not equal to'", "=>": "use '>=' for 'at least'", "=<": "use '<=' for 'at most'",
    "=~": "use '~' to match a regular expression", "is": "use '==' or '!=' to compare, as in title == null",
    "None": "use null for a missing value",
}


class ExprError(ValueError):
    """A condition that cannot be compiled: `message` says what is wrong and how to fix it, `column` where."""

    message: str
    column: int  # 0-based offset in the source

    def __init__(self, message: str, column: int) -> None:
        super().__init__(f"{message} (at column {column + 1})")
        self.message, self.column = message, column

    def __reduce__(self) -> tuple[type[ExprError], tuple[str, int]]:
        return ExprError, (self.message, self.column)


@dataclass(frozen=True)
class Token:
    """One token; `kind` is number, string, name, keyword, op or end."""

    kind: str
    text: str
    column: int


@dataclass(frozen=True)
class Node:
    """A syntax tree node; `op` is lit, name, list, call, and, or, not, neg, an arithmetic or comparison operator."""

    op: str
    column: int
    children: tuple[Node, ...] = ()
    value: Any = None  # the literal's value, the field's or the function's name
    depth: int = 1


def tokenize(source: str) -> list[Token]:
    """Split `source` into tokens, ending with an `end` token; raise ExprError on text that is no token."""
    tokens, pos = [], 0
    while pos < len(source):
        match = _TOKEN.match(source, pos)
        if match is None:
            raise _bad_character(source, pos)
        kind, text = match.lastgroup or "", match.group()
        _refuse_habit(kind, text, pos)
        if kind != "space":
            tokens.append(Token("keyword" if kind == "name" and text in KEYWORDS else kind, text, pos))
        pos = match.end()
    tokens.append(Token("end", "", len(source)))
    return tokens


def _bad_character(source: str, pos: int) -> ExprError:
    char = source[pos]
    if char in "'\"":
        return ExprError(f"this text is never closed; end it with a matching {char}", pos)
    return ExprError(f"unexpected character {char!r}", pos)


def _refuse_habit(kind: str, text: str, pos: int) -> None:
    if text in _HINTS:
        raise ExprError(_HINTS[text], pos)
    if kind == "name" and text.lower() in KEYWORDS and text not in KEYWORDS:
        raise ExprError(f"write {text.lower()!r} in lower case", pos)


def unquote(text: str) -> str:
    r"""A quoted string token's value; only \\, \' and \" are escapes, so a regex like '\d+' keeps its backslash."""
    return _UNESCAPE.sub(r"\1", text[1:-1])


class _Parser:
    """Precedence climbing: or < and < not < comparison < + - < * / < unary minus < primary."""

    def __init__(self, source: str) -> None:
        self.tokens = tokenize(source)
        self.pos = 0
        self.nesting = 0

    @property
    def token(self) -> Token:
        return self.tokens[self.pos]

    def take(self) -> Token:
        token = self.tokens[self.pos]
        self.pos += 1
        return token

    def accept(self, text: str) -> bool:
        if self.token.text == text and self.token.kind in ("op", "keyword"):
            self.pos += 1
            return True
        return False

    def node(self, op: str, column: int, children: tuple[Node, ...] = (), value: Any = None) -> Node:
        depth = 1 + max((child.depth for child in children), default=0)
        if depth > MAX_DEPTH:
            raise _too_deep(column)
        return Node(op, column, children, value, depth)

    def nested(self, parse: Callable[[], Node]) -> Node:
        """Parse a nested part (parentheses, call, operand of not or minus), refusing absurd nesting."""
        self.nesting += 1
        if self.nesting > MAX_DEPTH:
            raise _too_deep(self.token.column)
        node = parse()
        self.nesting -= 1
        return node

    def parse(self) -> Node:
        if self.token.kind == "end":
            raise ExprError("the condition is empty; write one like employees >= 200", 0)
        node = self.parse_or()
        token = self.token
        if token.text == ")":
            raise ExprError("this ')' has no matching '('; remove it or add '(' before", token.column)
        if token.kind != "end":
            raise ExprError(f"unexpected {token.text!r} after a complete condition; "
                            "join conditions with 'and' or 'or'", token.column)
        return node

    def parse_or(self) -> Node:
        return self._chain("or", self.parse_and)

    def parse_and(self) -> Node:
        return self._chain("and", self.parse_not)

    def _chain(self, word: str, operand: Callable[[], Node]) -> Node:
        parts = [operand()]
        while self.accept(word):
            parts.append(self._operand_after(word, operand))
        return parts[0] if len(parts) == 1 else self.node(word, parts[0].column, tuple(parts))

    def _operand_after(self, word: str, operand: Callable[[], Node]) -> Node:
        if self.token.kind == "end":
            raise ExprError(f"expected a value after {word!r}", self.token.column)
        return operand()

    def parse_not(self) -> Node:
        column = self.token.column
        if self.accept("not"):
            inner = self.nested(lambda: self._operand_after("not", self.parse_not))
            return self.node("not", column, (inner,))
        return self.parse_comparison()

    def parse_comparison(self) -> Node:
        left = self.parse_sum()
        column = self.token.column
        op = self._comparison_operator()
        if op is None:
            return left
        right = self._operand_after(op, self.parse_sum)
        if self._comparison_operator(peek=True):
            raise ExprError("comparisons do not chain; write 'a < b and b < c' instead of 'a < b < c'",
                            self.token.column)
        return self.node(op, column, (left, right))

    def _comparison_operator(self, peek: bool = False) -> str | None:
        token, following = self.token, self.tokens[min(self.pos + 1, len(self.tokens) - 1)]
        if token.text == "not" and token.kind == "keyword" and following.text == "in":
            op, width = "not in", 2
        elif token.text in COMPARISONS and token.kind in ("op", "keyword"):
            op, width = token.text, 1
        else:
            return None
        if not peek:
            self.pos += width
        return op

    def parse_sum(self) -> Node:
        return self._binary(("+", "-"), self.parse_product)

    def parse_product(self) -> Node:
        return self._binary(("*", "/"), self.parse_unary)

    def _binary(self, ops: tuple[str, ...], operand: Callable[[], Node]) -> Node:
        node = operand()
        while self.token.kind == "op" and self.token.text in ops:
            op = self.take()
            node = self.node(op.text, op.column, (node, self._operand_after(op.text, operand)))
        return node

    def parse_unary(self) -> Node:
        column = self.token.column
        if self.accept("-"):
            inner = self.nested(lambda: self._operand_after("-", self.parse_unary))
            return self.node("neg", column, (inner,))
        return self.parse_primary()

    def parse_primary(self) -> Node:
        token = self.take()
        if token.kind in ("number", "string") or token.text in _LITERALS:
            return self.node("lit", token.column, value=_literal(token))
        if token.kind == "name":
            return self._name_or_call(token)
        if token.text == "(":
            node = self.nested(self.parse_or)
            self._close(")", token, "this '(' is never closed; add ')'", "expected ')'")
            return node
        if token.text == "[":
            return self._list(token)
        if token.kind == "end":
            raise ExprError("the condition ends too early; expected a value", token.column)
        raise ExprError(f"expected a value, found {token.text!r}", token.column)

    def _name_or_call(self, token: Token) -> Node:
        if self.token.text != "(":
            return self.node("name", token.column, value=token.text)
        self.take()
        args = self._items(")", self.parse_or)
        self._close(")", token, f"the call to {token.text} is never closed; add ')'", "expected ',' or ')'")
        return self.node("call", token.column, tuple(args), token.text)

    def _list(self, token: Token) -> Node:
        items = self._items("]", self.parse_unary)
        self._close("]", token, "this list is never closed; add ']'", "expected ',' or ']' in the list")
        for item in items:
            if item.op != "lit" and not (item.op == "neg" and item.children[0].op == "lit"):
                raise ExprError("a list holds fixed values only, like ['US', 'CA']", item.column)
        return self.node("list", token.column, tuple(items))

    def _items(self, closing: str, parse_item: Callable[[], Node]) -> list[Node]:
        """Comma-separated items up to `closing` (not consumed); a trailing comma is allowed."""
        items: list[Node] = []
        while self.token.text != closing and self.token.kind != "end":
            items.append(self.nested(parse_item))
            if not self.accept(","):
                break
        return items

    def _close(self, text: str, opening: Token, unclosed: str, expected: str) -> None:
        if self.accept(text):
            return
        if self.token.kind == "end":
            raise ExprError(unclosed, opening.column)
        raise ExprError(f"{expected}, found {self.token.text!r}", self.token.column)


def _literal(token: Token) -> Any:
    if token.kind == "string":
        return unquote(token.text)
    if token.kind == "keyword":
        return _LITERALS[token.text]
    if "." in token.text:
        return float(token.text)
    if len(token.text) > 30:
        raise ExprError("this number is too long", token.column)
    return int(token.text)


def _too_deep(column: int) -> ExprError:
    return ExprError(f"the condition is nested too deeply (over {MAX_DEPTH} levels); split it into simpler ones",
                     column)


def parse(source: str) -> Node:
    """Parse a condition's text into a tree; raise ExprError with the column of the problem."""
    return _Parser(source).parse()
