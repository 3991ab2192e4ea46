"""Builds the labelled judol evaluation corpus: benchmarks/webscan/corpus.jsonl.gz.

Synthetic and licence-clean. Each record is one page of one OPD-style site:
  {"site", "path", "kind": clean|hard_negative|injected, "technique", "obfuscation",
   "html" (what a plain browser gets), "cloak": null|<audience>, "cloak_html" | "cloak_redirect",
   "sitemap_only": bool}
Clean pages use four CMS-like templates (WordPress, OJS, SLiMS, Moodle) with ordinary
government text, legitimate hidden menus and partner-link lists. Hard negatives are news and
notices *about* judol and words like "slot waktu", "bonus demografi", "Toto". Injected pages
cover each technique in the research note (§1.1) and the obfuscations (§1.4). Brand names and
copy differ from the classifier's training texts.

Run: python tools/make_webscan_corpus.py
"""

from __future__ import annotations

import gzip
import json
import random
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "benchmarks/webscan/corpus.jsonl.gz"
rng = random.Random(48)

OPDS = ["Dinas Pariwisata", "Dinas Kesehatan", "Bappeda", "BPKAD", "Dinas Pendidikan", "Dinas Kebudayaan",
        "Dinas Perhubungan", "Dinas Sosial", "Dinas Koperasi dan UKM", "Biro Hukum", "Dinas Kelautan dan Perikanan",
        "Dinas Lingkungan Hidup", "Badan Pendapatan Daerah", "Inspektorat", "Dinas Tenaga Kerja", "Satpol PP",
        "Dinas PUPR", "Dinas Pertanian", "Perpustakaan Daerah", "Universitas Daerah (OJS)"]
CMS = ["wordpress", "ojs", "slims", "moodle"]

SENTENCES = [
    "Pemerintah Provinsi Bali terus meningkatkan kualitas pelayanan publik berbasis elektronik.",
    "Kegiatan ini dihadiri oleh kepala perangkat daerah dan perwakilan kabupaten/kota se-Bali.",
    "Masyarakat dapat mengajukan permohonan secara daring melalui laman resmi.",
    "Rapat koordinasi membahas capaian kinerja triwulan ketiga tahun anggaran berjalan.",
    "Sosialisasi dilaksanakan di Gedung Wiswa Sabha Kantor Gubernur Bali.",
    "Program ini mendukung visi Nangun Sat Kerthi Loka Bali melalui pola pembangunan semesta berencana.",
    "Data statistik sektoral diperbarui setiap bulan dan dapat diunduh secara terbuka.",
    "Peserta pelatihan berasal dari aparatur sipil negara di lingkungan Pemerintah Provinsi Bali.",
    "Penyaluran bantuan dilakukan tepat sasaran berdasarkan data terpadu kesejahteraan sosial.",
    "Upacara peringatan hari jadi provinsi berlangsung khidmat di Lapangan Niti Mandala Renon.",
    "Pengumuman ini disampaikan untuk diketahui dan dilaksanakan sebagaimana mestinya.",
    "Informasi lebih lanjut dapat menghubungi layanan pengaduan pada jam kerja.",
    "Kunjungan wisatawan mancanegara meningkat dibandingkan periode yang sama tahun lalu.",
    "Inovasi layanan digital diharapkan memudahkan masyarakat dalam mengakses informasi publik.",
    "Tim teknis melakukan pemeliharaan jaringan intra pemerintah secara berkala.",
    "Dokumen perencanaan telah diselaraskan dengan rencana pembangunan jangka menengah daerah.",
    "Pelestarian budaya Bali menjadi prioritas dalam setiap kebijakan pembangunan daerah.",
    "Pelaksanaan kegiatan mematuhi ketentuan pengadaan barang dan jasa pemerintah.",
    "Jurnal ini menerbitkan artikel hasil penelitian di bidang ekonomi pembangunan daerah.",
    "Koleksi perpustakaan dapat dicari melalui katalog daring dan dipinjam dengan kartu anggota.",
    "Modul pembelajaran daring tersedia bagi peserta diklat kepemimpinan.",
]
PARTNERS = ["https://www.baliprov.go.id/", "https://www.kemendagri.go.id/", "https://www.menpan.go.id/",
            "https://www.bssn.go.id/", "https://www.komdigi.go.id/", "https://jdih.baliprov.go.id/",
            "https://www.bps.go.id/", "https://www.lapor.go.id/", "https://www.youtube.com/@pemprovbali",
            "https://www.instagram.com/pemprov_bali/", "https://www.facebook.com/pemprovbali",
            "https://www.badungkab.go.id/", "https://www.denpasarkota.go.id/", "https://www.gianyarkab.go.id/",
            "https://www.tabanankab.go.id/", "https://www.bulelengkab.go.id/", "https://www.lpse.baliprov.go.id/"]

# Injection copy — written apart from the classifier's training texts (other brands, phrasing).
BRANDS = ["kilat77", "raja168", "garuda4d", "naga303", "permata88", "sultan777", "dewa99", "bintang138",
          "cahaya55", "jayatoto", "lotus4d", "rubyslot88"]
DOMAINS = ["kilat77.xyz", "raja168.vip", "garuda4d.pro", "naga303.site", "permata88.icu", "sultan777.top",
           "dewa99.bet", "bintang138.online", "cahaya55.club", "jayatoto.win", "lotus4d.link", "rubyslot88.fun"]
PROMO_PHRASES = [
    "slot gacor malam ini", "situs slot terpercaya", "daftar slot online", "link alternatif resmi",
    "bonus new member 100", "rtp live tertinggi", "deposit pulsa tanpa potongan", "situs toto 4d",
    "bandar togel resmi", "scatter hitam mahjong ways", "gates of olympus x1000", "slot deposit dana",
    "agen slot gampang menang", "akun pro server kamboja", "prediksi togel hongkong jitu", "wd kilat tanpa ribet",
]
PROMO_COPY = [
    "Nikmati permainan {p1} di {b}, {p2} dengan proses {p3}.",
    "{b} adalah {p1} nomor satu, {p2} setiap hari dan {p3}.",
    "Main di {b}: {p1}, {p2}, {p3}. Gabung hari ini juga!",
    "Cari {p1}? {b} menyediakan {p2} serta {p3} untuk member setia.",
]

NEGATIVE_PAGES = [
    ("Pemprov Bali Perangi Judi Online", [
        "Pemerintah Provinsi Bali bersama kepolisian menggencarkan pemberantasan judi online yang marak di media sosial.",
        "Masyarakat diminta tidak tergiur janji manis seperti slot gacor, maxwin, atau bonus new member karena semua itu jebakan.",
        "Aparatur sipil negara yang terbukti bermain judol akan dijatuhi sanksi disiplin berat.",
        "Laporkan situs judi slot dan togel melalui kanal pengaduan resmi agar segera ditindak."]),
    ("Bahaya Judi Online bagi Pelajar", [
        "Dinas Pendidikan mengadakan penyuluhan tentang bahaya judi online di sekolah menengah.",
        "Siswa diajak mengenali modus promosi seperti deposit pulsa, rtp live, dan link alternatif yang beredar di grup percakapan.",
        "Kecanduan judi slot dapat merusak prestasi belajar dan keharmonisan keluarga.",
        "Orang tua diminta mengawasi penggunaan gawai anak."]),
    ("Laman Pemerintah Dibersihkan dari Konten Judol", [
        "Tim keamanan siber menemukan tautan tersembunyi yang mengarah ke situs togel pada laman lama.",
        "Seluruh tautan telah dihapus, kata sandi diganti, dan celah pada plugin telah ditambal.",
        "Kejadian ini dilaporkan kepada BSSN dan Komdigi sesuai prosedur penanganan insiden.",
        "Masyarakat diimbau tidak mengklik tautan mencurigakan yang menjanjikan jackpot."]),
    ("Slot Waktu Konsultasi Layanan Perizinan", [
        "Pemohon dapat memilih slot waktu konsultasi pada pukul 08.00 hingga 14.00 WITA.",
        "Setiap slot berdurasi tiga puluh menit dan dapat dipesan melalui aplikasi.",
        "Bonus kemudahan diberikan bagi pelaku UMKM yang mendaftar secara daring."]),
    ("Bonus Demografi dan Pembangunan SDM Bali", [
        "Bali akan menikmati puncak bonus demografi pada dekade mendatang.",
        "Pemerintah menyiapkan pelatihan vokasi agar angkatan kerja muda siap bersaing.",
        "Jackpot sesungguhnya adalah sumber daya manusia yang unggul dan berbudaya."]),
    ("Turnamen Sepak Bola Antar-OPD", [
        "Turnamen bola antar perangkat daerah memperebutkan piala Gubernur Bali.",
        "Tim Dinas Perhubungan yang dikapteni Toto Wirawan keluar sebagai juara.",
        "Pertandingan final berlangsung meriah dengan dukungan ratusan penonton."]),
    ("Putusan Pengadilan Kasus Perjudian", [
        "Pengadilan Negeri Denpasar menjatuhkan vonis kepada bandar togel yang beroperasi di Badung.",
        "Terdakwa terbukti mengelola situs judi online dengan omzet miliaran rupiah.",
        "Barang bukti berupa telepon genggam dan buku rekening dirampas untuk negara."]),
    ("Hasil Undian Berhadiah Pajak Kendaraan", [
        "Bapenda mengumumkan pemenang undian berhadiah bagi wajib pajak taat.",
        "Hadiah utama berupa sepeda motor listrik diserahkan langsung oleh Sekda.",
        "Undian ini bukan perjudian melainkan apresiasi atas kepatuhan membayar pajak."]),
]

HIDING_STYLES = [
    ('style="display:none"', None),
    ('style="position:absolute; left:-9999px; top:-9999px"', None),
    ('style="font-size:0px; line-height:0"', None),
    ('style="height:1px; width:1px; overflow:hidden"', None),
    ('style="opacity:0; position:absolute"', None),
    ('class="wp-footer-credit"', ".wp-footer-credit{display:none!important}"),
    ('class="sr-hide"', ".sr-hide { position:absolute; left:-10000px; }"),
    ("hidden", None),
]

OBFUSCATIONS = {
    "plain": lambda s: s,
    "math_bold": lambda s: "".join(chr(0x1D5EE + ord(c) - 97) if "a" <= c <= "z" else c for c in s),
    "fullwidth": lambda s: "".join(chr(0xFF41 + ord(c) - 97) if "a" <= c <= "z" else c for c in s),
    "zero_width": lambda s: "\u200b".join(s),
    "homoglyph": lambda s: s.translate(str.maketrans({"o": "о", "a": "а", "e": "е", "c": "с", "p": "р"})),
    "leet": lambda s: s.translate(str.maketrans({"o": "0", "a": "4", "e": "3", "i": "1"})),
    "separators": lambda s: " ".join(".".join(word) if len(word) <= 6 else word for word in s.split(" ")),
}


def paragraphs(n: int) -> str:
    return "\n".join(f"<p>{' '.join(rng.sample(SENTENCES, 3))}</p>" for _ in range(n))


def promo_copy() -> str:
    p1, p2, p3 = rng.sample(PROMO_PHRASES, 3)
    return rng.choice(PROMO_COPY).format(p1=p1, p2=p2, p3=p3, b=rng.choice(BRANDS))


def page(site: dict, title: str, body: str, extra_head: str = "", extra_body: str = "") -> str:
    cms = site["cms"]
    nav = "".join(f'<li><a href="/{slug}">{label}</a></li>' for slug, label in site["nav"])
    partners = "".join(f'<li><a href="{url}" rel="noopener">{url.split("//")[1].strip("/")}</a></li>'
                       for url in rng.sample(PARTNERS, 6))
    mobile_menu = f'<div class="mobile-menu" style="display:none"><ul>{nav}</ul></div>'
    analytics = "<script>window.dataLayer=window.dataLayer||[];function gtag(){dataLayer.push(arguments)}</script>"
    generator = {"wordpress": "WordPress 6.6", "ojs": "Open Journal Systems 3.3", "slims": "SLiMS 9 Bulian",
                 "moodle": "Moodle 4.3"}[cms]
    return (f"<!doctype html><html lang=\"id\"><head><meta charset=\"utf-8\"><title>{title} - {site['name']}</title>"
            f"<meta name=\"generator\" content=\"{generator}\"><meta name=\"description\" content=\"{site['name']}\">"
            f"{analytics}{extra_head}</head><body class=\"{cms}\"><header><h2>{site['name']}</h2>"
            f"<nav><ul>{nav}</ul></nav>{mobile_menu}</header><main><article><h1>{title}</h1>{body}</article></main>"
            f"<aside><h3>Tautan</h3><ul>{partners}</ul></aside>{extra_body}"
            f"<footer><p>&copy; 2026 {site['name']} Pemerintah Provinsi Bali</p></footer></body></html>")


def hidden_block(obfuscation: str = "plain", style_index: int | None = None) -> tuple[str, str]:
    attrs, css = HIDING_STYLES[rng.randrange(len(HIDING_STYLES)) if style_index is None else style_index]
    transform = OBFUSCATIONS[obfuscation]
    links = " ".join(f'<a href="https://{d}/">{transform(rng.choice(PROMO_PHRASES))}</a>'
                     for d in rng.sample(DOMAINS, rng.randint(4, 9)))
    head = f"<style>{css}</style>" if css else ""
    return head, f"<div {attrs}>{links}</div>"


def build() -> list[dict]:
    records = []
    sites = []
    for i, name in enumerate(OPDS):
        cms = CMS[i % 4]
        nav = [(f"berita/{n}", f"Berita {n}") for n in range(1, 4)] + [("layanan", "Layanan"), ("profil", "Profil")]
        sites.append({"id": f"site{i:02d}", "name": name, "cms": cms, "nav": nav})

    def add(site, path, kind, html, technique="none", obfuscation="plain", **extra):
        records.append({"site": site["id"], "path": path, "kind": kind, "technique": technique,
                        "obfuscation": obfuscation, "html": html, "cloak": None, "sitemap_only": False, **extra})

    for site in sites:
        # Clean pages: home, nav targets and an archive of news posts.
        add(site, "", "clean", page(site, "Beranda", paragraphs(3)))
        for slug, label in site["nav"]:
            add(site, slug, "clean", page(site, label, paragraphs(rng.randint(2, 5))))
        for n in range(4, 26):
            add(site, f"arsip/{n}", "clean", page(site, f"Arsip kegiatan {n}", paragraphs(rng.randint(2, 6))))
        # Hard negatives: pages about judol, and look-alike words in innocent text.
        for k, (title, lines) in enumerate(rng.sample(NEGATIVE_PAGES, 4)):
            body = "".join(f"<p>{line}</p>" for line in lines) + paragraphs(1)
            add(site, f"berita-khusus/{k}", "hard_negative", page(site, title, body))

    # Harder negatives: they carry the structures injections use, for innocent reasons.
    for site in sites:
        blocked = ", ".join(rng.sample(DOMAINS, 5))
        add(site, "berita-khusus/blokir", "hard_negative", page(site, "Daftar Situs Judi yang Diblokir", (
            f"<p>Komdigi memblokir situs judi online berikut: {blocked}. Situs tersebut mempromosikan slot gacor, "
            "bonus new member, dan deposit pulsa untuk menjerat korban.</p><p>Jangan mengunjungi situs tersebut dan "
            "segera laporkan bila menemukan iklan serupa.</p>" + paragraphs(1))))
        faq = ("<div class=\"accordion-body\" style=\"display:none\"><p>Apa itu judi online? Judi online adalah "
               "perjudian melalui internet, misalnya slot gacor, togel, dan casino online. Promosi seperti bonus new "
               "member dan deposit pulsa adalah modus untuk menjerat korban.</p><p>Bagaimana melapor? Kirim tautan ke "
               "kanal aduan resmi.</p></div>")
        add(site, "faq-judol", "hard_negative", page(site, "Tanya Jawab Bahaya Judi Online",
                                                      "<h2>Tanya jawab</h2>" + faq + paragraphs(1)))
        add(site, "layanan-lama", "hard_negative", page(
            site, "Layanan dipindahkan", "<p>Layanan ini telah dipindahkan ke portal baru.</p>",
            '<meta http-equiv="refresh" content="3;url=https://layanan.baliprov.go.id/perizinan">'))

    techniques = []
    for index, site in enumerate(sites):
        # Each site gets a few injected pages; techniques rotate across sites.
        for j in range(12):
            t = (index * 12 + j) % 12
            techniques.append((site, t, j))

    for site, t, j in techniques:
        path = f"post/{t}-{j}"
        title = f"Kegiatan {rng.choice(['Dinas', 'Bidang', 'UPTD'])} {j}"
        base_body = paragraphs(rng.randint(2, 4))
        if t == 0:  # hidden link block, plain text
            head, block = hidden_block()
            add(site, path, "injected", page(site, title, base_body, head, block), "hidden_links")
        elif t == 1:  # hidden link block with an obfuscation
            obf = rng.choice([o for o in OBFUSCATIONS if o != "plain"])
            head, block = hidden_block(obf)
            add(site, path, "injected", page(site, title, base_body, head, block), "hidden_links_obfuscated", obf)
        elif t == 2:  # visible link farm in the footer area
            links = " | ".join(f'<a href="https://{d}/">{rng.choice(PROMO_PHRASES)}</a>' for d in rng.sample(DOMAINS, 6))
            add(site, path, "injected", page(site, title, base_body, "", f"<div class=\"sponsor\">{links}</div>"),
                "link_farm")
        elif t == 3:  # doorway page (added page), all promotion
            body = "".join(f"<p>{promo_copy()}</p>" for _ in range(6))
            cta = f'<p><a href="https://{rng.choice(DOMAINS)}/daftar">Daftar sekarang</a></p>'
            add(site, f"wp-content/uploads/{rng.randint(1000, 9999)}/{rng.choice(PROMO_PHRASES).replace(' ', '-')}.html",
                "injected", page(site, rng.choice(PROMO_PHRASES).title(), body + cta), "doorway_page")
        elif t == 4:  # parameterised doorway: keyword slug + filler words
            slug = rng.choice(PROMO_PHRASES).replace(" ", "-")
            filler = " ".join(" ".join(rng.choice(SENTENCES).split()[:6]) for _ in range(5))
            body = f"<p>{promo_copy()}</p><p>{filler}</p><p>{promo_copy()}</p>"
            add(site, f"alsb/1/?tech={slug}", "injected", page(site, slug.replace("-", " "), body), "parameter_doorway")
        elif t == 5:  # cloaking by user agent: only Googlebot gets the gambling copy
            clean = page(site, title, base_body)
            cloaked = page(site, rng.choice(PROMO_PHRASES).title(), "".join(f"<p>{promo_copy()}</p>" for _ in range(4)))
            add(site, path, "injected", clean, "cloaking_googlebot", cloak="googlebot", cloak_html=cloaked)
        elif t == 6:  # cloaking by referrer: visitors from Google are redirected
            add(site, path, "injected", page(site, title, base_body), "cloaking_referrer",
                cloak="google_referrer", cloak_redirect=f"https://{rng.choice(DOMAINS)}/?ref=go.id")
        elif t == 7:  # mobile + Google referrer only
            add(site, path, "injected", page(site, title, base_body), "cloaking_mobile_referrer",
                cloak="mobile_google_referrer", cloak_redirect=f"https://m.{rng.choice(DOMAINS)}/")
        elif t == 8:  # JavaScript redirect (everyone), sometimes obfuscated around it
            target = f"https://{rng.choice(DOMAINS)}/{rng.choice(PROMO_PHRASES).replace(' ', '-')}"
            script = f'<script>setTimeout(function(){{window.location.href="{target}";}}, 50);</script>'
            if rng.random() < 0.5:
                script += "<script>eval(atob('Y29uc29sZS5sb2coMSk='));</script>"
            add(site, path, "injected", page(site, title, base_body, script), "js_redirect")
        elif t == 9:  # meta refresh to a gambling domain
            meta = f'<meta http-equiv="refresh" content="0;url=https://{rng.choice(DOMAINS)}/">'
            add(site, path, "injected", page(site, title, base_body, meta, f"<p hidden>{promo_copy()}</p>"),
                "meta_refresh")
        elif t == 10:  # sitemap-only page with a gambling slug (sitemap poisoning)
            slug = rng.choice(PROMO_PHRASES).replace(" ", "-")
            body = "".join(f"<p>{promo_copy()}</p>" for _ in range(2))
            add(site, f"{slug}-{j}", "injected", page(site, slug.replace("-", " ").title(), body),
                "sitemap_injection", sitemap_only=True)
        elif t == 11:  # hidden banners: images with gambling alt text in a hidden container
            images = "".join(f'<a href="https://{d}/"><img src="/wp-content/uploads/banner-{k}.gif" '
                             f'alt="{rng.choice(PROMO_PHRASES)}"></a>' for k, d in enumerate(rng.sample(DOMAINS, 4)))
            add(site, path, "injected", page(site, title, base_body, "", f'<div style="display:none">{images}</div>'),
                "hidden_image_links")
    # Documented blind spot: content only for Googlebot verified by reverse DNS (not scored).
    for site in sites[:5]:
        add(site, "post/rdns", "injected", page(site, "Info", paragraphs(2)), "cloaking_rdns_blind_spot",
            cloak="verified_googlebot", cloak_html=page(site, "Slot", f"<p>{promo_copy()}</p>"))
    return records


if __name__ == "__main__":
    data = build()
    OUT.parent.mkdir(parents=True, exist_ok=True)
    with gzip.open(OUT, "wt", encoding="utf-8") as handle:
        for record in data:
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
    kinds = {}
    for record in data:
        kinds[record["kind"]] = kinds.get(record["kind"], 0) + 1
    print(f"{len(data)} pages {kinds} → {OUT}")
