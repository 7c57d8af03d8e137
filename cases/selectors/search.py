"""Finding a case from the search field in the page header.

Everyone finds a case by its exact number, among the cases he or she may see
(cases/access.py ``cases_visible_to``): a number one may not see is not there, so
the answer is the one an unknown number gets, from the same single query. Who may
search by person (cases/permissions.py ``may_search_persons``) also finds cases by
part of their number, by the person's name and by BSN (exactly): on PostgreSQL
through pg_trgm's word similarity, which the GIN trigram indexes of cases migration
0006 serve; on the SQLite quick start through a plain ``icontains``.
"""

from __future__ import annotations

import re

from django.contrib.postgres.search import TrigramSimilarity
from django.db import connection, models
from django.db.models import Q, QuerySet, Value, When
from django.db.models.functions import Concat

from audit.models import SEARCH_TERM_MAX_LENGTH as SEARCH_TERM_MAX_LENGTH

from ..access import Reader, cases_visible_to
from ..models import Case

# A result list longer than this asks for a sharper term instead.
SEARCH_RESULTS_MAX = 25
# Words of a name looked at; more only slow the query down.
NAME_WORDS_MAX = 4
BSN_PATTERN = re.compile(r"\d{9}")


def search_term_clean(term: str) -> str:
    """The term as searched for: trimmed, inner whitespace collapsed."""
    return " ".join(term.split())[:SEARCH_TERM_MAX_LENGTH]


def case_numbered(user: Reader, term: str) -> Case | None:
    """The case with exactly this number if ``user`` may see it, else None: one query,
    the same for an unknown number as for one the user may not see."""
    return cases_visible_to(user).filter(number__iexact=term).first()


def cases_found(user: Reader, term: str) -> QuerySet[Case]:
    """Cases ``user`` may see whose number contains ``term``, or whose person's BSN is
    ``term`` (nine digits) or whose person's first or last name is like each word of
    it; the closest first, at most SEARCH_RESULTS_MAX + 1 (so a caller can tell
    there are more). Each comes with region, regisseur and person in the same query.
    For who may search by person only: the rows carry person data."""
    if BSN_PATTERN.fullmatch(term):
        matches = Q(person__bsn=term)
    else:
        matches = Q(number__icontains=term) | _name_matches(term)
    exact_number = models.Case(
        When(number__iexact=term, then=Value(1)),
        default=Value(0),
        output_field=models.IntegerField(),
    )
    found = (
        cases_visible_to(user)
        .filter(matches)
        .select_related("region", "regisseur__user", "person")
        .annotate(exact_number=exact_number)
    )
    if connection.vendor == "postgresql":
        full_name = Concat("person__first_name", Value(" "), "person__last_name")
        found = found.annotate(closeness=TrigramSimilarity(full_name, term)).order_by(
            "-exact_number", "-closeness", "number"
        )
    else:
        found = found.order_by("-exact_number", "number")
    return found[: SEARCH_RESULTS_MAX + 1]


def _name_matches(term: str) -> Q:
    """Every word of ``term`` like the first or the last name: pg_trgm's word
    similarity (``%>``, served by the trigram indexes) on PostgreSQL, a substring
    on SQLite."""
    lookup = "trigram_word_similar" if connection.vendor == "postgresql" else "icontains"
    condition = Q()
    for word in term.split()[:NAME_WORDS_MAX]:
        condition &= Q(**{f"person__first_name__{lookup}": word}) | Q(
            **{f"person__last_name__{lookup}": word}
        )
    return condition
