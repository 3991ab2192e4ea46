"""The compiled catalogs (.mo, committed so `make run` needs no gettext) match their sources."""

from pathlib import Path

import polib
import pytest

PACKAGE_DIR = Path(__file__).resolve().parents[2] / "src" / "spbe"
LOCALE_DIR = PACKAGE_DIR / "locale"
# The staff catalog (Indonesian) and the tourist site's catalogs (seven languages).
CATALOGS = sorted(LOCALE_DIR.glob("*/LC_MESSAGES/django.po")) + sorted(PACKAGE_DIR.glob("*/locale/*/LC_MESSAGES/django.po"))


@pytest.mark.parametrize("po_path", CATALOGS, ids=lambda p: "/".join(p.parts[-5:-2]))
def test_mo_matches_po_and_everything_is_translated(po_path):
    po = polib.pofile(str(po_path))
    untranslated = [e.msgid for e in po if not e.obsolete and not e.translated()]
    assert not untranslated, f"untranslated strings in {po_path}: {untranslated[:10]}"
    # Keyed by context too: "Open" (a status) and "Open" (the button) are different strings.
    mo = {(e.msgctxt, e.msgid): e.msgstr for e in polib.mofile(str(po_path.with_suffix(".mo")))}
    stale = [e.msgid for e in po if not e.obsolete and mo.get((e.msgctxt, e.msgid)) != e.msgstr]
    assert not stale, f"{po_path.with_suffix('.mo')} is stale; run `make messages`: {stale[:10]}"


def test_there_is_an_indonesian_catalog():
    assert any(p.parts[-3] == "id" for p in CATALOGS)


def test_every_tourist_language_has_a_love_bali_catalog():
    from django.conf import settings

    have = {p.parts[-3] for p in PACKAGE_DIR.glob("lovebali/locale/*/LC_MESSAGES/django.po")}
    from django.utils.translation import to_locale

    wanted = {to_locale(code) for code, _name in settings.LANGUAGES if code != "en"}
    assert wanted <= have, wanted - have


def test_no_text_is_translated_once_at_import():
    """``gettext`` in a module- or class-level constant freezes the language of whoever imported
    the module first; those constants must use ``gettext_lazy``."""
    import ast
    from pathlib import Path

    found = []
    for path in Path(__file__).resolve().parents[2].joinpath("src", "spbe").rglob("*.py"):
        source = path.read_text()
        if "import gettext as _" not in source:
            continue

        def scan(body, path=path):
            for node in body:
                if isinstance(node, ast.ClassDef):
                    scan(node.body)
                elif isinstance(node, ast.Assign | ast.AnnAssign):
                    if any(isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id == "_" for n in ast.walk(node)):
                        found.append(f"{path.name}:{node.lineno}")

        scan(ast.parse(source).body)
    assert not found, found
