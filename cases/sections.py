"""Which sections of the case page each reader sees: one policy, decided by the
permissions the reader holds on the case (cases/access.py), never by role names.

docs/rules.md R-ACCESS-3: an intervention-team member reads the plan and the meetings of the
cases he or she is on. The team member's object permission is ``view_case``
alone, so everything that is a judgement about the person (the weighings of the
dynamisch beoordelingskader, the evaluations, the exit reasoning, why a
regisseur or buddy was assigned or handed over, why the phase changed) is shown
under ``view_person_data``, with the person record itself; the sharing decisions
are part of the directors' work (``work_on_case``). See docs/adr/0010-field-level-access.md.

The case page renders only the visible sections and reads only their data; a
page under a hidden section answers 403 (``section_access_for``).
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from enum import StrEnum
from types import MappingProxyType

from .access import (
    CaseAccess,
    CasePermission,
    CasePermissions,
    Reader,
    case_access_for,
    case_permissions,
)
from .models import Case


class Section(StrEnum):
    """The sections of the case page (cases/templates/cases/_case_body.html and
    case_detail.html), by the name the template asks for."""

    SUMMARY = "summary"  # number, region, phase, status, regisseur and buddy now
    TEAM = "team"
    PLAN = "plan"  # plan versions with their interventions and ITAT-R's advice on them
    MEETINGS = "meetings"
    PERSON = "person"  # the person record (its own page)
    PHASES = "phases"  # the phase history with the reason of each change
    ASSIGNMENTS = "assignments"  # regisseur and buddy through time, with the reasons
    ASSESSMENTS = "assessments"  # weighings with the dynamisch beoordelingskader
    EVALUATIONS = "evaluations"
    EXIT = "exit"  # exit procedures: team judgement, ITAT-R advice, PTO-R decision
    ESCALATIONS = "escalations"  # a stuck case: what the team tried, consultations, outcome
    SHARING = "sharing"  # sharing decisions on a weighty interest


# The case permission that opens each section.
SECTION_PERMISSION: Mapping[Section, CasePermission] = MappingProxyType(
    {
        Section.SUMMARY: "view_case",
        Section.TEAM: "view_case",
        Section.PLAN: "view_case",
        Section.MEETINGS: "view_case",
        Section.PERSON: "view_person_data",
        Section.PHASES: "view_person_data",
        Section.ASSIGNMENTS: "view_person_data",
        Section.ASSESSMENTS: "view_person_data",
        Section.EVALUATIONS: "view_person_data",
        Section.EXIT: "view_person_data",
        Section.ESCALATIONS: "view_person_data",
        Section.SHARING: "work_on_case",
    }
)
ALL_SECTIONS = frozenset(Section)


def sections_allowed(permissions: CasePermissions) -> frozenset[Section]:
    """The sections ``permissions`` open (for a caller that already holds them)."""
    return frozenset(s for s, perm in SECTION_PERMISSION.items() if permissions.allows(perm))


def visible_sections(
    user: Reader, case: Case, *, on: datetime.datetime | None = None
) -> frozenset[Section]:
    """The sections of ``case``'s page that ``user`` sees at ``on`` (default: now).
    Empty for whoever does not see the case at all."""
    return sections_allowed(case_permissions(user, case, on=on))


def section_access_for(
    user: Reader, case_id: int, section: Section, *, on: datetime.datetime | None = None
) -> CaseAccess:
    """The case for a page under ``section``: 404 when the case is not visible,
    403 when it is but the section is not (cases/access.py ``case_access_for``)."""
    return case_access_for(user, case_id, need=SECTION_PERMISSION[section], on=on)


def section_flags(sections: frozenset[Section]) -> dict[str, bool]:
    """{section name: shown} for every section: what the template asks (``show.plan``)."""
    return {section.value: section in sections for section in Section}


__all__ = [
    "ALL_SECTIONS",
    "SECTION_PERMISSION",
    "Section",
    "section_access_for",
    "section_flags",
    "sections_allowed",
    "visible_sections",
]
