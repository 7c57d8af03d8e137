"""``IdIn``: a column among a page's ids, the ids sent as one array.

``field__in=ids`` prepares each of a page's 500 ids in Python and hands PostgreSQL
500 constants to parse and plan; ``column = ANY('{1,2,...}'::bigint[])`` is one
parameter. A list page asks it for every nested list and for the external ids.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Lookup
from django.db.models.lookups import In


class IdIn(Lookup):
    """``IdIn(F("meeting_id"), ids)``, for ``QuerySet.filter``: integer ids only."""

    lookup_name = "id_in"
    prepare_rhs = False

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        if connection.vendor != "postgresql":  # the SQLite quick start
            sql, params = In(self.lhs, self.rhs).as_sql(compiler, connection)
            return sql, list(params)
        lhs, lhs_params = self.process_lhs(compiler, connection)
        ids = "{" + ",".join(str(int(i)) for i in self.rhs) + "}"
        return f"{lhs} = ANY(%s::bigint[])", [*lhs_params, ids]
