"""Who may do what with a case's documents: predicates over the case permissions the
reader holds (cases/access.py) and the role permissions (accounts/roles.py), never a
role name.

- reading: whoever reads the case (``view_case``); a reader without ``view_person_data``
  (an intervention-team member, docs/rules.md R-ACCESS-3) sees only the documents attached
  to a plan version or a meeting;
- uploading, adding a version and generating a document (the plan of approach, the
  minutes of an UVO, the hand-over file): whoever works on the case (``work_on_case``:
  its regisseur, buddy or a stand-in, and the programme team), on an open case;
- removing: the case's own regisseur and whoever holds ``remove_any_document`` (the
  programme team), on an open case; not the buddy, a stand-in or a team member
  (docs/rules.md R-DOC-2).
"""

from __future__ import annotations

from audit.models import AccessLog
from cases.access import CaseAccess

from .models import Document

REMOVE_ANY_DOCUMENT = "documents.remove_any_document"


def may_read_all_documents(access: CaseAccess) -> bool:
    return access.allows("view_person_data")


def may_read_document(access: CaseAccess, document: Document) -> bool:
    if document.case_id != access.case.pk or document.is_removed:
        return False
    return may_read_all_documents(access) or document.attached_to_plan_or_meeting


def may_change_documents(access: CaseAccess) -> bool:
    return access.allows("work_on_case") and access.case.is_open


def may_generate_documents(access: CaseAccess) -> bool:
    """Who may write the plan, the UVO or the move may render its document."""
    return may_change_documents(access)


def may_remove_documents(access: CaseAccess, user: object) -> bool:
    if not may_change_documents(access):
        return False
    has_perm = getattr(user, "has_perm", None)
    return bool(
        (has_perm is not None and has_perm(REMOVE_ANY_DOCUMENT))
        or AccessLog.Basis.REGISSEUR in access.relations.grounds
    )
