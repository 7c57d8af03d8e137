"""Reading documents: the list of a case as one reader may see it, and one version."""

from __future__ import annotations

from django.db.models import Prefetch, Q, QuerySet

from cases.access import CaseAccess
from cases.models import MOVE_GROUNDS, Case, ExitProcedure

from .models import Document, DocumentVersion
from .permissions import may_read_all_documents


def documents_of(case: Case) -> QuerySet[Document]:
    """The case's documents that are not removed, newest version first on each."""
    return (
        Document.objects.filter(case=case, removed_at__isnull=True)
        .select_related("meeting", "plan_version", "exit_procedure")
        .prefetch_related(
            Prefetch(
                "versions",
                queryset=DocumentVersion.objects.select_related("uploaded_by").order_by("-number"),
            )
        )
    )


def documents_visible(access: CaseAccess) -> QuerySet[Document]:
    """The documents of the case of ``access`` its reader may see (documents/permissions.py)."""
    documents = documents_of(access.case)
    if may_read_all_documents(access):
        return documents
    return documents.filter(Q(meeting__isnull=False) | Q(plan_version__isnull=False))


def version_of(document: Document, version_id: int) -> DocumentVersion | None:
    return (
        DocumentVersion.objects.select_related("document")
        .filter(document=document, pk=version_id)
        .exclude(stored_as="")
        .first()
    )


def running_move(case: Case) -> ExitProcedure | None:
    """The running exit procedure of ``case`` on the ground of a move, if any: the
    hand-over file hangs on it."""
    return ExitProcedure.objects.running().filter(case=case, ground__in=MOVE_GROUNDS).first()
