"""Imports run one way (README "Architecture"): monitoring, documents, ptor, api and the
tools above them -> cases -> pool -> accounts, audit -> kernel. A module never imports
from an app above its own; where a lower app must let a higher one act, it sends a
signal the higher one follows (cases/signals.py)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
TOP = {"monitoring", "documents", "ptor", "api", "sync_client", "sampledata", "benchmarks"}
ABOVE = {
    "cases": TOP,
    "pool": TOP | {"cases"},
    "accounts": TOP | {"cases", "pool"},
    "audit": TOP | {"cases", "pool"},
    "kernel": TOP | {"cases", "pool", "accounts", "audit"},
}


def imported_apps(path: Path) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.lineno, node.module))
    return found


@pytest.mark.parametrize("app", sorted(ABOVE))
def test_no_module_imports_from_an_app_above_its_own(app):
    upward = [
        f"{path.relative_to(ROOT)}:{line} imports {module}"
        for path in sorted((ROOT / app).rglob("*.py"))
        if "migrations" not in path.parts
        for line, module in imported_apps(path)
        if module.split(".")[0] in ABOVE[app]
    ]
    assert upward == []


def test_the_check_sees_an_upward_import(tmp_path):
    module = tmp_path / "x.py"
    module.write_text("from documents.services import document_upload\nimport monitoring.pdf\n")
    assert [m for _, m in imported_apps(module)] == ["documents.services", "monitoring.pdf"]
