"""Realistic demo data for the Province of Bali: agencies, one user per role, assets.

Everything is created through the services, so the demo also fills the audit log.
Idempotent: running it twice changes nothing.
"""

from __future__ import annotations

from django.contrib.auth.hashers import make_password
from django.db import transaction

from spbe.inventory import services as inventory
from spbe.inventory.models import Application, Server, Website

from . import services
from .models import Agency, Institution, User
from .roles import Role

PROVINCE = ("pemprov-bali", "Pemerintah Provinsi Bali", Institution.Kind.PROVINCE)

# (code, name, short name, kind, parent code, contact email)
BALI_AGENCIES = [
    ("setda", "Sekretariat Daerah Provinsi Bali", "Setda", Agency.Kind.SECRETARIAT, None, "setda@baliprov.go.id"),
    ("biro-organisasi", "Biro Organisasi", "Biro Organisasi", Agency.Kind.BIRO, "setda", ""),
    ("biro-umum", "Biro Umum dan Protokol", "Biro Umum", Agency.Kind.BIRO, "setda", ""),
    ("diskominfos", "Dinas Komunikasi, Informatika dan Statistik", "Diskominfos", Agency.Kind.DINAS, None,
     "diskominfos@baliprov.go.id"),
    ("uptd-pild", "UPTD Pengelolaan Infrastruktur dan Layanan Digital", "UPTD PILD", Agency.Kind.UPTD,
     "diskominfos", "pild@baliprov.go.id"),
    ("dispar", "Dinas Pariwisata", "Dispar", Agency.Kind.DINAS, None, "disparda@baliprov.go.id"),
    ("bappeda", "Badan Perencanaan Pembangunan Daerah", "Bappeda", Agency.Kind.BADAN, None, "bappeda@baliprov.go.id"),
    ("bpkad", "Badan Pengelolaan Keuangan dan Aset Daerah", "BPKAD", Agency.Kind.BADAN, None, "bpkad@baliprov.go.id"),
    ("bapenda", "Badan Pendapatan Daerah", "Bapenda", Agency.Kind.BADAN, None, "bapenda@baliprov.go.id"),
    ("bkpsdm", "Badan Kepegawaian dan Pengembangan Sumber Daya Manusia", "BKPSDM", Agency.Kind.BADAN, None, ""),
    ("diskes", "Dinas Kesehatan", "Diskes", Agency.Kind.DINAS, None, "diskes@baliprov.go.id"),
    ("disdikpora", "Dinas Pendidikan, Kepemudaan dan Olahraga", "Disdikpora", Agency.Kind.DINAS, None, ""),
    ("disbud", "Dinas Kebudayaan", "Disbud", Agency.Kind.DINAS, None, ""),
    ("inspektorat", "Inspektorat Daerah", "Inspektorat", Agency.Kind.INSPEKTORAT, None, ""),
]

OTHER_INSTITUTIONS = [
    # (institution code, name, kind, [(agency code, agency name, short, kind)])
    ("kemenpanrb", "Kementerian Pendayagunaan Aparatur Negara dan Reformasi Birokrasi", Institution.Kind.MINISTRY,
     [("deputi-kelembagaan", "Deputi Bidang Kelembagaan dan Tata Laksana", "Deputi KTL", Agency.Kind.EXTERNAL)]),
    ("pemkot-denpasar", "Pemerintah Kota Denpasar", Institution.Kind.CITY,
     [("diskominfos-dps", "Dinas Komunikasi, Informatika dan Statistik Kota Denpasar", "Diskominfos Denpasar",
       Agency.Kind.DINAS)]),
    ("unud", "Universitas Udayana", Institution.Kind.UNIVERSITY,
     [("prodi-ti", "Program Studi Teknologi Informasi", "Prodi TI Unud", Agency.Kind.EXTERNAL)]),
    ("mitra-love-bali", "Mitra Love Bali Endpoint", Institution.Kind.PRIVATE,
     [("hotel-ubud-sari", "Hotel Ubud Sari", "Ubud Sari", Agency.Kind.EXTERNAL)]),
]

# (username, full name, role, institution code, agency code)
DEMO_USERS = [
    ("admin", "Administrator Platform", Role.PLATFORM_ADMIN, "pemprov-bali", "diskominfos"),
    ("pemprov.admin", "Ni Wayan Ratna Dewi", Role.INSTITUTION_ADMIN, "pemprov-bali", "diskominfos"),
    ("kominfo.admin", "I Made Agus Saputra", Role.AGENCY_ADMIN, "pemprov-bali", "diskominfos"),
    ("kominfo.staf", "Ni Luh Putu Ayu Lestari", Role.AGENCY_STAFF, "pemprov-bali", "diskominfos"),
    ("dispar.admin", "I Wayan Sudarsana", Role.AGENCY_ADMIN, "pemprov-bali", "dispar"),
    ("dispar.staf", "Ni Made Dewi Anggreni", Role.AGENCY_STAFF, "pemprov-bali", "dispar"),
    ("bappeda.staf", "I Ketut Wirawan", Role.AGENCY_STAFF, "pemprov-bali", "bappeda"),
    ("koordinator.spbe", "I Gede Pramana Putra", Role.SPBE_COORDINATOR, "pemprov-bali", "setda"),
    ("asesor.internal", "Ni Komang Sri Wahyuni", Role.INTERNAL_ASSESSOR, "pemprov-bali", "inspektorat"),
    ("asesor.eksternal", "Dr. Rahmat Hidayat", Role.EXTERNAL_ASSESSOR, "kemenpanrb", "deputi-kelembagaan"),
    ("petugas.pungutan", "I Nyoman Arta", Role.LEVY_OFFICER, "pemprov-bali", "dispar"),
    ("petugas.checkpoint", "I Putu Gede Darma", Role.CHECKPOINT_OFFICER, "pemprov-bali", "dispar"),
    ("petugas.piket", "Ni Kadek Sinta Dewi", Role.DUTY_OFFICER, "pemprov-bali", "dispar"),
    ("pemeriksa.dokumen", "I Made Suardana", Role.DOCUMENT_REVIEWER, "pemprov-bali", "biro-umum"),
    ("penandatangan", "Dewa Made Indra", Role.SIGNER, "pemprov-bali", "setda"),
    ("triase.keamanan", "Kadek Bayu Pratama", Role.SECURITY_TRIAGER, "pemprov-bali", "uptd-pild"),
    ("peneliti.mahasiswa", "Gede Arya Wiguna", Role.RESEARCHER, "unud", "prodi-ti"),
    ("mitra.hotel", "Hotel Ubud Sari (front office)", Role.PARTNER_ENDPOINT, "mitra-love-bali", "hotel-ubud-sari"),
]

DEMO_SERVERS = [
    ("diskominfos", "Server aplikasi pusat data 1", "app01.dc.baliprov.go.id", "10.10.1.11", "001"),
    ("diskominfos", "Server basis data pusat data", "db01.dc.baliprov.go.id", "10.10.1.21", "002"),
    ("uptd-pild", "Server web OPD bersama", "web01.dc.baliprov.go.id", "10.10.2.11", "003"),
    ("dispar", "Server Love Bali", "lovebali01.dc.baliprov.go.id", "10.10.3.11", "004"),
]

DEMO_APPLICATIONS = [
    ("dispar", "Love Bali", Application.Kind.PUBLIC_SERVICE, "https://lovebali.baliprov.go.id", "vital"),
    ("dispar", "Love Bali Endpoint", Application.Kind.PUBLIC_SERVICE, "https://endpoint.lovebali.baliprov.go.id", "high"),
    ("diskominfos", "Satu Data Bali", Application.Kind.PUBLIC_SERVICE, "https://data.baliprov.go.id", "high"),
    ("diskominfos", "E-Office Pemprov Bali", Application.Kind.ADMINISTRATION, "https://eoffice.baliprov.go.id", "high"),
    ("bappeda", "E-Planning Bali", Application.Kind.ADMINISTRATION, "https://eplanning.baliprov.go.id", "medium"),
    ("bpkad", "SIPD Keuangan", Application.Kind.ADMINISTRATION, "", "high"),
    ("bkpsdm", "Simpeg Bali", Application.Kind.ADMINISTRATION, "https://simpeg.baliprov.go.id", "medium"),
    ("uptd-pild", "Bug Bounty Pemprov Bali", Application.Kind.PUBLIC_SERVICE, "https://bugbounty.baliprov.go.id", "medium"),
    ("bapenda", "Samsat Digital Bali (e-Samsat)", Application.Kind.PUBLIC_SERVICE, "https://esamsat.baliprov.go.id", "high"),
    ("diskes", "SIMRS RS Bali Mandara", Application.Kind.PUBLIC_SERVICE, "https://simrs.rsbm.baliprov.go.id", "high"),
]

DEMO_WEBSITES = [
    ("setda", "Portal Provinsi Bali", "baliprov.go.id"),
    ("diskominfos", "Website Diskominfos", "diskominfos.baliprov.go.id"),
    ("dispar", "Website Dinas Pariwisata", "disparda.baliprov.go.id"),
    ("bappeda", "Website Bappeda", "bappeda.baliprov.go.id"),
    ("bpkad", "Website BPKAD", "bpkad.baliprov.go.id"),
    ("diskes", "Website Dinas Kesehatan", "diskes.baliprov.go.id"),
    ("disdikpora", "Website Disdikpora", "disdikpora.baliprov.go.id"),
    ("disbud", "Website Dinas Kebudayaan", "disbud.baliprov.go.id"),
]


def _institution(code, name, kind):
    existing = Institution.objects.filter(code=code).first()
    return existing or services.create_institution(code=code, name=name, kind=kind)


def _agency(institution, code, name, short, kind, parent=None, email=""):
    existing = Agency.objects.filter(institution=institution, code=code).first()
    return existing or services.create_agency(
        institution=institution, code=code, name=name, short_name=short, kind=kind, parent=parent, email=email
    )


# Product modules add their own demo data (registered in their AppConfig.ready()).
_MODULE_LOADERS: list = []
_LATE_LOADERS: list = []


def register_demo_loader(loader, *, after_warmup: bool = False) -> None:
    """``loader()`` runs after the core demo data, inside the same transaction; idempotent.

    ``after_warmup``: the loader needs what a server builds at start (the assistant's index, say).
    `make run` then runs it once the server is ready (``load_demo_data --stage late``) instead of
    building the same thing twice before the first page; a plain ``load_demo_data`` runs it too."""
    (_LATE_LOADERS if after_warmup else _MODULE_LOADERS).append(loader)


@transaction.atomic
def load_late_demo_data() -> int:
    """The loaders registered with ``after_warmup``; returns how many ran."""
    for loader in _LATE_LOADERS:
        loader()
    return len(_LATE_LOADERS)


@transaction.atomic
def load_demo_data(password: str, *, include_late: bool = True) -> dict:
    agencies: dict[tuple[str, str], Agency] = {}
    province = _institution(*PROVINCE)
    for code, name, short, kind, parent_code, email in BALI_AGENCIES:
        parent = agencies[(province.code, parent_code)] if parent_code else None
        agencies[(province.code, code)] = _agency(province, code, name, short, kind, parent, email)
    for inst_code, inst_name, inst_kind, units in OTHER_INSTITUTIONS:
        institution = _institution(inst_code, inst_name, inst_kind)
        for code, name, short, kind in units:
            agencies[(inst_code, code)] = _agency(institution, code, name, short, kind)

    users = []
    hashed = None  # one hash for the one demo password: each costs ~0.3 s of PBKDF2
    for username, full_name, role, inst_code, agency_code in DEMO_USERS:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = services.create_user(username=username, full_name=full_name, email=f"{username}@demo.baliprov.go.id")
            hashed = hashed or make_password(password)
            User.objects.filter(pk=user.pk).update(password=hashed)
        agency = agencies[(inst_code, agency_code)]
        if not user.memberships.filter(agency=agency, role=role, is_active=True).exists():
            services.grant_membership(user=user, agency=agency, role=role)
        users.append((username, role))

    bali = province.code
    servers = {}
    for agency_code, name, hostname, ip, wazuh_id in DEMO_SERVERS:
        servers[hostname] = Server.objects.filter(hostname=hostname).first() or inventory.create_asset(
            Server, agency=agencies[(bali, agency_code)], name=name, hostname=hostname, ip_address=ip,
            wazuh_agent_id=wazuh_id, operating_system="Ubuntu 24.04 LTS", location="Pusat Data Pemprov Bali",
        )
    for agency_code, name, kind, url, criticality in DEMO_APPLICATIONS:
        if not Application.objects.filter(name=name).exists():
            inventory.create_asset(
                Application, agency=agencies[(bali, agency_code)], name=name, kind=kind, url=url,
                criticality=criticality, servers=[servers["app01.dc.baliprov.go.id"]],
            )
    for agency_code, name, domain in DEMO_WEBSITES:
        if not Website.objects.filter(domain=domain).exists():
            inventory.create_asset(
                Website, agency=agencies[(bali, agency_code)], name=name, domain=domain,
                base_url=f"https://{domain}/", admin_email=f"webmaster@{domain}", cms="WordPress",
            )
    for loader in _MODULE_LOADERS:
        loader()
    if include_late:
        load_late_demo_data()
    return {"agencies": len(agencies), "users": users}
