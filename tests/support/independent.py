"""Verifiers the platform did not write, for the TTE tests.

* ``openssl_check``: the byte ranges are cut out of the file by a regular expression (no PDF
  library), and ``openssl cms -verify`` checks each signature over them against the test root;
  ``openssl ts -verify`` checks each signature timestamp token against the signature value.
* ``pdfbox_check``: Apache PDFBox + Bouncy Castle from Debian's packages (tests/support/java),
  compiled on first use into var/.
"""

from __future__ import annotations

import hashlib
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
JARS = ["pdfbox2.jar", "fontbox2.jar", "bcprov.jar", "bcpkix.jar", "bcutil.jar", "commons-logging.jar"]
_BYTE_RANGE = re.compile(rb"/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]")


@dataclass
class Checked:
    ok: bool
    timestamp: str  # none | ok | bad
    certificates: int = 0
    kind: str = ""


def signatures_in(pdf: bytes) -> list[tuple[bytes, bytes]]:
    """(signed bytes, DER signature) for every /ByteRange in the file, in file order."""
    out = []
    for match in _BYTE_RANGE.finditer(pdf):
        a, b, c, d = (int(x) for x in match.groups())
        contents = pdf[a + b:c].strip().lstrip(b"<").rstrip(b">")
        der = bytes.fromhex(contents.decode())
        out.append((pdf[a:a + b] + pdf[c:c + d], der))
    return out


def _timestamp_tokens(der: bytes) -> list[tuple[bytes, bytes]]:
    """(token DER, signature value) pairs from a CMS blob (asn1crypto only parses here)."""
    from asn1crypto import cms

    info = cms.ContentInfo.load(der, strict=False)
    found = []
    if info["content_type"].native != "signed_data":
        return found
    for signer in info["content"]["signer_infos"]:
        for attribute in signer["unsigned_attrs"] or []:
            if attribute["type"].native == "signature_time_stamp_token":
                for token in attribute["values"]:
                    found.append((token.dump(), signer["signature"].native))
    return found


def openssl_check(pdf: bytes, root_pem: Path) -> list[Checked]:
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for number, (content, der) in enumerate(signatures_in(pdf)):
            (folder / "content.bin").write_bytes(content)
            (folder / "sig.der").write_bytes(der)
            from asn1crypto import cms

            info = cms.ContentInfo.load(der, strict=False)
            encap = info["content"]["encap_content_info"]["content_type"].native
            if encap == "tst_info":
                (folder / "token.der").write_bytes(der)
                verified = subprocess.run(["openssl", "ts", "-verify", "-in", str(folder / "token.der"), "-token_in",
                                           "-data", str(folder / "content.bin"), "-CAfile", str(root_pem)],
                                          capture_output=True, text=True)
                results.append(Checked("Verification: OK" in verified.stdout, "none", kind="doc_timestamp"))
                continue
            verified = subprocess.run(["openssl", "cms", "-verify", "-binary", "-inform", "DER", "-in",
                                       str(folder / "sig.der"), "-content", str(folder / "content.bin"),
                                       "-CAfile", str(root_pem), "-purpose", "any", "-out", "/dev/null"],
                                      capture_output=True, text=True)
            ok = verified.returncode == 0 and "Verification successful" in verified.stderr
            stamp = "none"
            for index, (token, value) in enumerate(_timestamp_tokens(der)):
                (folder / f"ts{index}.der").write_bytes(token)
                (folder / f"value{index}.bin").write_bytes(value)
                check = subprocess.run(["openssl", "ts", "-verify", "-in", str(folder / f"ts{index}.der"), "-token_in",
                                        "-data", str(folder / f"value{index}.bin"), "-CAfile", str(root_pem)],
                                       capture_output=True, text=True)
                stamp = "ok" if "Verification: OK" in check.stdout else "bad"
            results.append(Checked(ok, stamp, kind="signature"))
    return results


def _java_classes() -> Path:
    source = REPO / "tests" / "support" / "java" / "PdfSigCheck.java"
    digest = hashlib.sha256(source.read_bytes()).hexdigest()[:12]
    target = REPO / "var" / "java" / digest
    if not (target / "PdfSigCheck.class").exists():
        if not shutil.which("javac"):
            raise RuntimeError("javac is missing (make test installs default-jdk-headless)")
        target.mkdir(parents=True, exist_ok=True)
        subprocess.run(["javac", "-nowarn", "-d", str(target), "-cp", _classpath(), str(source)], check=True,
                       capture_output=True)
    return target


def _classpath() -> str:
    missing = [jar for jar in JARS if not (Path("/usr/share/java") / jar).exists()]
    if missing:
        raise RuntimeError(f"missing {missing}: apt-get install libpdfbox2-java libbcpkix-java (make test does)")
    return ":".join(f"/usr/share/java/{jar}" for jar in JARS)


def pdfbox_check(pdf: bytes) -> list[Checked]:
    with tempfile.NamedTemporaryFile(suffix=".pdf") as handle:
        handle.write(pdf)
        handle.flush()
        done = subprocess.run(["java", "-cp", f"{_java_classes()}:{_classpath()}", "PdfSigCheck", handle.name],
                              capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    results = []
    for line in done.stdout.splitlines():
        _name, ok, stamp, certs, sub = line.split("\t")
        results.append(Checked(ok == "true", stamp, int(certs), "doc_timestamp" if sub == "ETSI.RFC3161" else "signature"))
    return results
