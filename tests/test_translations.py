"""The French catalogue is complete and compiled."""

import gettext
import re
from pathlib import Path

LOCALE = Path(__file__).resolve().parent.parent / "locale" / "fr" / "LC_MESSAGES"


def po_entries():
    """(msgctxt, msgid, msgstrs, fuzzy) of every live entry of django.po."""
    text = (LOCALE / "django.po").read_text(encoding="utf-8")
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
