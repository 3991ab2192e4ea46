"""`spbe esign_sign IN.pdf OUT.pdf` and `spbe esign_verify FILE.pdf --format json` (contracts)."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command

from .fixtures import letter, write


def _run(*args) -> tuple[int, str]:
    out = io.StringIO()
    try:
        call_command(*args, stdout=out)
        code = 0
    except SystemExit as exc:
        code = exc.code
    return code, out.getvalue()


@pytest.mark.django_db
def test_sign_then_verify_json(esign, tmp_path):
    source = write(tmp_path, "in.pdf", letter())
    target = tmp_path / "out.pdf"
    code, output = _run("esign_sign", str(source), str(target), "--level", "B-T")
    assert code == 0 and "valid" in output
    code, output = _run("esign_verify", str(target), "--format", "json")
    data = json.loads(output)
    assert code == 0 and data["valid"] is True and data["signatures"][0]["level"] == "B-T"
    assert set(data) >= {"file", "sha256", "valid", "signatures", "registry", "error"}
    tampered = bytearray(target.read_bytes())
    tampered[200] ^= 1
    bad = write(tmp_path, "bad.pdf", bytes(tampered))
    code, output = _run("esign_verify", str(bad), "--format", "json")
    assert code == 1 and json.loads(output)["valid"] is False


@pytest.mark.django_db
def test_bad_input_exits_2(esign, tmp_path):
    from django.core.management.base import CommandError

    not_pdf = write(tmp_path, "x.pdf", b"hello")
    with pytest.raises(CommandError) as exc:
        call_command("esign_sign", str(not_pdf), str(tmp_path / "o.pdf"))
    assert exc.value.returncode == 2 and "not a PDF" in str(exc.value)
    code, output = _run("esign_verify", str(not_pdf), "--format", "json")
    assert code == 2 and json.loads(output)["error"] == "This is not a PDF file."
    with pytest.raises(CommandError) as missing:
        call_command("esign_verify", str(tmp_path / "nope.pdf"))
    assert missing.value.returncode == 2
