"""drf-spectacular postprocessing: every operation documents its problem answers
(RFC 9457, ``application/problem+json``), so clients and the contract tests know
each status code the API can give."""

from __future__ import annotations

from typing import Any

from .problems import PROBLEM_CONTENT_TYPE

PROBLEM_SCHEMA = {
    "type": "object",
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "instance": {"type": "string"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "field": {"type": "string"},
                    "message": {"type": "string"},
                    "code": {"type": "string"},
                },
                "required": ["field", "message", "code"],
            },
        },
    },
    "required": ["type", "title", "status"],
}
BIGINT_MAX = 2**63 - 1
FEED_PATH = "/api/v1/changes/"
READ_PROBLEMS = {
    "400": "Ongeldige invoer (bijvoorbeeld een filter of cursor)",
    "401": "Geen of een ongeldig token",
    "403": "Het token mist de scope",
    "404": "Bestaat niet",
    "406": "Gevraagd formaat wordt niet geleverd",
    "429": "Te veel verzoeken voor dit token",
}
WRITE_PROBLEMS = {
    "409": "Een regel verbiedt deze wijziging",
    "412": "If-Match past niet bij de huidige versie",
    "413": "Het verzoek is te groot",
    "415": "Niet-ondersteund formaat",
    "428": "If-Match ontbreekt",
}


def problem_responses(result: dict[str, Any], generator: Any, request: Any, public: bool) -> Any:
    result.setdefault("components", {}).setdefault("schemas", {})["Problem"] = PROBLEM_SCHEMA
    ref = {"$ref": "#/components/schemas/Problem"}
    for path, operations in result.get("paths", {}).items():
        for method, operation in operations.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            for parameter in operation.get("parameters", []):
                if parameter["in"] == "path" and parameter["name"] == "id":
                    # The router matches digits only; ids are positive bigints.
                    parameter["schema"] = {"type": "integer", "minimum": 1, "maximum": BIGINT_MAX}
            ok = operation["responses"].get("200", {}).get("content", {})
            if path == FEED_PATH and method == "get":
                # The feed's list action answers one page object, not a list of them.
                for media in ok.values():
                    if media["schema"].get("type") == "array":
                        media["schema"] = media["schema"]["items"]
            problems = dict(READ_PROBLEMS)
            if method in ("post", "patch", "put", "delete"):
                problems |= WRITE_PROBLEMS
            if method == "get":
                operation["responses"].setdefault("304", {"description": "Niet gewijzigd (ETag)"})
            for code, description in problems.items():
                operation["responses"].setdefault(
                    code,
                    {
                        "description": description,
                        "content": {PROBLEM_CONTENT_TYPE: {"schema": ref}},
                    },
                )
    add_links(result.get("paths", {}))
    return result


def add_links(paths: dict[str, Any]) -> None:
    """OpenAPI links from each create to the read and update of what it created (a
    client, and schemathesis's stateful tests, follow the answer's id)."""
    for path, operations in paths.items():
        create = operations.get("post")
        detail = paths.get(f"{path}{{id}}/", {})
        if create is None or "get" not in detail:
            continue
        targets = {"ReadCreated": detail["get"]}
        if "patch" in detail:
            targets["UpdateCreated"] = detail["patch"]
        links = {
            name: {
                "operationId": operation["operationId"],
                "parameters": {"id": "$response.body#/id"},
            }
            for name, operation in targets.items()
        }
        for code in ("200", "201"):
            if code in create["responses"]:
                create["responses"][code]["links"] = links
