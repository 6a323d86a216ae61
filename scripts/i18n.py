"""Translations without GNU gettext on the machine.

    python scripts/i18n.py compile   # .po → .mo (pure Python, run by `make setup`)
    python scripts/i18n.py check     # fail when an entry is untranslated or fuzzy
"""

import sys
from pathlib import Path

import polib

LOCALE = Path(__file__).resolve().parent.parent / "kefu" / "locale"


def po_files() -> list[Path]:
    return sorted(LOCALE.glob("*/LC_MESSAGES/django.po"))


def compile_all() -> None:
    for path in po_files():
        polib.pofile(str(path)).save_as_mofile(str(path.with_suffix(".mo")))


def check() -> int:
    problems = 0
    for path in po_files():
        po = polib.pofile(str(path))
        seen: set[tuple[str | None, str]] = set()
        for entry in po:
            if entry.obsolete:
                continue
            key = (entry.msgctxt, entry.msgid)
            if key in seen:  # msgfmt refuses a catalogue with a message defined twice
                print(f"{path.relative_to(LOCALE.parent.parent)}:{entry.linenum}: duplicate: {entry.msgid!r}")
                problems += 1
            seen.add(key)
            if "fuzzy" in entry.flags or not (entry.msgstr or any(entry.msgstr_plural.values())):
                print(f"{path.relative_to(LOCALE.parent.parent)}:{entry.linenum}: untranslated: {entry.msgid!r}")
                problems += 1
    return 1 if problems else 0


if __name__ == "__main__":
    command = sys.argv[1] if len(sys.argv) > 1 else "compile"
    if command == "compile":
        compile_all()
    elif command == "check":
        sys.exit(check())
    else:
        sys.exit(f"unknown command {command}")
