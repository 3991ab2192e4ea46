"""An offline test PKI shaped like Indonesia's: "Root CA Indonesia (UJI)" → "BSrE CA (UJI)" →
officials' signing certificates and an institutional seal, plus a TSA, an OCSP responder and
CRLs served on loopback (``pkiserver.py``). For tests, development and the demo only — never
for real documents (every name says UJI, "test").

The PKI lives in a directory: PEM certificates and keys, PKCS#12 bundles for the signers and
``state.json`` (base URL, serials, revocations). Keys are generated, never committed.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

UTC = dt.timezone.utc
PKCS12_PASSWORD = b"uji-only"  # test bundles; production keys live in an HSM or at BSrE
# Policy identifiers of the test PKI, under a UUID-based arc (ITU-T X.667, 2.25.<uuid>) so they
# can never be mistaken for BSrE's or any real CA's policies.
POLICY_ARC = "2.25.171385920196316592218813612306858941262"
TSA_POLICY = f"{POLICY_ARC}.1"  # TSTInfo policy of the test TSA
PERSON_POLICY = f"{POLICY_ARC}.2"  # officials' signing certificates
SEAL_POLICY = f"{POLICY_ARC}.3"  # the institutional seal
TSA_CERT_POLICY = f"{POLICY_ARC}.4"


@dataclass(frozen=True)
class Person:
    label: str
    name: str
    nik: str  # 16-digit national id, as BSrE certificates carry it
    title: str
    revoked: bool = False


DEFAULT_PEOPLE = [
    Person("gubernur", "I Wayan Koster (UJI)", "5171010101700001", "Gubernur Bali"),
    Person("sekda", "Dewa Made Indra (UJI)", "5171010101700002", "Sekretaris Daerah"),
    Person("kadis", "Kepala Diskominfos (UJI)", "5171010101700003", "Kepala Dinas Kominfos"),
    Person("pensiun", "Pejabat Dicabut (UJI)", "5171010101700009", "Mantan Pejabat", revoked=True),
]


def _name(common_name: str, **extra) -> x509.Name:
    attrs = [x509.NameAttribute(NameOID.COUNTRY_NAME, "ID"), x509.NameAttribute(NameOID.ORGANIZATION_NAME, extra.pop("org", "UJI"))]
    if "serial" in extra:
        attrs.append(x509.NameAttribute(NameOID.SERIAL_NUMBER, extra.pop("serial")))
    if "title" in extra:
        attrs.append(x509.NameAttribute(NameOID.TITLE, extra.pop("title")))
    attrs.append(x509.NameAttribute(NameOID.COMMON_NAME, common_name))
    return x509.Name(attrs)


def _key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


class TestPki:
    def __init__(self, directory: Path):
        self.dir = Path(directory)

    # --- loading -----------------------------------------------------------------------
    @property
    def state(self) -> dict:
        return json.loads((self.dir / "state.json").read_text())

    def exists(self) -> bool:
        return (self.dir / "state.json").exists()

    def cert(self, label: str) -> x509.Certificate:
        return x509.load_pem_x509_certificate((self.dir / f"{label}.pem").read_bytes())

    def key(self, label: str):
        return serialization.load_pem_private_key((self.dir / f"{label}.key.pem").read_bytes(), password=None)

    def path(self, name: str) -> Path:
        return self.dir / name

    @property
    def base_url(self) -> str:
        return self.state["base_url"]

    def tsa_url(self) -> str:
        return f"{self.base_url}/tsa"

    def revoked(self, ca_label: str) -> list[tuple[int, str]]:
        return [(int(serial), when) for serial, (ca, when) in self.state["revoked"].items() if ca == ca_label]

    # --- creation ----------------------------------------------------------------------
    @classmethod
    def create(cls, directory: Path, base_url: str, people: list[Person] | None = None) -> TestPki:
        pki = cls(directory)
        pki.dir.mkdir(parents=True, exist_ok=True)
        now = dt.datetime.now(UTC) - dt.timedelta(days=1)
        state = {"base_url": base_url.rstrip("/"), "revoked": {}, "people": {}}
        base = state["base_url"]

        root_key = _key()
        root_name = _name("Root CA Indonesia (UJI)", org="Kementerian Komunikasi dan Digital (UJI)")
        root = (
            x509.CertificateBuilder().subject_name(root_name).issuer_name(root_name).public_key(root_key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now).not_valid_after(now + dt.timedelta(days=3650))
            .add_extension(x509.BasicConstraints(ca=True, path_length=1), critical=True)
            .add_extension(_ca_usage(), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(root_key.public_key()), critical=False)
            .sign(root_key, hashes.SHA256())
        )
        pki._save("root", root, root_key)

        def issue(label, subject, key, issuer, issuer_key, *, ca=False, eku=None, ocsp=False, crl_label="bsre", days=730,
                  nocheck=False, policy=None):
            builder = (
                x509.CertificateBuilder().subject_name(subject).issuer_name(issuer.subject).public_key(key.public_key())
                .serial_number(x509.random_serial_number()).not_valid_before(now).not_valid_after(now + dt.timedelta(days=days))
                .add_extension(x509.BasicConstraints(ca=ca, path_length=0 if ca else None), critical=True)
                .add_extension(_ca_usage() if ca else _signer_usage(), critical=True)
                .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
                .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()), critical=False)
                .add_extension(x509.CRLDistributionPoints([x509.DistributionPoint(
                    [x509.UniformResourceIdentifier(f"{base}/crl/{crl_label}.crl")], None, None, None)]), critical=False)
            )
            if ocsp:
                builder = builder.add_extension(x509.AuthorityInformationAccess([x509.AccessDescription(
                    x509.oid.AuthorityInformationAccessOID.OCSP, x509.UniformResourceIdentifier(f"{base}/ocsp/{crl_label}"))]), critical=False)
            if eku:
                builder = builder.add_extension(x509.ExtendedKeyUsage(eku), critical=True)
            if nocheck:
                builder = builder.add_extension(x509.OCSPNoCheck(), critical=False)
            if policy:
                builder = builder.add_extension(x509.CertificatePolicies([x509.PolicyInformation(
                    x509.ObjectIdentifier(policy), [f"{base}/cps"])]), critical=False)
            cert = builder.sign(issuer_key, hashes.SHA256())
            pki._save(label, cert, key)
            return cert

        bsre_key = _key()
        bsre = issue("bsre", _name("BSrE CA (UJI)", org="Badan Siber dan Sandi Negara (UJI)"), bsre_key, root, root_key,
                     ca=True, crl_label="root", days=1825)
        issue("tsa", _name("Timestamp Authority BSSN (UJI)", org="Badan Siber dan Sandi Negara (UJI)"), _key(), root, root_key,
              eku=[ExtendedKeyUsageOID.TIME_STAMPING], crl_label="root", policy=TSA_CERT_POLICY)
        issue("ocsp", _name("OCSP BSrE (UJI)", org="Badan Siber dan Sandi Negara (UJI)"), _key(), bsre, bsre_key,
              eku=[ExtendedKeyUsageOID.OCSP_SIGNING], nocheck=True)
        issue("seal", _name("Pemerintah Provinsi Bali - Segel Elektronik (UJI)", org="Pemerintah Provinsi Bali"), _key(), bsre, bsre_key,
              ocsp=True, policy=SEAL_POLICY)
        pki._bundle("seal")
        for person in people or DEFAULT_PEOPLE:
            cert = issue(person.label, _name(person.name, org="Pemerintah Provinsi Bali", serial=person.nik, title=person.title),
                         _key(), bsre, bsre_key, ocsp=True, policy=PERSON_POLICY)
            pki._bundle(person.label)
            state["people"][person.label] = {"name": person.name, "nik": person.nik, "title": person.title}
            if person.revoked:
                state["revoked"][str(cert.serial_number)] = ["bsre", (now + dt.timedelta(hours=1)).isoformat()]
        (pki.dir / "state.json").write_text(json.dumps(state, indent=2))
        return pki

    def _save(self, label: str, cert: x509.Certificate, key) -> None:
        (self.dir / f"{label}.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        key_path = self.dir / f"{label}.key.pem"
        key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
        key_path.chmod(0o600)

    def _bundle(self, label: str) -> None:
        data = pkcs12.serialize_key_and_certificates(
            label.encode(), self.key(label), self.cert(label), [self.cert("bsre"), self.cert("root")],
            serialization.BestAvailableEncryption(PKCS12_PASSWORD),
        )
        path = self.dir / f"{label}.p12"
        path.write_bytes(data)
        path.chmod(0o600)

    def person_by_nik(self, nik: str) -> str | None:
        for label, info in self.state["people"].items():
            if info["nik"] == nik:
                return label
        return None

    def revoke(self, label: str, when: dt.datetime | None = None) -> None:
        state = self.state
        state["revoked"][str(self.cert(label).serial_number)] = ["bsre", (when or dt.datetime.now(UTC)).isoformat()]
        (self.dir / "state.json").write_text(json.dumps(state, indent=2))


def _ca_usage() -> x509.KeyUsage:
    return x509.KeyUsage(digital_signature=True, content_commitment=False, key_encipherment=False, data_encipherment=False,
                         key_agreement=False, key_cert_sign=True, crl_sign=True, encipher_only=False, decipher_only=False)


def _signer_usage() -> x509.KeyUsage:
    return x509.KeyUsage(digital_signature=True, content_commitment=True, key_encipherment=False, data_encipherment=False,
                         key_agreement=False, key_cert_sign=False, crl_sign=False, encipher_only=False, decipher_only=False)
