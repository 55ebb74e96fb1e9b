"""The Spanish catalogue is complete, compiled, and covers every string marked in the code.

The catalogue (`locale/es/LC_MESSAGES/django.po`) and its compiled `.mo` are both
committed, so `make run` needs no gettext tools; these tests, which use GNU gettext
(installed by `make test`), fail when the two drift apart or a marked string is untranslated.
"""

import gettext
import shutil
import subprocess
from pathlib import Path

import pytest
from django.core.management import call_command

ROOT = Path(__file__).resolve().parents[2]
CATALOGUE = ROOT / "locale" / "es" / "LC_MESSAGES"
# Top-level folders makemessages leaves out (as `make messages` does): no page text there.
NOT_SCANNED = {"bench", "tests", "var", "artifacts", "node_modules", "locale"}


def gettext_tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.fail(f"GNU gettext's {name} is missing: run `make test`, which installs it.")
    return path


def entries_flagged(po: Path, flag: str) -> str:
    """msgattrib's listing of the entries with `flag` (--untranslated, --only-fuzzy)."""
    command = [gettext_tool("msgattrib"), flag, "--no-obsolete", "--no-wrap", str(po)]
    return subprocess.run(command, capture_output=True, text=True, check=True).stdout


def catalog(mo: Path) -> dict:
    with mo.open("rb") as handle:
        return gettext.GNUTranslations(handle)._catalog


@pytest.mark.parametrize("flag", ["--untranslated", "--only-fuzzy"])
def test_every_entry_of_the_spanish_catalogue_is_translated_and_none_is_fuzzy(flag):
    assert entries_flagged(CATALOGUE / "django.po", flag) == ""


def test_the_committed_compiled_catalogue_is_the_po_compiled(tmp_path):
    compiled = tmp_path / "django.mo"
    msgfmt = gettext_tool("msgfmt")
    subprocess.run([msgfmt, "--check", "-o", compiled, CATALOGUE / "django.po"], check=True)
    assert catalog(CATALOGUE / "django.mo") == catalog(compiled), (
        "locale/es/LC_MESSAGES/django.mo is out of date: run `make messages`."
    )


def test_every_string_marked_in_the_code_is_translated(tmp_path, monkeypatch, settings):
    """makemessages over a linked copy of the sources, merging into a copy of the catalogue:
    a string marked for translation but missing from the catalogue comes out untranslated."""
    gettext_tool("xgettext")
    for entry in ROOT.iterdir():
        if entry.name not in NOT_SCANNED and not entry.name.startswith("."):
            (tmp_path / entry.name).symlink_to(entry)
    copy = tmp_path / "locale" / "es" / "LC_MESSAGES"
    copy.mkdir(parents=True)
    shutil.copy(CATALOGUE / "django.po", copy / "django.po")
    settings.LOCALE_PATHS = [tmp_path / "locale"]
    monkeypatch.chdir(tmp_path)
    call_command("makemessages", locale=["es"], symlinks=True, verbosity=0)
    for flag in ("--untranslated", "--only-fuzzy"):
        assert entries_flagged(copy / "django.po", flag) == "", (
            f"Marked strings missing from the Spanish catalogue ({flag}): run `make messages` "
            "and translate the new entries."
        )
