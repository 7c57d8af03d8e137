"""Who may do what with a case's documents: predicates over the case permissions the
reader holds (cases/access.py), never a role name.

- reading: whoever reads the case (``view_case``); a reader without ``view_person_data``
  (an intervention-team member, docs/rules.md R-ACCESS-3) sees only the documents attached
  to a plan version or a meeting;
- uploading, adding a version and removing: whoever works on the case (``work_on_case``:
  its regisseur, buddy or a stand-in, and the programme team), on an open case.
"""

from __future__ import annotations

from cases.access import CaseAccess

from .models import Document


def may_read_all_documents(access: CaseAccess) -> bool:
    return access.allows("view_person_data")


def may_read_document(access: CaseAccess, document: Document) -> bool:
    if document.case_id != access.case.pk or document.is_removed:
        return False
    return may_read_all_documents(access) or document.attached_to_plan_or_meeting


def may_change_documents(access: CaseAccess) -> bool:
    return access.allows("work_on_case") and access.case.is_open
