"""Comments, docstrings, templates, scripts and docs cite documents inside the repository.

A reader of the code can open docs/rules.md, the glossary and the ADRs; they cannot open the
source papers by their working numbers, the domain brief the project was started from, or an
issue tracker. The first test fails when such a citation comes back; the others, when the code
cites a rule id that docs/rules.md does not define.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

from tests.conftest import ROOT

# Generated, installed or version-control directories: not the project's own text.
SKIPPED_DIRS = {
    ".git",
    ".venv",
    "node_modules",
    "var",
    "__pycache__",
    ".mypy_cache",
    ".ruff_cache",
    ".pytest_cache",
    "htmlcov",
    "tmp",
}
TEXT_SUFFIXES = {
    ".py",
    ".html",
    ".md",
    ".txt",
    ".po",
    ".yaml",
    ".yml",
    ".toml",
    ".js",
    ".css",
    ".sh",
    ".cfg",
    ".ini",
}
# Shell scripts without a suffix live in these directories.
SCRIPT_DIRS = {"scripts", "docker", ".ci"}

# Citations a reader of the repository cannot follow: a source paper by its working number
# (three digits, so a random generator's seed such as ``--seed 1`` is not one), the domain
# brief by its file name, an issue by its number.
UNREACHABLE_CITATION = re.compile(
    r"\bseeds?[ /_-]?0\d{2}\b|\bDOMAIN\.md\b|\bissues? #?\d+",
    re.IGNORECASE,
)
RULES = ROOT / "docs" / "rules.md"
# A rule is defined by a list item whose bold text starts with its id.
RULE_DEFINITION = re.compile(r"^- \*\*((?:R-[A-Z]+-\d+)|(?:A-\d+)) ", re.MULTILINE)
RULE_CITATION = re.compile(r"\bR-[A-Z]+-\d+\b")
# A family cited as a whole, e.g. "R-POOL" (not inside a string literal: a test's case number
# such as "R-HERSTART" is data, not a citation).
FAMILY_CITATION = re.compile(r"(?<![\"'\w-])(R-[A-Z]+)\b(?![-\"'])")
ASSUMPTION_CITATION = re.compile(r"\bassumption (A-\d+)\b")


def project_text_files() -> list[Path]:
    files = []
    for path in ROOT.rglob("*"):
        relative = path.relative_to(ROOT)
        if any(part in SKIPPED_DIRS for part in relative.parts) or not path.is_file():
            continue
        if path.suffix in TEXT_SUFFIXES or (path.suffix == "" and relative.parts[0] in SCRIPT_DIRS):
            files.append(path)
    return files


def citations(pattern: re.Pattern[str], *, group: int = 0) -> dict[str, set[str]]:
    """Each cited id with the files that cite it (docs/rules.md itself included)."""
    found: dict[str, set[str]] = {}
    for path in project_text_files():
        text = path.read_text(encoding="utf-8", errors="replace")
        for match in pattern.finditer(text):
            found.setdefault(match.group(group), set()).add(str(path.relative_to(ROOT)))
    return found


def defined_rules() -> list[str]:
    return RULE_DEFINITION.findall(RULES.read_text(encoding="utf-8"))


def test_the_file_walk_sees_the_project():
    names = {str(path.relative_to(ROOT)) for path in project_text_files()}
    assert {"README.md", "docs/rules.md", "cases/models.py", "scripts/test"} <= names


def test_no_citation_of_a_document_outside_the_repository():
    offenders = []
    for path in project_text_files():
        text = path.read_text(encoding="utf-8", errors="replace")
        for number, line in enumerate(text.splitlines(), start=1):
            if UNREACHABLE_CITATION.search(line):
                offenders.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert not offenders, (
        "Cite docs/rules.md (a numbered rule), docs/glossary.md or an ADR instead:\n"
        + "\n".join(offenders)
    )


def test_every_rule_is_defined_once():
    counts = Counter(defined_rules())
    assert counts, "docs/rules.md defines no rule"
    assert [rule for rule, count in counts.items() if count > 1] == []


def test_every_cited_rule_exists_in_docs_rules():
    defined = set(defined_rules())
    cited = citations(RULE_CITATION) | citations(ASSUMPTION_CITATION, group=1)
    unknown = {rule: sorted(files) for rule, files in cited.items() if rule not in defined}
    assert unknown == {}


def test_every_cited_rule_family_exists_in_docs_rules():
    families = {rule.rsplit("-", 1)[0] for rule in defined_rules() if rule.startswith("R-")}
    cited = citations(FAMILY_CITATION, group=1)
    unknown = {family: sorted(files) for family, files in cited.items() if family not in families}
    assert unknown == {}
