"""The English translation stays complete: every Dutch msgid of the source has an
English msgstr in locale/en/LC_MESSAGES/django.po, and none is left fuzzy."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings

PO = Path(settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES" / "django.po"
SKIP_DIRS = {".git", ".venv", "node_modules", "var", "locale", "docs", "__pycache__"}
SOURCE_SUFFIXES = {".py", ".html", ".txt", ".md", ".cfg", ".toml"}


@dataclass
class Entry:
    msgid: str = ""
    msgid_plural: str = ""
    msgstr: list[str] = field(default_factory=list)
    fuzzy: bool = False


def entries(text: str) -> list[Entry]:
    """The messages of a .po file (a small parser: polib is not installed)."""
    found: list[Entry] = []
    for block in text.split("\n\n"):
        entry, target = Entry(), ""
        for line in block.splitlines():
            if line.startswith("#,") and "fuzzy" in line:
                entry.fuzzy = True
            elif line.startswith("#") or not line.strip():
                continue
            elif line.startswith("msgid_plural "):
                target, entry.msgid_plural = "msgid_plural", ast.literal_eval(line[13:])
            elif line.startswith("msgid "):
                target, entry.msgid = "msgid", ast.literal_eval(line[6:])
            elif line.startswith("msgstr"):
                target = "msgstr"
                entry.msgstr.append(ast.literal_eval(line.split(" ", 1)[1]))
            elif line.startswith('"'):
                if target == "msgstr":
                    entry.msgstr[-1] += ast.literal_eval(line)
                else:
                    setattr(entry, target, getattr(entry, target) + ast.literal_eval(line))
        if entry.msgid:  # the header has an empty msgid
            found.append(entry)
    return found


def incomplete(text: str) -> list[str]:
    return [
        ("fuzzy: " if e.fuzzy else "untranslated: ") + e.msgid
        for e in entries(text)
        if e.fuzzy or not e.msgstr or not all(e.msgstr)
    ]


def test_the_parser_sees_untranslated_fuzzy_and_plural_messages():
    text = (
        'msgid ""\nmsgstr "Content-Type: text/plain; charset=UTF-8\\n"\n\n'
        'msgid "Casus"\nmsgstr "Case"\n\n'
        'msgid "Regisseur"\nmsgstr ""\n\n'
        '#, fuzzy\nmsgid "Buddy"\nmsgstr "Bud"\n\n'
        'msgid "%(n)s dag"\nmsgid_plural "%(n)s dagen"\nmsgstr[0] "%(n)s day"\nmsgstr[1] ""\n\n'
        'msgid ""\n"Lange "\n"tekst"\nmsgstr ""\n"Long "\n"text"\n'
    )
    assert incomplete(text) == [
        "untranslated: Regisseur",
        "fuzzy: Buddy",
        "untranslated: %(n)s dag",
    ]


def test_every_message_in_the_po_file_is_translated():
    problems = incomplete(PO.read_text(encoding="utf-8"))
    assert problems == [], f"{len(problems)} messages to translate in {PO}:\n" + "\n".join(problems)


def test_every_string_of_the_source_is_in_the_po_file(tmp_path):
    """makemessages on a copy of the source: a Dutch string added without its English
    translation shows up as untranslated (or fuzzy) in the copy's merged .po file."""
    base = Path(settings.BASE_DIR)
    copy = tmp_path / "src"

    def ignore(directory: str, names: list[str]) -> set[str]:
        return {
            name
            for name in names
            if name in SKIP_DIRS
            or name.startswith(".")
            or (Path(directory, name).is_file() and Path(name).suffix not in SOURCE_SUFFIXES)
        }

    shutil.copytree(base, copy, ignore=ignore)
    (copy / "locale" / "en" / "LC_MESSAGES").mkdir(parents=True)
    shutil.copy(PO, copy / "locale" / "en" / "LC_MESSAGES" / "django.po")
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "en", "--no-obsolete"],
        cwd=copy,
        check=True,
        capture_output=True,
    )
    merged = (copy / "locale" / "en" / "LC_MESSAGES" / "django.po").read_text(encoding="utf-8")
    problems = incomplete(merged)
    assert problems == [], (
        f"{len(problems)} strings of the source lack an English translation; run "
        "manage.py makemessages -l en --ignore=.venv --ignore=node_modules --ignore=var "
        "and translate them:\n" + "\n".join(problems)
    )
