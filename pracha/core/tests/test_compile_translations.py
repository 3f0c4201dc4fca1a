"""compile_translations: .po to .mo with polib, refusing catalogues that would break pages."""

import gettext
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings

HEADER = """msgid ""
msgstr ""
"Content-Type: text/plain; charset=UTF-8\\n"
"Language: th\\n"
"Plural-Forms: {plural_forms}\\n"

"""


def write_po(locale_dir: Path, language: str, body: str, plural_forms: str = "nplurals=1; plural=0;") -> Path:
    path = locale_dir / language / "LC_MESSAGES" / "django.po"
    path.parent.mkdir(parents=True)
    path.write_text(HEADER.format(plural_forms=plural_forms) + body, encoding="utf-8")
    return path


def compile_in(locale_dir: Path) -> str:
    out = StringIO()
    with override_settings(LOCALE_PATHS=[locale_dir]):
        call_command("compile_translations", stdout=out)
    return out.getvalue()


def test_compiles_every_catalogue_and_says_so(tmp_path: Path) -> None:
    thai = write_po(
        tmp_path,
        "th",
        'msgid "Home"\nmsgstr "หน้าหลัก"\n\n'
        '#, python-format\nmsgid "You are acting for %(name)s"\nmsgstr "คุณกำลังทำการแทน %(name)s"\n\n'
        '#, fuzzy\nmsgid "Sign in"\nmsgstr "เข้าสู่ระบบ?"\n\n'
        'msgid "Sign up"\nmsgstr ""\n',
    )
    english = write_po(tmp_path, "en", 'msgid "Home"\nmsgstr ""\n')

    output = compile_in(tmp_path)

    assert output.splitlines() == [
        f"Compiled {english} -> django.mo: 0 of 1 messages translated",
        f"Compiled {thai} -> django.mo: 2 of 4 messages translated",
    ]
    with thai.with_suffix(".mo").open("rb") as mo:
        catalogue = gettext.GNUTranslations(mo)
    assert catalogue.gettext("Home") == "หน้าหลัก"
    assert catalogue.gettext("You are acting for %(name)s") % {"name": "ก"} == "คุณกำลังทำการแทน ก"
    # A fuzzy (unchecked) translation is left out, as msgfmt does.
    assert catalogue.gettext("Sign in") == "Sign in"


def test_unterminated_string_fails_clearly_and_writes_nothing(tmp_path: Path) -> None:
    # polib alone would accept this and drop the last letter of the translation.
    thai = write_po(tmp_path, "th", 'msgid "Home"\nmsgstr "หน้าหลัก\n')

    with pytest.raises(CommandError) as raised:
        compile_in(tmp_path)

    assert str(raised.value) == f"{thai} is not a valid .po file: Syntax error: unterminated string on line 8"
    assert not thai.with_suffix(".mo").exists()


def test_stray_line_fails_clearly(tmp_path: Path) -> None:
    write_po(tmp_path, "th", 'msgid "Home"\nmsgstr "หน้าหลัก"\nnot a po line\n')

    with pytest.raises(
        CommandError, match=r"django\.po is not a valid \.po file: Syntax error in po file .*line 9"
    ):
        compile_in(tmp_path)


def test_a_file_that_is_not_utf8_fails_clearly(tmp_path: Path) -> None:
    thai = write_po(tmp_path, "th", "")
    thai.write_bytes(thai.read_bytes() + 'msgid "Home"\nmsgstr "หน้าหลัก"\n'.encode("tis-620"))

    with pytest.raises(CommandError, match=r"is not a valid \.po file: 'utf-8' codec can't decode"):
        compile_in(tmp_path)


def test_duplicate_message_fails(tmp_path: Path) -> None:
    write_po(tmp_path, "th", 'msgid "Home"\nmsgstr "หน้าหลัก"\n\nmsgid "Home"\nmsgstr "บ้าน"\n')

    with pytest.raises(CommandError, match=r"is not a valid \.po file: Entry \"Home\" already exists"):
        compile_in(tmp_path)


def test_translation_with_different_placeholders_fails(tmp_path: Path) -> None:
    thai = write_po(
        tmp_path,
        "th",
        '#, python-format\nmsgid "You are acting for %(name)s"\nmsgstr "คุณกำลังทำการแทน %(nam)s"\n',
    )

    with pytest.raises(CommandError) as raised:
        compile_in(tmp_path)

    assert str(raised.value) == (
        f"{thai} was not compiled:\n  line 7: the translation of 'You are acting for %(name)s' has "
        "placeholders ['%(nam)s'] instead of ['%(name)s']"
    )
    assert not thai.with_suffix(".mo").exists()


def test_invalid_plural_forms_header_fails(tmp_path: Path) -> None:
    write_po(
        tmp_path, "th", 'msgid "Home"\nmsgstr "หน้าหลัก"\n', plural_forms="nplurals=INTEGER; plural=EXPRESSION;"
    )

    with pytest.raises(CommandError, match=r"the Plural-Forms header .* is not valid"):
        compile_in(tmp_path)


def test_no_catalogues_is_reported_not_an_error(tmp_path: Path) -> None:
    assert compile_in(tmp_path) == f"No translation catalogues (.po) found in {tmp_path}\n"
