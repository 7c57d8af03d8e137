"""Matrix rows below the URL: every section of the case page (cases/sections.py) and
every field group of the API (api/serializers.py FIELD_GROUPS), per role, on the
world's own case (the one the role works on) and on someone else's.

Codes as in matrix.py; for a section ``True``/``False`` is shown or not, given as
(own, other) or one value for both."""

from __future__ import annotations

from collections.abc import Mapping

from api.serializers import FIELD_GROUPS
from cases.sections import Section

from .matrix import ANONYMOUS, PT, REG, SYNC, TEAM, Expected, every
from .world import ROLES

Shown = bool | tuple[bool, bool]

# What a team member of the case reads: the plan and the meetings (R-ACCESS-3), with
# the team and the case's present state around them.
TEAM_MEMBER_READS = frozenset({Section.SUMMARY, Section.TEAM, Section.PLAN, Section.MEETINGS})


def _section_row(section: Section) -> dict[str, Shown]:
    readers: dict[str, Shown] = {
        PT: True,  # every case, all of it
        REG: (True, False),  # all of the own case; another case does not exist for him
        TEAM: (section in TEAM_MEMBER_READS, False),
    }
    return {role: readers.get(role, False) for role in ROLES}


SECTION_ROWS: Mapping[Section, Mapping[str, Shown]] = {
    section: _section_row(section) for section in Section
}

# How the rendered case page shows each section (an element id; the person record is
# the link to its page).
SECTION_MARKERS: Mapping[Section, str] = {
    Section.SUMMARY: 'id="summary"',
    Section.TEAM: 'id="team"',
    Section.PLAN: 'id="plan"',
    Section.MEETINGS: 'id="meetings"',
    Section.PERSON: "/persoon/",
    Section.PHASES: 'data-section="phases"',
    Section.ASSIGNMENTS: 'id="assignments"',
    Section.ASSESSMENTS: 'id="assessments"',
    Section.EVALUATIONS: 'id="evaluations"',
    Section.EXIT: 'id="exits"',
    Section.ESCALATIONS: 'id="escalations"',
    Section.SHARING: 'id="shares"',
}

# The sync client reads each group with its scope; without it (another token of the
# same client) the group answers 403. People, team members included, use the case
# pages: the API answers them 401.
WITHOUT_SCOPE = "sync_client_without_scope"
FIELD_GROUP_ROWS: Mapping[str, Mapping[str, Expected]] = {
    group.resource: {**every(401, {SYNC: 200}), WITHOUT_SCOPE: 403} for group in FIELD_GROUPS
}

__all__ = [
    "ANONYMOUS",
    "FIELD_GROUP_ROWS",
    "SECTION_MARKERS",
    "SECTION_ROWS",
    "TEAM_MEMBER_READS",
    "WITHOUT_SCOPE",
]
