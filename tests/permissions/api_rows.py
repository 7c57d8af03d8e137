"""Matrix rows of the sync API (/api/): resources answer sync-client tokens only;
people (sessions) and anonymous visitors get 401. The matrix test sends the sync
client's token on /api/ paths."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

MISSING = 999_999_999


def api_rows() -> dict[str, Any]:
    from .matrix import ANONYMOUS, PT, SYNC, Row, every, fixed

    def on_object(name: str, attribute: str):
        return lambda world, which: reverse(name, kwargs={"pk": world.obj(which, attribute).pk})

    def missing(name: str):
        return lambda world, which: reverse(name, kwargs={"pk": MISSING})

    token_only = every(401, {SYNC: 200})
    rows: dict[str, Row] = {}
    for basename in (
        "organisation",
        "regisseur",
        "case",
        "person",
        "team-member",
        "plan",
        "meeting",
        "assessment",
        "evaluation",
        "exit",
        "escalation",
        "caseload-review",
        "change",
        "webhook",
        "document",
    ):
        rows[f"api:{basename}-list"] = Row(fixed(f"api:{basename}-list"), token_only)
    in_world = {
        "organisation": "organisation",
        "regisseur": "regisseur",
        "case": "case",
        "person": "person",
        "plan": "plan_version",
        "meeting": "meeting",
    }
    for basename, attribute in in_world.items():
        rows[f"api:{basename}-detail"] = Row(
            on_object(f"api:{basename}-detail", attribute),
            token_only,
            note="a sync client reads every registration its token's scopes name",
        )
    for basename in (
        "team-member",
        "assessment",
        "evaluation",
        "exit",
        "escalation",
        "caseload-review",
        "webhook",
        "document",
    ):
        rows[f"api:{basename}-detail"] = Row(
            missing(f"api:{basename}-detail"), every(401, {SYNC: 404}), note="no such object"
        )
    post_only = {
        "case-phase": "case",
        "case-hand-over": "case",
        "case-assign": "case",
        "case-sign-notification": "case",
        "case-not-included": "case",
        "case-buddy": "case",
        "case-move": "case",
        "person-erase": "person",
        "plan-itat-advice": "plan_version",
        "plan-adopt": "plan_version",
        "plan-intervention-progress": "plan_version",
        "plan-intervention-update": "plan_version",
        "plan-intervention-remove": "plan_version",
        "meeting-action-done": "meeting",
    }
    for name, attribute in post_only.items():
        rows[f"api:{name}"] = Row(
            on_object(f"api:{name}", attribute), every(401, {SYNC: 405}), note="POST only"
        )
    for name in (
        "api:exit-itat-advice",
        "api:team-member-leave",
        "api:escalation-step",
        "api:escalation-resolve",
    ):
        rows[name] = Row(missing(name), every(401, {SYNC: 405}), note="POST only")
    rows["api:case-already-known"] = Row(
        fixed("api:case-already-known"),
        every(401, {SYNC: 405}),
        note="POST only: no BSN travels in a URL",
    )
    rows["api:document-download"] = Row(
        lambda world, which: reverse(
            "api:document-download", kwargs={"pk": MISSING, "version_id": MISSING}
        ),
        every(401, {SYNC: 404}),
        note="no such document",
    )
    rows["api:webhook-delivery-list"] = Row(
        fixed("api:webhook-delivery-list"),
        every(403, {ANONYMOUS: 401, SYNC: 200, PT: 200}),
        note="the programme team oversees deliveries; a client sees its own",
    )
    schema = every(200, {ANONYMOUS: 401})
    rows["api:schema"] = Row(
        fixed("api:schema"),
        schema,
        note="a token, or a session past the second factor (the password alone: 403)",
    )
    rows["api:swagger"] = Row(fixed("api:swagger"), schema)
    rows["api:redoc"] = Row(fixed("api:redoc"), schema)
    return rows
