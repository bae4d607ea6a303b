"""Domain errors: each carries a message a person can act on."""

from __future__ import annotations

from dataclasses import dataclass


class LeadpactError(Exception):
    """Base of every error the core raises on purpose."""


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a pact file: where it is, what is wrong, and how to fix it."""

    path: str
    message: str
    line: int | None = None

    def __str__(self) -> str:
        where = f"line {self.line}, {self.path}" if self.line else self.path
        return f"{where}: {self.message}"


class PactInvalid(LeadpactError):
    """A pact text that cannot be used; `problems` lists every reason at once."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


class IllegalTransition(LeadpactError):
    """A stage change the lifecycle does not allow from where the lead is."""


class FieldErrors(LeadpactError):
    """Bad input: a message per field, e.g. {"email": "not an email address: 'bob@'"}."""

    def __init__(self, errors: dict[str, str]):
        self.errors = errors
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))


class NotAllowed(LeadpactError):
    """The person's role does not allow this action."""


class NotFound(LeadpactError, LookupError):
    """What was asked for does not exist, or the person may not see it (the same answer for both)."""
