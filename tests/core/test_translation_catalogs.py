"""The compiled catalogs (.mo, committed so `make run` needs no gettext) match their sources."""

from pathlib import Path

import polib
import pytest

LOCALE_DIR = Path(__file__).resolve().parents[2] / "src" / "spbe" / "locale"
CATALOGS = sorted(LOCALE_DIR.glob("*/LC_MESSAGES/django.po"))


@pytest.mark.parametrize("po_path", CATALOGS, ids=lambda p: p.parts[-3])
def test_mo_matches_po_and_everything_is_translated(po_path):
    po = polib.pofile(str(po_path))
    untranslated = [e.msgid for e in po if not e.obsolete and not e.translated()]
    assert not untranslated, f"untranslated strings in {po_path}: {untranslated[:10]}"
    mo = {e.msgid: e.msgstr for e in polib.mofile(str(po_path.with_suffix(".mo")))}
    stale = [e.msgid for e in po if not e.obsolete and mo.get(e.msgid) != e.msgstr]
    assert not stale, f"{po_path.with_suffix('.mo')} is stale; run `make messages`: {stale[:10]}"


def test_there_is_an_indonesian_catalog():
    assert any(p.parts[-3] == "id" for p in CATALOGS)
