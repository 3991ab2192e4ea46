"""Demo for security: the programme scope, a practicum cohort of Universitas Udayana with the
demo student, reports at every step a triager and an OPD see (new, in triage, accepted with a
fix deadline, resolved with points), an ITSA assessment being tested with a finding near its
deadline, and a fortnight of Wazuh alerts from the data-centre servers.

Everything goes through the services, so the audit log and the work queues fill as in real use.
Idempotent: a second run finds the cohort and stops."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

COHORT_NAME = "Praktikum Keamanan Siber 2026/2027"

# (website domain, title, type, description, steps, CVSS vector, how far triage takes it)
REPORTS = [
    ("disparda.baliprov.go.id", "XSS tersimpan pada kolom komentar berita",
     "xss-stored",
     "Kolom komentar pada halaman berita menyimpan tag <script> tanpa penyaringan, sehingga skrip berjalan di peramban "
     "setiap pengunjung halaman tersebut.",
     "1. Buka salah satu berita. 2. Kirim komentar berisi <script>alert(document.domain)</script>. "
     "3. Muat ulang halaman: kotak peringatan muncul.",
     "CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N", "resolved"),
    ("bappeda.baliprov.go.id", "Direktori unggahan dapat dijelajahi",
     "misconfig",
     "Direktori /wp-content/uploads/ menampilkan daftar berkas, termasuk draf dokumen perencanaan yang belum "
     "diumumkan.",
     "1. Buka https://bappeda.baliprov.go.id/wp-content/uploads/2026/. 2. Daftar berkas tampil tanpa login.",
     "", "accepted"),
    ("diskes.baliprov.go.id", "Formulir pengaduan tanpa perlindungan CSRF",
     "csrf",
     "Formulir pengaduan masyarakat tidak memakai token CSRF, sehingga situs lain dapat mengirim pengaduan atas nama "
     "pengunjung yang sedang login.",
     "1. Login sebagai warga. 2. Buka halaman uji yang berisi formulir otomatis ke /pengaduan/kirim. 3. Pengaduan "
     "baru tercatat tanpa tindakan pengguna.",
     "", "triage"),
    ("bpkad.baliprov.go.id", "Versi WordPress dan plugin terlihat di header",
     "info-leak",
     "Header X-Powered-By dan berkas readme.html memperlihatkan versi WordPress dan plugin yang sudah usang.",
     "1. Jalankan curl -I https://bpkad.baliprov.go.id/. 2. Buka /readme.html.",
     "", "new"),
]

# (agent id, agent name, rule id, level, description, groups, hours ago, file path)
ALERTS = [
    ("001", "app01", "5710", 5, "sshd: Attempt to login using a non-existent user", ["syslog", "sshd", "authentication_failed"], 3, ""),
    ("001", "app01", "5712", 10, "sshd: brute force trying to get access to the system", ["syslog", "sshd", "authentication_failures"], 3, ""),
    ("003", "web01", "550", 7, "Integrity checksum changed.", ["ossec", "syscheck"], 20, "/var/www/disparda/index.php"),
    ("003", "web01", "31103", 6, "SQL injection attempt.", ["web", "accesslog", "attack", "sql_injection"], 30, ""),
    ("004", "lovebali01", "31151", 10, "Multiple web server 400 error codes from same source ip.", ["web", "accesslog", "web_scan"], 50, ""),
    ("002", "db01", "5402", 3, "Successful sudo to ROOT executed.", ["syslog", "sudo"], 80, ""),
    ("004", "lovebali01", "510", 7, "Host-based anomaly detection event (rootcheck).", ["ossec", "rootcheck"], 120, ""),
    ("003", "web01", "31106", 6, "A web attack returned code 200 (success).", ["web", "accesslog", "attack"], 200, ""),
]


def _alert(agent_id, agent_name, rule_id, level, description, groups, hours_ago, file_path, ip) -> dict:
    """A Wazuh 4.x alert as the manager's integration posts it."""
    at = timezone.now() - timedelta(hours=hours_ago)
    document = {
        "timestamp": timezone.localtime(at).strftime("%Y-%m-%dT%H:%M:%S.000%z"),
        "id": f"{int(at.timestamp())}.{agent_id}{rule_id}",
        "rule": {"level": level, "description": description, "id": rule_id, "groups": groups},
        "agent": {"id": agent_id, "name": agent_name, "ip": ip},
        "manager": {"name": "wazuh-manager.dc.baliprov.go.id"},
        "location": "syscheck" if file_path else "/var/log/auth.log",
    }
    if file_path:
        document["syscheck"] = {"path": file_path, "event": "modified"}
    else:
        document["data"] = {"srcip": "203.0.113.45"}
    return document


def load_demo() -> None:
    from spbe.core.models import Agency, Institution, User
    from spbe.core import services as core
    from spbe.core.roles import Role
    from spbe.inventory.models import Application, Server

    from . import services
    from .models import Assessment, ChecklistItem, Cohort, Report, ScopeEntry, University, WazuhAgent

    province = Institution.objects.filter(code="pemprov-bali").first()
    triager = User.objects.filter(username="triase.keamanan").first()
    student = User.objects.filter(username="peneliti.mahasiswa").first()
    opd_admin = User.objects.filter(username="kominfo.admin").first()
    if not (province and triager and student and opd_admin) or Cohort.objects.filter(name=COHORT_NAME).exists():
        return
    services.sync_scope(by=triager)

    # A lecturer who supervises the practicum; signs in with the demo password like the student.
    supervisor = User.objects.filter(username="dosen.pembimbing").first()
    if supervisor is None:
        supervisor = core.create_user(username="dosen.pembimbing", full_name="Dr. I Putu Agung Bayupati",
                                      email="dosen.pembimbing@demo.unud.ac.id")
        User.objects.filter(pk=supervisor.pk).update(password=student.password)
    university, _created = University.objects.get_or_create(name="Universitas Udayana", defaults={"email_domain": "unud.ac.id"})
    today = timezone.localdate()
    cohort = Cohort.objects.create(institution=province, university=university, name=COHORT_NAME, supervisor=supervisor,
                                   starts=today - timedelta(days=60), ends=today + timedelta(days=120))
    researcher = services.register_researcher(student, display_name="Gede Arya W.", kind="student", cohort=cohort,
                                              student_number="2208561042", agreed=True)

    for domain, title, vuln_type, description, steps, vector, stage in REPORTS:
        scope = ScopeEntry.objects.filter(website__domain=domain, in_scope=True).first()
        if scope is None:
            continue
        report = services.submit_report(researcher, scope=scope, title=title, vuln_type=vuln_type, description=description,
                                        steps=steps, affected_url=f"https://{domain}/", cvss_vector=vector)
        if stage == "new":
            continue
        report = services.triage(report, to=Report.Status.TRIAGE, by=triager, note="Sedang direproduksi oleh tim triase.")
        if stage == "triage":
            continue
        report = services.triage(report, to=Report.Status.ACCEPTED, by=triager, note="Tereproduksi; diteruskan ke OPD pemilik.")
        if stage == "accepted":
            continue
        owner = User.objects.filter(memberships__agency_id=report.agency_id, memberships__role=Role.AGENCY_ADMIN).first()
        report = services.mark_fixed(report, by=owner or triager, note="Perbaikan dipasang pada versi produksi.")
        report = services.triage(report, to=Report.Status.RETEST, by=triager)
        services.triage(report, to=Report.Status.RESOLVED, by=triager, note="Uji ulang: skrip tidak lagi berjalan.")

    # An ITSA before E-Office goes live: checks under way, a critical finding due within the week.
    application = Application.objects.filter(name="E-Office Pemprov Bali").first()
    if application is not None and not Assessment.objects.filter(application=application).exists():
        assessment = services.request_assessment(
            application, asvs_level=1, environment="staging", window_start=today - timedelta(days=5),
            window_end=today + timedelta(days=9), testers="Tim ITSA UPTD PILD", by=opd_admin)
        items = list(assessment.checklist.order_by("id"))
        for item in items[: len(items) // 2]:
            services.record_check(item, result=ChecklistItem.Result.PASS, evidence="Diuji pada staging, 2026.", by=triager)
        failing = items[len(items) // 2]
        services.record_check(failing, result=ChecklistItem.Result.FAIL, evidence="Token sesi tidak diganti setelah login.", by=triager)
        services.add_finding(assessment, title="Sesi tidak diperbarui setelah login (session fixation)",
                             description="ID sesi sebelum login tetap berlaku setelah login.", by=triager,
                             cvss_vector="CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:U/C:H/I:H/A:N", requirement=failing.requirement,
                             recommendation="Buat ID sesi baru setiap kali pengguna berhasil login.")
        services.add_finding(assessment, title="Panel admin staging memakai kata sandi bawaan",
                             description="Akun admin/admin123 bawaan vendor masih aktif pada panel /admin.", by=triager,
                             cvss_vector="CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", cwe=1392,
                             recommendation="Ganti kata sandi bawaan dan wajibkan MFA untuk akun admin sebelum go-live.")

    # Wazuh alerts from the data-centre servers, each agent mapped to the OPD that owns the server.
    servers = {s.wazuh_agent_id: s for s in Server.objects.exclude(wazuh_agent_id="")}
    documents = [_alert(*row, ip=servers[row[0]].ip_address if row[0] in servers else "") for row in ALERTS]
    services.ingest_alerts(documents)
    for agent in WazuhAgent.objects.filter(agency__isnull=True, agent_id__in=servers):
        services.map_agent(agent, Agency.objects.get(pk=servers[agent.agent_id].agency_id), by=triager)
