"""Reading documents: the list of a case as one reader may see it, and one version."""

from __future__ import annotations

from django.db.models import F, Prefetch, Q, QuerySet, prefetch_related_objects

from cases.access import CaseAccess
from cases.models import MOVE_GROUNDS, Case, ExitProcedure
from kernel.compiled import CompiledQuery

from .models import Document, DocumentVersion
from .permissions import may_read_all_documents


def _listed(case: Case) -> QuerySet[Document]:
    """The case's documents that are not removed, with what the list shows of what each
    is attached to: the UVO's day, the plan version's number, the exit procedure's
    opening day (not those records' long texts)."""
    return (
        Document.objects.filter(case=case, removed_at__isnull=True)
        .only(
            "pk",
            "title",
            "kind",
            "date",
            "confidentiality",
            "generated_as",
            "meeting_id",
            "plan_version_id",
            "exit_procedure_id",
        )
        .annotate(
            meeting_held_on=F("meeting__held_on"),
            plan_version_number=F("plan_version__number"),
            exit_procedure_opened_on=F("exit_procedure__opened_on"),
        )
    )


# Compiled once per process (kernel/compiled.py): Django took about as long to build
# the list's query as the rest of the list, and PostgreSQL longer to plan its three
# joins than to run it.
_ALL_LISTED: CompiledQuery[Document] = CompiledQuery(_listed)
_ATTACHED_LISTED: CompiledQuery[Document] = CompiledQuery(
    lambda case: _listed(case).filter(Q(meeting__isnull=False) | Q(plan_version__isnull=False))
)


def documents_visible(access: CaseAccess) -> list[Document]:
    """The documents of the case of ``access`` its reader may see (documents/permissions.py),
    newest first, each with its versions, newest first, and who uploaded each; what each
    is attached to as the annotations of ``_listed``."""
    query = _ALL_LISTED if may_read_all_documents(access) else _ATTACHED_LISTED
    documents = query.instances(case=access.case)
    prefetch_related_objects(
        documents,
        Prefetch(
            "versions",
            queryset=DocumentVersion.objects.select_related("uploaded_by").order_by("-number"),
        ),
    )
    return documents


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
