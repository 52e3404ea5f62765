"""The French catalogue is complete and compiled."""

import gettext
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

LOCALE = Path(__file__).resolve().parent.parent / "locale" / "fr" / "LC_MESSAGES"


def po_entries(folder: Path = LOCALE):
    """(msgctxt, msgid, msgstrs, fuzzy) of every live entry of django.po."""
    text = (folder / "django.po").read_text(encoding="utf-8")
    entries = []
    for block in text.split("\n\n"):
        lines = [line for line in block.splitlines() if not line.startswith("#~")]
        if not any(line.startswith("msgid ") for line in lines):
            continue
        fuzzy = any(line.startswith("#,") and "fuzzy" in line for line in lines)
        body = "\n".join(line for line in lines if not line.startswith("#"))
        context, _, body = body.rpartition("msgid ")
        context = "".join(re.findall(r'"(.*)"', context)) or None
        msgid = "".join(re.findall(r'"(.*)"', body.split("msgstr")[0]))
        msgstrs = re.split(r"^msgstr(?:\[\d\])? ", body, flags=re.M)[1:]
        values = ["".join(re.findall(r'"(.*)"', part)) for part in msgstrs]
        entries.append((context, msgid, values, fuzzy))
    return [entry for entry in entries if entry[1]]  # skip the header


def test_every_french_message_is_translated_and_none_is_fuzzy():
    problems = [
        msgid
        for _context, msgid, values, fuzzy in po_entries()
        if fuzzy or not all(values)
    ]

    assert problems == []


def unescape(text):
    return text.replace('\\"', '"').replace("\\n", "\n")


def test_the_compiled_catalogue_matches_the_source():
    with (LOCALE / "django.mo").open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)

    def compiled_text(context, msgid):
        if context:
            return compiled.pgettext(unescape(context), unescape(msgid))
        return compiled.gettext(unescape(msgid))

    stale = [
        msgid
        for context, msgid, values, _fuzzy in po_entries()
        if len(values) == 1 and compiled_text(context, msgid) != unescape(values[0])
    ]

    assert stale == []


def test_every_message_of_the_code_is_in_the_catalogue(tmp_path):
    """makemessages, run on a copy, finds no message the catalogue lacks."""
    root = LOCALE.parent.parent.parent
    for name in (
        "manage.py",
        "config",
        "accounts",
        "webhooks",
        "procurement",
        "scoring",
        "templates",
    ):
        source = root / name
        copy = shutil.copy2 if source.is_file() else shutil.copytree
        copy(source, tmp_path / name)
    (tmp_path / "locale" / "fr" / "LC_MESSAGES").mkdir(parents=True)
    shutil.copy2(LOCALE / "django.po", tmp_path / "locale" / "fr" / "LC_MESSAGES")
    environment = {**os.environ, "DJANGO_SECRET_KEY": "x" * 50, "DJANGO_DEBUG": "true"}
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "fr", "-v", "0"],
        cwd=tmp_path,
        env=environment,
        check=True,
    )
    before = {(context, msgid) for context, msgid, _v, _f in po_entries()}
    after = {
        (context, msgid)
        for context, msgid, _v, _f in po_entries(tmp_path / "locale/fr/LC_MESSAGES")
    }

    assert sorted(after - before, key=str) == []
