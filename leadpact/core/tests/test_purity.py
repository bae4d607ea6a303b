"""The core is pure: it imports nothing of Django, the database or the rest of Leadpact, and never reads the clock."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

CORE = Path(__file__).resolve().parents[1]
MODULES = sorted(p for p in CORE.glob("*.py"))


def imported(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.name)
def test_the_core_imports_no_framework_and_nothing_outside_itself(path: Path):
    outside = {name for name in imported(path)
               if name.split(".")[0] == "django" or (name.startswith("leadpact.") and not name.startswith("leadpact.core"))}
    assert not outside, f"{path.name} imports {outside}"


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.name)
def test_the_core_never_reads_the_clock(path: Path):
    text = path.read_text()
    assert ".now()" not in text and "utcnow(" not in text and "time.time(" not in text, path.name
