"""Writes src/spbe/webscan/data/training.jsonl: short texts labelled promo / mention.

Promotion copy as spammers write it, and the ways Indonesian government sites *mention*
gambling (press releases on fighting judol, warnings, arrests, regulations, education) plus
ordinary government text. Written independently of the evaluation corpus (benchmarks/); run
`python tools/make_webscan_training.py && spbe webscan_train` after editing.
"""

import itertools
import json
import random
from pathlib import Path

rng = random.Random(20261123)
OUT = Path(__file__).resolve().parents[1] / "src/spbe/webscan/data/training.jsonl"

brands = ["mantap88", "pstoto99", "aero88", "gacor777", "hoki168", "zeus4d", "mpo500", "cuan303", "olympus99", "bet365x"]
games = ["mahjong ways 2", "gates of olympus", "sweet bonanza", "starlight princess", "slot zeus", "spaceman",
         "pg soft", "pragmatic play", "habanero", "toto macau"]
pays = ["deposit pulsa tanpa potongan", "deposit dana 10rb", "depo ovo 5 ribu", "wd cepat 2 menit", "langsung cair",
        "deposit gopay", "via qris"]
ctas = ["daftar sekarang", "login slot", "klik link alternatif", "hubungi admin 24 jam", "klaim bonus new member 100%",
        "akun pro server thailand", "buruan gabung", "main sekarang juga", "link di bio"]
promises = ["dijamin maxwin", "pasti jp paus", "rtp live 98%", "gacor hari ini", "anti rungkad", "scatter hitam muncul terus",
            "gampang menang", "modal receh jadi jutaan", "bocoran pola slot malam ini", "jackpot besar tiap hari"]
promo_frames = [
    "{brand} situs slot gacor terpercaya {promise}, {pay}, {cta}",
    "{cta} di {brand}: {game} {promise} {pay}",
    "bandar togel online {brand} prediksi togel hk sgp hari ini, {pay}, {cta}",
    "situs toto {brand} live draw keluaran hk pools, {promise}, {cta}",
    "{game} {promise} hanya di {brand} {cta}",
    "agen slot resmi {brand} bonus new member 100 di depan {pay}",
    "{brand} link alternatif login anti blokir {game} {promise}",
    "slot online {brand} {pay} {promise} {cta}",
    "judi bola sbobet {brand} odds terbaik {pay} {cta}",
    "raih kemenangan {game} bersama {brand}, {promise}",
]

orgs = ["Diskominfos", "Pemprov Bali", "Kominfo", "Komdigi", "BSSN", "Polda Bali", "Satgas Pemberantasan Judi Online",
        "Dinas Sosial", "OJK", "Kemenag", "Bupati", "Gubernur Bali", "Inspektorat", "Disdikpora"]
acts = ["memblokir", "menindak", "mengimbau masyarakat menjauhi", "menggelar sosialisasi bahaya", "menangkap pelaku",
        "menurunkan konten", "mengusut", "memberantas", "mewaspadai", "melarang ASN terlibat"]
topics = ["judi online", "judol", "situs slot", "iklan judi online", "promosi togel", "praktik perjudian daring",
          "konten judi slot gacor", "situs judi yang menyusup ke laman pemerintah"]
effects = ["merusak ekonomi keluarga", "menjerat remaja dengan utang pinjol", "melanggar UU ITE pasal 27 ayat 2",
           "diancam pidana penjara enam tahun", "memicu kekerasan dalam rumah tangga",
           "membuat korban kehilangan tabungan", "berdampak pada kesehatan mental"]
mention_frames = [
    "{org} {act} {topic} yang {effect}",
    "Berita: {org} {act} {topic}. Warga diminta melapor ke aduankonten.id",
    "Siaran pers {org}: sebanyak 1.200 {topic} telah ditutup karena {effect}",
    "Waspada {topic}! Istilah seperti slot gacor dan maxwin hanyalah jebakan yang {effect}",
    "{org} mengingatkan pelajar agar tidak tergiur {topic} yang menjanjikan bonus, karena {effect}",
    "Satgas menemukan {topic} dengan kata kunci deposit pulsa dan rtp live; {org} {act} jaringan tersebut",
    "Pelaku judi online ditangkap {org} di Denpasar; barang bukti berupa akun situs togel dan rekening penampung",
    "Webinar literasi digital: mengenali modus {topic} dan cara melaporkannya kepada {org}",
    "Pemerintah daerah membersihkan laman resmi dari {topic}; {org} {act} penyisipan tautan tersembunyi",
    "Surat edaran {org} tentang larangan {topic} bagi aparatur sipil negara",
]
neutral = [
    "Pendaftaran beasiswa dibuka, slot waktu wawancara tersedia pukul 09.00-12.00 WITA",
    "Bonus demografi menjadi peluang pembangunan Bali hingga 2045",
    "Rapat koordinasi evaluasi SPBE diikuti seluruh perangkat daerah",
    "Layanan pengaduan masyarakat tersedia melalui kanal resmi pemerintah provinsi",
    "Pemain bola muda Bali berlatih di GOR Ngurah Rai menjelang Porprov",
    "Toto Sugiarto terpilih sebagai ketua panitia lomba kebersihan desa",
    "Jadwal vaksinasi dan slot antrean puskesmas dapat dilihat di aplikasi",
    "Pemenang lomba inovasi daerah menerima hadiah dari Gubernur",
    "Laporan keuangan daerah memperoleh opini WTP dari BPK",
    "Pengumuman hasil seleksi PPPK tahun anggaran 2026",
]

rows = set()
for frame in promo_frames:
    for _ in range(18):
        rows.add((frame.format(brand=rng.choice(brands), game=rng.choice(games), pay=rng.choice(pays),
                               cta=rng.choice(ctas), promise=rng.choice(promises)), "promo"))
for frame in mention_frames:
    for _ in range(16):
        rows.add((frame.format(org=rng.choice(orgs), act=rng.choice(acts), topic=rng.choice(topics),
                               effect=rng.choice(effects)), "mention"))
for text, n in itertools.product(neutral, range(3)):
    rows.add((text if n == 0 else f"{text}. {rng.choice(neutral)}", "mention"))
ordered = sorted(rows)
rng.shuffle(ordered)
OUT.write_text("".join(json.dumps({"text": t, "label": label}, ensure_ascii=False) + "\n" for t, label in ordered),
               encoding="utf-8")
print(f"{len(ordered)} examples → {OUT}")
