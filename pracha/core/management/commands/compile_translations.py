"""Compile the translation catalogues (.po) to the binary form Django reads (.mo) with polib.

Unlike Django's compilemessages this needs no GNU gettext tools, so `make setup` works on a bare machine.
It refuses a catalogue that would break pages at run time: a syntax error, a Plural-Forms header Python
cannot evaluate, or a translation whose %(name)s / {name} placeholders differ from the original.
"""

import gettext
import re
from pathlib import Path
from typing import Any

import polib  # type: ignore[import-untyped]
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

# printf-style placeholders as Django templates and gettext use them: %(name)s, %s, %d, and the escape %%.
PERCENT_PLACEHOLDER = re.compile(r"%(?:\([^)]*\))?[-#0 +]*\d*(?:\.\d+)?[sdifr%]")
BRACE_PLACEHOLDER = re.compile(r"\{[^{}]*\}")
# A line carrying a string: `"..."` alone, or after msgid, msgid_plural, msgctxt, msgstr or msgstr[n].
STRING_LINE = re.compile(r'^(?:(?:msgid|msgid_plural|msgctxt|msgstr(?:\[\d+\])?)\s+)?"')


def unterminated_strings(text: str) -> list[int]:
    """Line numbers of strings not closed by a double quote.

    polib accepts `msgstr "abc` and silently drops the last character, where msgfmt stops with an error.
    """
    lines = []
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if not STRING_LINE.match(line):
            continue
        body = line[line.index('"') + 1 :]
        trailing_backslashes = len(body[:-1]) - len(body[:-1].rstrip("\\"))
        if not body.endswith('"') or trailing_backslashes % 2 == 1:
            lines.append(number)
    return lines


def placeholders(text: str, flags: list[str]) -> list[str]:
    found: list[str] = []
    if "python-format" in flags:
        found += [p for p in PERCENT_PLACEHOLDER.findall(text) if p != "%%"]
    if "python-brace-format" in flags:
        found += BRACE_PLACEHOLDER.findall(text)
    return sorted(found)


def catalogue_problems(catalogue: polib.POFile) -> list[str]:
    """Why this catalogue must not be compiled, one line per problem; empty when it is fine."""
    problems = []
    plural_forms = catalogue.metadata.get("Plural-Forms", "")
    if plural_forms:
        match = re.search(r"plural=([^;]+)", plural_forms)
        try:
            if match is None:
                raise ValueError("no plural= expression")
            gettext.c2py(match.group(1).strip())
        except ValueError as error:
            problems.append(f"the Plural-Forms header {plural_forms!r} is not valid: {error}")
    for entry in catalogue.translated_entries():
        expected = placeholders(entry.msgid, entry.flags)
        translations = [entry.msgstr] if not entry.msgid_plural else list(entry.msgstr_plural.values())
        for translation in translations:
            if placeholders(translation, entry.flags) != expected:
                problems.append(
                    f"line {entry.linenum}: the translation of {entry.msgid!r} has placeholders "
                    f"{placeholders(translation, entry.flags)} instead of {expected}"
                )
    return problems


class Command(BaseCommand):
    help = "Compile every <locale path>/<language>/LC_MESSAGES/*.po to .mo with polib."

    def handle(self, *args: Any, **options: Any) -> None:
        catalogues = sorted(
            path for directory in settings.LOCALE_PATHS for path in Path(directory).glob("*/LC_MESSAGES/*.po")
        )
        if not catalogues:
            self.stdout.write(
                "No translation catalogues (.po) found in " + ", ".join(map(str, settings.LOCALE_PATHS))
            )
            return
        for po_path in catalogues:
            try:
                unclosed = unterminated_strings(po_path.read_text(encoding="utf-8"))
                if unclosed:
                    raise ValueError(
                        f"Syntax error: unterminated string on line {', '.join(map(str, unclosed))}"
                    )
                catalogue = polib.pofile(str(po_path), check_for_duplicates=True)
            except (OSError, ValueError) as error:
                # polib reports syntax errors as OSError("Syntax error in po file ... (line N)"); a file that
                # is not UTF-8 raises UnicodeDecodeError, a ValueError.
                raise CommandError(f"{po_path} is not a valid .po file: {error}") from error
            problems = catalogue_problems(catalogue)
            if problems:
                raise CommandError(f"{po_path} was not compiled:\n  " + "\n  ".join(problems))
            mo_path = po_path.with_suffix(".mo")
            catalogue.save_as_mofile(str(mo_path))
            total = len([entry for entry in catalogue if not entry.obsolete])
            self.stdout.write(
                f"Compiled {po_path} -> {mo_path.name}: "
                f"{len(catalogue.translated_entries())} of {total} messages translated"
            )
