"""Every message constant is a lazy translation where it is defined.

A Dutch sentence assigned at module level as a plain string (or marked with
``gettext_noop``) reaches the English UI in Dutch: wrapping it in ``_()`` where it is
used is never extracted by makemessages. So a module-level constant that holds a
Dutch sentence must be ``gettext_lazy("...")`` (or ``format_lazy`` over one).
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

from django.conf import settings

# The apps of the server (sampledata and sync_client are not part of it and hold data,
# not messages).
APPS = ("accounts", "api", "audit", "cases", "kernel", "ipgar", "monitoring", "pool")
LAZY = {"gettext_lazy", "pgettext_lazy", "ngettext_lazy", "format_lazy"}
# Words that make a sentence Dutch; none of them is an English word.
DUTCH_STOP_WORDS = {
    "aan", "al", "bij", "de", "deze", "die", "dit", "een", "en", "er", "geen", "het", "kan",
    "met", "moet", "naar", "niet", "nog", "ook", "op", "te", "uw", "van", "voor", "wordt",
    "zijn",
}  # fmt: skip
ENGLISH_STOP_WORDS = {"the", "a", "an", "of", "and", "can", "to", "is", "not"}
# Written into the append-only access log or a history row as they are: the record is kept
# in the language of the approach, whatever the language of the reader.
STORED_AS_WRITTEN = {
    "API_PURPOSE",
    "ACCESS_LOG_EXPORT_PURPOSE",
    "SUBJECT_ACCESS_PURPOSE",
    "SECOND_FACTOR_FAILED_LABEL",
    "SECOND_FACTOR_RESET_LABEL",
    "PASSWORD_RESET_LABEL",
    "LOCKOUT_LIFTED_LABEL",
    "ADDRESS_LOCKOUT_LIFTED_LABEL",
    "SESSION_ENDED_LABEL",
    "SIGN_IN_REFUSED_LABEL",
    # The reason on the role request a new pool member's role starts with (a RoleGrant row).
    "POOL_MEMBER_ROLE_REASON",
    "MIRRORED_ERASURE_GROUND",
    "EARLY_ERASURE_GROUND",
    "EXIT_PROPOSALS_READ_PURPOSE",
    "PERSON_PAGE_PURPOSE",
    "ERASE_PAGE_PURPOSE",
    "MONITOR_DOWNLOAD_PURPOSE",
    "REVIEW_READ_PURPOSE",
    "TALK_READ_PURPOSE",
    "SEARCH_RESULT_PURPOSE",
    "EXPORT_PURPOSE",
}


def is_dutch_sentence(text: str) -> bool:
    # A message is one line; a text over several lines is code (SQL, a template).
    if " " not in text or "\n" in text.strip():
        return False
    words = set(re.findall(r"[a-zà-ÿ]+", text.lower()))
    if words & DUTCH_STOP_WORDS:
        return True
    return text.rstrip().endswith(".") and not words & ENGLISH_STOP_WORDS


def string_of(node: ast.expr) -> str | None:
    """The text of a str literal, an f-string's literal parts, or a concatenation."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(str(part.value) for part in node.values if isinstance(part, ast.Constant))
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add | ast.Mod):
        left, right = string_of(node.left), string_of(node.right)
        return left if right is None else (right if left is None else left + right)
    return None


def lazy_names(tree: ast.Module) -> set[str]:
    """The names under which this module imported a lazy translation function."""
    names = set()
    for node in tree.body:
        if isinstance(node, ast.ImportFrom) and node.module in (
            "django.utils.translation",
            "django.utils.text",
        ):
            names |= {alias.asname or alias.name for alias in node.names if alias.name in LAZY}
    return names


def plain_sentences(source: str, where: str) -> list[str]:
    tree = ast.parse(source)
    lazy = lazy_names(tree)
    found = []
    for node in tree.body:
        if not isinstance(node, ast.Assign | ast.AnnAssign) or node.value is None:
            continue
        target = node.targets[0] if isinstance(node, ast.Assign) else node.target
        name = getattr(target, "id", "")
        value = node.value
        if isinstance(value, ast.Call) and isinstance(value.func, ast.Name):
            if value.func.id in lazy:
                continue
            text = string_of(value.args[0]) if value.args else None  # gettext_noop(...), ...
        else:
            text = string_of(value)
        if text and is_dutch_sentence(text) and name not in STORED_AS_WRITTEN:
            found.append(f"{where}:{node.lineno} {name} = {text[:60]!r}")
    return found


def test_the_check_sees_plain_noop_and_formatted_sentences():
    source = (
        "from django.utils.translation import gettext_lazy as _, gettext_noop\n"
        "from django.utils.text import format_lazy\n"
        'A = "Deze casus is uitgestroomd."\n'
        'B = gettext_noop("Het plan is vastgesteld.")\n'
        'C = f"Minstens {N} tekens voor de reden."\n'
        'D = _("Deze casus is uitgestroomd.")\n'
        'E = format_lazy(_("Minstens {n} tekens."), n=3)\n'
        'F = "ipgar_refreshed_at"\n'
        'G = "The database user {user} can alter the access log."\n'
        'H = "\\nSELECT 1 FROM log\\nWHERE op = 1 AND te IS NULL;\\n"\n'
        'API_PURPOSE = "Synchronisatie via de API"\n'
    )
    assert [line.split(" ")[1] for line in plain_sentences(source, "m.py")] == ["A", "B", "C"]


def test_every_module_level_dutch_sentence_is_a_lazy_translation():
    base = Path(settings.BASE_DIR)
    found = [
        problem
        for app in APPS
        for path in sorted((base / app).rglob("*.py"))
        if "migrations" not in path.parts
        for problem in plain_sentences(
            path.read_text(encoding="utf-8"), str(path.relative_to(base))
        )
    ]
    assert found == [], (
        "Module-level Dutch sentences that are not lazy translations; define them as "
        "gettext_lazy('...') (from django.utils.translation import gettext_lazy as _):\n"
        + "\n".join(found)
    )
