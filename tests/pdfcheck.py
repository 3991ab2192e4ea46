"""Read a PDF the platform wrote with poppler, an independent parser: fonts and text."""

from __future__ import annotations

import shutil
import subprocess


def _run(tool: str, pdf: bytes, *args: str) -> str:
    if not shutil.which(tool):
        raise AssertionError(f"{tool} is missing; `make test` installs poppler-utils")
    return subprocess.run([tool, *args, "-", "-"] if tool == "pdftotext" else [tool, *args, "-"],
                          input=pdf, capture_output=True, check=True).stdout.decode()


def fonts(pdf: bytes) -> list[list[str]]:
    """pdffonts rows: name type encoding emb sub uni object-id (type may be two words)."""
    return [line.split() for line in _run("pdffonts", pdf).splitlines()[2:] if line.strip()]


def assert_fonts_embedded(pdf: bytes) -> None:
    rows = fonts(pdf)
    assert rows, "the PDF lists no fonts"
    missing = [row[0] for row in rows if row[-5] != "yes"]
    assert not missing, f"fonts not embedded: {missing}"


def text(pdf: bytes, *args: str) -> str:
    return _run("pdftotext", pdf, *args)
