"""Reading values out of a pact file, each checked, with every problem collected by line and key."""

from __future__ import annotations

import difflib
import re
from typing import Any

from leadpact.core.durations import Duration, parse_duration, parse_percent
from leadpact.core.errors import Problem
from leadpact.core.expr import Condition, ExprError, compile_condition
from leadpact.core.fields import CONDITION_FIELDS, FREE_MAIL_DOMAINS
from leadpact.core.yamltree import LocatedYaml, Path, path_text

SLUG = re.compile(r"^[a-z][a-z0-9_]*$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class Reader:
    """Reads values out of the located document, collecting a Problem for each bad one."""

    def __init__(self, doc: LocatedYaml):
        self.doc = doc
        self.problems: list[Problem] = []
        self.names: dict[str, Any] = {"free_mail": FREE_MAIL_DOMAINS}

    def report(self, path: Path, message: str) -> None:
        """Add a problem with the value at `path`; a value YAML could not read is already reported, once."""
        if path not in self.doc.unreadable:
            self._add(path, message)

    def _add(self, path: Path, message: str) -> None:
        self.problems.append(Problem(path_text(path), message, self.doc.line(path)))

    def entries(self, path: Path, value: Any, example: str) -> dict[str, Any]:
        """A mapping of names the pact chooses (signals, weights): {} and a problem when it is anything else."""
        if not isinstance(value, dict):
            self.report(path, f"give a mapping, like {example}")
            return {}
        return value

    def mapping(self, path: Path, value: Any, allowed: dict[str, bool]) -> dict[str, Any]:
        """Check a mapping's keys: required ones present (allowed[key] is True), no unknown ones."""
        if not isinstance(value, dict):
            self.report(path, f"expected a mapping with keys {', '.join(allowed)}")
            return {}
        for key in value:
            if key not in allowed:
                near = difflib.get_close_matches(key, list(allowed), n=1)
                hint = f"did you mean {near[0]!r}?" if near else f"known keys: {', '.join(allowed)}"
                self._add(path + (key,), f"unknown key {key!r}; {hint}")  # about the key, not its value
        for key, required in allowed.items():
            if required and key not in value:
                self.report(path, f"{key!r} is missing; add it")
        return value

    def duration(self, path: Path, value: Any) -> Duration | None:
        try:
            result = parse_duration(value)
        except ValueError as err:
            return self._fail(path, str(err))
        if result.calendar_seconds <= 0:
            return self._fail(path, "must be longer than zero")
        return result

    def percent(self, path: Path, value: Any) -> float | None:
        try:
            return parse_percent(value)
        except ValueError as err:
            return self._fail(path, str(err))

    def integer(self, path: Path, value: Any, minimum: int = 0) -> int | None:
        if isinstance(value, bool) or not isinstance(value, int):
            return self._fail(path, f"{value!r} is not a whole number")
        if value < minimum:
            return self._fail(path, f"{value} is below {minimum}")
        return value

    def slugs(self, path: Path, value: Any, allow_empty: bool = False) -> tuple[str, ...]:
        if not isinstance(value, list) or (not value and not allow_empty):
            self._fail(path, "give a list of names, like [not_ready_yet, no_budget_yet]")
            return ()
        for i, item in enumerate(value):
            if not isinstance(item, str) or not SLUG.match(item):
                self._fail(path + (i,), f"{item!r} is not a name; use lower case letters, digits and _")
        names = [item for item in value if isinstance(item, str)]
        if len(set(names)) != len(names):
            self._fail(path, "a name is listed twice; list each once")
        return tuple(str(v) for v in value)

    def choice(self, path: Path, value: Any, choices: tuple[str, ...]) -> str | None:
        if value not in choices:
            return self._fail(path, f"{value!r} is not one of: {', '.join(choices)}")
        return str(value)

    def email(self, path: Path, value: Any) -> str:
        if not isinstance(value, str) or not _EMAIL.match(value):
            self._fail(path, f"{value!r} is not an email address")
            return ""
        return value.strip().lower()

    def condition(self, path: Path, value: Any) -> Condition | None:
        if not isinstance(value, str):
            return self._fail(path, "write the condition as text, like \"employees >= 200\"")
        try:
            return compile_condition(value, CONDITION_FIELDS, self.names)
        except ExprError as err:
            return self._fail(path, f"{err.message} (column {err.column + 1} of {value!r})")

    def _fail(self, path: Path, message: str) -> None:
        self.report(path, message)
        return None
