from __future__ import annotations

import re
from importlib import resources

import pytest


@pytest.fixture
def text() -> str:
    """The shipped example pact text."""
    return resources.files("leadpact.examples").joinpath("pact.yaml").read_text(encoding="utf-8")


def edit(text: str, old: str, new: str) -> str:
    """Replace one exact passage of the example (fails loudly if the example changed)."""
    assert old in text, f"the example pact no longer contains {old!r}"
    return text.replace(old, new, 1)


def line_of(text: str, pattern: str) -> int:
    for number, line in enumerate(text.splitlines(), start=1):
        if re.search(pattern, line):
            return number
    raise AssertionError(f"no line matches {pattern!r}")
