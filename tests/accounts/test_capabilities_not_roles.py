"""Access is decided by capability (each app's permissions.py over has_perm), never by
a role's name: only accounts/ knows the roles (accounts/roles.py ROLE_PERMISSIONS)."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ROLE_NAMES = re.compile(
    r"from accounts\.roles import|import accounts\.roles|user_has_role|user_role_names"
    r"|groups__name"
)
# Outside the application: tests and the sample-data and benchmark builders put users
# in roles, as a person does through the role pages.
NOT_APPLICATION = {"accounts", "tests", "sampledata", "benchmarks", "node_modules"}
# Records, not decisions: the access log keeps the roles a reader held (NEN 7513).
RECORDS_ROLES = {"audit/services.py"}


def application_modules() -> list[Path]:
    return [
        path
        for path in ROOT.rglob("*.py")
        if not path.relative_to(ROOT).parts[0].startswith(".")
        and path.relative_to(ROOT).parts[0] not in NOT_APPLICATION
        and "migrations" not in path.parts
    ]


def test_the_application_finds_its_modules():
    names = {path.relative_to(ROOT).as_posix() for path in application_modules()}
    assert {"pool/views.py", "cases/permissions.py", "ipgar/views.py"} <= names


def test_no_module_outside_accounts_names_a_role():
    offenders = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        for path in application_modules()
        if path.relative_to(ROOT).as_posix() not in RECORDS_ROLES
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if ROLE_NAMES.search(line)
    ]
    assert offenders == []
