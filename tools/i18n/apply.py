"""Apply a dict of translations to a catalog and clear fuzzy marks on the entries it covers.

    python tools/i18n/apply.py CATALOG.po TRANSLATIONS.py

TRANSLATIONS.py defines T = {msgid: msgstr} and optionally PLURAL = {msgid: [forms]}. Entries it
does not mention stay as they are; the script then lists what is still untranslated or fuzzy.
"""

from __future__ import annotations

import runpy
import sys

import polib


def main(catalog: str, translations: str) -> int:
    data = runpy.run_path(translations)
    singular, plural = data.get("T", {}), data.get("PLURAL", {})
    po = polib.pofile(catalog, wrapwidth=0)
    for entry in po:
        if entry.obsolete:
            continue
        if entry.msgid_plural and entry.msgid in plural:
            entry.msgstr_plural = dict(enumerate(plural[entry.msgid]))
        elif entry.msgid in singular:
            entry.msgstr = singular[entry.msgid]
        else:
            continue
        if "fuzzy" in entry.flags:
            entry.flags.remove("fuzzy")
        entry.previous_msgid = None
    po.save(catalog)
    left = [e.msgid for e in po if not e.obsolete and (not e.translated() or "fuzzy" in e.flags)]
    for msgid in left:
        print("untranslated:", msgid)
    return 1 if left else 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:3]))
