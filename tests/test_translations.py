"""The Thai catalogue is complete, its translations keep every placeholder and tag, and it is up to date.

Thai is the default language: a message missing from pracha/locale/th is shown to citizens in English, and a
translation that drops a placeholder breaks the page (KeyError, TypeError) or loses what it was meant to say.
"""

import re
import shutil
from collections import Counter
from io import StringIO
from pathlib import Path

import polib  # type: ignore[import-untyped]
import pytest
from django.core.management import call_command
from django.test import override_settings

ROOT = Path(__file__).resolve().parent.parent
LOCALE = ROOT / "pracha" / "locale"
THAI = LOCALE / "th" / "LC_MESSAGES" / "django.po"
ENGLISH = LOCALE / "en" / "LC_MESSAGES" / "django.po"
# The catalogues are made with (from the repository root):
#   manage.py makemessages -l th -l en --ignore=node_modules --ignore=.venv --ignore=var
MAKEMESSAGES_IGNORE = ["node_modules", ".venv", "var"]
GETTEXT_TOOLS = ("xgettext", "msguniq", "msgmerge", "msgattrib")

# %(name)s, %(count)d, %s, %d ... (printf style; "%%" is a literal percent sign, not a placeholder).
NAMED_PERCENT = re.compile(r"%\((\w+)\)[-#0 +]*\d*(?:\.\d+)?[sdifrxXeEgGc]")
POSITIONAL_PERCENT = re.compile(r"%%|%[-#0 +]*\d*(?:\.\d+)?[sdifrxXeEgGc]")
BRACE = re.compile(r"\{\w*\}")
TAG = re.compile(r"<[^<>]+>")


def catalogue(path: Path) -> polib.POFile:
    return polib.pofile(str(path))


def placeholders(text: str, flags: list[str]) -> tuple[set[str], list[str], set[str]]:
    """(named %(...) placeholders, positional ones in order, {...} placeholders) of a message."""
    percent = "no-python-format" not in flags
    named = {match.group(0) for match in NAMED_PERCENT.finditer(text)} if percent else set()
    without_named = NAMED_PERCENT.sub("", text)
    positional = [p for p in POSITIONAL_PERCENT.findall(without_named) if p != "%%"] if percent else []
    return named, positional, set(BRACE.findall(text))


def shown(found: tuple[set[str], list[str], set[str]]) -> list[str]:
    named, positional, brace = found
    return [*sorted(named), *positional, *sorted(brace)]


def translations(entry: polib.POEntry) -> list[tuple[str, str]]:
    """(original, translation) pairs of an entry; Thai has one plural form, which renders every count."""
    if entry.msgid_plural:
        return [(entry.msgid_plural, text) for _index, text in sorted(entry.msgstr_plural.items())]
    return [(entry.msgid, entry.msgstr)]


def describe(entry: polib.POEntry) -> str:
    where = ", ".join(f"{path}:{line}" for path, line in entry.occurrences[:2])
    return f"{entry.msgid!r} (line {entry.linenum}{'; ' + where if where else ''})"


@pytest.mark.parametrize(
    ("text", "flags", "expected"),
    [
        (
            "%(name)s has %(count)d, %s of %d at 100%%",
            ["python-format"],
            ({"%(name)s", "%(count)d"}, ["%s", "%d"], set()),
        ),
        ("{name} and {}", ["python-brace-format"], (set(), [], {"{name}", "{}"})),
        ("100% sure", ["no-python-format"], (set(), [], set())),
    ],
)
def test_placeholders_are_found_in_a_message(
    text: str, flags: list[str], expected: tuple[set[str], list[str], set[str]]
) -> None:
    assert placeholders(text, flags) == expected


def test_the_catalogue_headers_name_the_language_and_its_plural_rule() -> None:
    thai, english = catalogue(THAI), catalogue(ENGLISH)

    assert (thai.metadata["Language"], thai.metadata["Plural-Forms"]) == ("th", "nplurals=1; plural=0;")
    assert (english.metadata["Language"], english.metadata["Plural-Forms"]) == (
        "en",
        "nplurals=2; plural=(n != 1);",
    )
    for po in (thai, english):
        assert po.metadata["Content-Type"] == "text/plain; charset=UTF-8"
        assert not po.metadata_is_fuzzy  # msgfmt would leave out a fuzzy header, and Plural-Forms with it


def test_every_thai_message_is_translated_and_checked() -> None:
    thai = catalogue(THAI)

    problems = [f"not translated: {describe(entry)}" for entry in thai.untranslated_entries()]
    problems += [f"fuzzy (not checked): {describe(entry)}" for entry in thai.fuzzy_entries()]

    assert problems == [], f"{len(problems)} Thai messages are not ready:\n" + "\n".join(problems)
    assert len(thai.translated_entries()) == len([entry for entry in thai if not entry.obsolete]) > 0


def test_every_thai_translation_keeps_the_placeholders_of_its_message() -> None:
    wrong = []
    for entry in catalogue(THAI).translated_entries():
        for original, translation in translations(entry):
            expected, found = placeholders(original, entry.flags), placeholders(translation, entry.flags)
            if found != expected:
                wrong.append(
                    f"{describe(entry)}: {shown(found)} instead of {shown(expected)} in {translation!r}"
                )

    assert wrong == [], "Thai translations whose placeholders differ from the message:\n" + "\n".join(wrong)


def test_every_thai_translation_keeps_the_html_tags_of_its_message() -> None:
    wrong = []
    for entry in catalogue(THAI).translated_entries():
        for original, translation in translations(entry):
            if Counter(TAG.findall(translation)) != Counter(TAG.findall(original)):
                wrong.append(f"{describe(entry)}: {translation!r}")

    assert wrong == [], "Thai translations whose HTML tags differ from the message:\n" + "\n".join(wrong)


@pytest.mark.skipif(
    any(shutil.which(tool) is None for tool in GETTEXT_TOOLS),
    reason="makemessages needs the GNU gettext tools (xgettext, msguniq, msgmerge, msgattrib); "
    "install gettext (CI does) to check that the catalogue lists every message of the code",
)
def test_the_catalogue_has_every_message_of_the_code(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Extract the messages of the code with makemessages into an empty locale directory, never into
    pracha/locale: ignoring that directory stops makemessages from writing there (it would otherwise
    adopt it, as the nearest locale directory of every file under pracha/)."""
    extracted_locale = tmp_path / "locale"
    monkeypatch.chdir(ROOT)
    before = THAI.read_bytes()

    with override_settings(LOCALE_PATHS=[str(extracted_locale)]):
        call_command(
            "makemessages",
            locale=["th"],
            ignore_patterns=[*MAKEMESSAGES_IGNORE, "pracha/locale"],
            verbosity=0,
            stdout=StringIO(),
        )

    assert THAI.read_bytes() == before
    in_code = {
        (entry.msgctxt, entry.msgid) for entry in catalogue(extracted_locale / "th/LC_MESSAGES/django.po")
    }
    in_catalogue = {(entry.msgctxt, entry.msgid) for entry in catalogue(THAI) if not entry.obsolete}
    missing = sorted(in_code - in_catalogue, key=lambda key: (key[0] or "", key[1]))
    # The extraction really read the Python code, the templates and their blocktranslate blocks.
    assert {
        (None, "National ID number"),
        (None, "Skip to main content"),
        (None, "Genuine Pracha pages and messages only come from %(official_domain)s"),
    } <= in_code
    assert missing == [], (
        f"{len(missing)} messages of the code are not in the Thai catalogue {THAI}; run `manage.py "
        "makemessages -l th -l en --ignore=node_modules --ignore=.venv --ignore=var` and translate them:\n"
        + "\n".join(
            repr(msgid) + (f" (context {context!r})" if context else "") for context, msgid in missing
        )
    )
