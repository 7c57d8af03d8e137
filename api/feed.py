"""The synced tables and how a change to each reaches the change feed.

A database trigger on each table (migration 0002) writes a ChangeEvent in the
transaction of the change: nothing escapes, not even ``QuerySet.update`` or
``bulk_create`` in a service. A row that belongs to a case also moves the case
(and an intervention its plan version, a meeting action its meeting) forward in
the feed, once per transaction.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SyncedTable:
    table: str
    resource: str  # the event's resource: the API path segment
    # "self", "case_id", "plan_version", "meeting", "escalation" or "none"
    case_source: str
    parent_resource: str = ""
    parent_column: str = ""


# The tables migration 0002 put in the feed.
FIRST_SYNCED_TABLES = (
    SyncedTable("accounts_organisation", "organisations", "none"),
    SyncedTable("pool_regisseur", "regisseurs", "none"),
    SyncedTable("pool_caseloadreview", "caseload-reviews", "none"),
    SyncedTable("cases_case", "cases", "self"),
    SyncedTable("cases_person", "persons", "case_id"),
    SyncedTable("cases_teammember", "team-members", "case_id"),
    SyncedTable("cases_planversion", "plans", "case_id"),
    SyncedTable("cases_intervention", "interventions", "plan_version", "plans", "plan_version_id"),
    SyncedTable("cases_meeting", "meetings", "case_id"),
    SyncedTable("cases_meetingaction", "meeting-actions", "meeting", "meetings", "meeting_id"),
    SyncedTable("cases_assessment", "assessments", "case_id"),
    SyncedTable("cases_evaluation", "evaluations", "case_id"),
    SyncedTable("cases_exitprocedure", "exits", "case_id"),
)
# A stuck case and its steps (migration 0006).
ESCALATION_TABLES = (
    SyncedTable("cases_escalation", "escalations", "case_id"),
    SyncedTable(
        "cases_escalationstep", "escalation-steps", "escalation", "escalations", "escalation_id"
    ),
)
SYNCED_TABLES = FIRST_SYNCED_TABLES + ESCALATION_TABLES

# The token scope that lets a client see an event of each resource.
EVENT_SCOPE = {t.resource: t.resource for t in SYNCED_TABLES} | {
    "interventions": "plans",
    "meeting-actions": "meetings",
    "escalation-steps": "escalations",
}

FUNCTIONS_SQL = """
CREATE OR REPLACE FUNCTION api_emit_change(
    res text, obj bigint, the_case bigint, op text, xact bigint
) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    -- One 'updated' per object and transaction is enough: the client re-reads it.
    IF op = 'updated' AND EXISTS (
        SELECT 1 FROM api_changeevent
        WHERE xact_id = xact AND resource = res AND object_id = obj
    ) THEN
        RETURN;
    END IF;
    INSERT INTO api_changeevent (resource, object_id, case_id, operation, xact_id, occurred_at)
    VALUES (res, obj, the_case, op, xact, clock_timestamp());
END $$;

CREATE OR REPLACE FUNCTION api_record_change() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    rec jsonb;
    op text;
    obj bigint;
    the_case bigint;
    parent_id bigint;
    xact bigint := pg_current_xact_id()::text::bigint;
    res text := TG_ARGV[0];
    case_source text := TG_ARGV[1];
    parent_resource text := TG_ARGV[2];
    parent_column text := TG_ARGV[3];
BEGIN
    IF TG_OP = 'DELETE' THEN
        rec := to_jsonb(OLD); op := 'deleted';
    ELSIF TG_OP = 'INSERT' THEN
        rec := to_jsonb(NEW); op := 'created';
    ELSE
        rec := to_jsonb(NEW); op := 'updated';
    END IF;
    obj := (rec->>'id')::bigint;
    IF parent_column <> '' THEN
        parent_id := (rec->>parent_column)::bigint;
    END IF;
    IF case_source = 'self' THEN
        the_case := obj;
    ELSIF case_source = 'case_id' THEN
        the_case := (rec->>'case_id')::bigint;
    ELSIF case_source = 'plan_version' THEN
        SELECT case_id INTO the_case FROM cases_planversion WHERE id = parent_id;
    ELSIF case_source = 'meeting' THEN
        SELECT case_id INTO the_case FROM cases_meeting WHERE id = parent_id;
    ELSIF case_source = 'escalation' THEN
        SELECT case_id INTO the_case FROM cases_escalation WHERE id = parent_id;
    END IF;
    PERFORM api_emit_change(res, obj, the_case, op, xact);
    IF parent_id IS NOT NULL THEN
        PERFORM api_emit_change(parent_resource, parent_id, the_case, 'updated', xact);
    END IF;
    IF the_case IS NOT NULL AND res <> 'cases' THEN
        PERFORM api_emit_change('cases', the_case, the_case, 'updated', xact);
    END IF;
    RETURN NULL;
END $$;
"""

DROP_FUNCTIONS_SQL = """
DROP FUNCTION IF EXISTS api_record_change();
DROP FUNCTION IF EXISTS api_emit_change(text, bigint, bigint, text, bigint);
"""


def trigger_sql(t: SyncedTable) -> str:
    return (
        f"CREATE TRIGGER api_change_feed AFTER INSERT OR UPDATE OR DELETE ON {t.table} "
        f"FOR EACH ROW EXECUTE FUNCTION api_record_change("
        f"'{t.resource}', '{t.case_source}', '{t.parent_resource}', '{t.parent_column}');"
    )


def drop_trigger_sql(t: SyncedTable) -> str:
    return f"DROP TRIGGER IF EXISTS api_change_feed ON {t.table};"
