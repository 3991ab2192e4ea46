"""Writes src/spbe/webscan/data/training.jsonl: texts labelled promo / mention, each with the
``source`` (who writes such text) and ``technique`` (how it is written) it stands for, so the
classifier can be evaluated leave-one-source-out and leave-one-technique-out.

* Promotion: how judol spam is really written — slot, togel, sports betting and English casino
  copy, euphemisms ("toto daring", "hiburan digital"), SEO doorway articles, titles and meta
  descriptions, anchor lists, short anchors — in several registers (plain, shouting, emoji,
  leetspeak, split letters, look-alike letters).
* Mention: the ways legitimate pages use the same words — news and campaigns against judol,
  court rulings, glossaries and research quoting promotions, Macau/Singapore casinos in travel
  pages, bank raffles, "gacor" songbirds, "slot pendaftaran", Toto as a name or brand, tajen,
  sports news — plus ordinary prose: 6,000 sentences of real Indonesian news from the nlp-id
  package (kumparan, MIT licence), fetched from the package registry by this script.

Written independently of both evaluation corpora (benchmarks/webscan/). Run
``python tools/make_webscan_training.py && spbe webscan_train`` after editing.
"""

from __future__ import annotations

import json
import random
import re
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

rng = random.Random(20261201)
OUT = Path(__file__).resolve().parents[1] / "src/spbe/webscan/data/training.jsonl"
NEWS_WHEEL = "nlp-id==0.1.23.0"
NEWS_SENTENCES = 6000


def pick(options):
    return rng.choice(options)


def maybe(text: str, p: float = 0.5) -> str:
    return text if rng.random() < p else ""


# --- registers: how the same promotion is typed ------------------------------------------------

LEET = str.maketrans({"a": "4", "e": "3", "i": "1", "o": "0", "s": "5", "t": "7"})
LOOKALIKE = str.maketrans({"a": "а", "e": "е", "o": "о", "p": "р", "c": "с", "x": "х", "s": "ѕ", "i": "і"})


def register(text: str) -> tuple[str, str]:
    roll = rng.random()
    if roll < 0.45:
        return text, "plain"
    if roll < 0.55:
        return text.upper(), "caps"
    if roll < 0.65:
        return " ".join(w.capitalize() for w in text.split()), "title_case"
    if roll < 0.73:
        return " ".join(w.translate(LEET) if rng.random() < 0.4 and len(w) > 3 else w for w in text.split()), "leetspeak"
    if roll < 0.80:
        words = text.split()
        index = rng.randrange(len(words))
        words[index] = pick([" ", ".", "-", "*"]).join(words[index])
        return " ".join(words), "split_letters"
    if roll < 0.87:
        return "".join(c.translate(LOOKALIKE) if rng.random() < 0.3 else c for c in text), "lookalike"
    if roll < 0.94:
        emoji = ["🔥", "💰", "🎰", "⚡", "✅", "👉", "💎", "🏆", "🤑"]
        return " ".join(w + (pick(emoji) if rng.random() < 0.25 else "") for w in text.split()), "emoji"
    return text.replace(" ", "").lower() if len(text) < 40 else text, "joined"


# --- promotion ----------------------------------------------------------------------------------

BRAND_WORDS = ["dewa", "naga", "raja", "hoki", "cuan", "mega", "king", "gold", "bos", "sultan", "zeus", "olx", "wing",
               "koko", "jitu", "sakti", "bima", "garuda", "macan", "kilat", "asia", "lux", "star", "rich", "mpo", "pg",
               "toto", "slot", "bet", "win", "jp", "gacor", "ratu", "panen", "batik", "indo", "nusa"]


def brand() -> str:
    word = pick(BRAND_WORDS) + maybe(pick(BRAND_WORDS), 0.4)
    return word + pick(["88", "77", "99", "303", "168", "777", "4d", "138", "365", "gg", "vip", "win", "", "id", "21", "500"])


GAMES = ["mahjong ways 2", "gates of olympus", "sweet bonanza", "starlight princess", "wild west gold", "aztec gems",
         "spaceman", "lucky neko", "koi gate", "wild bounty showdown", "gates of gatotkaca", "sugar rush", "fortune ox",
         "big bass bonanza", "zeus vs hades", "mahjong wins 3", "treasure wild", "lucky dragon"]
PROVIDERS = ["pragmatic play", "pg soft", "habanero", "microgaming", "joker gaming", "spadegaming", "playstar", "nolimit city",
             "cq9", "jili", "fastspin", "live22"]
PAYMENTS = ["deposit pulsa tanpa potongan", "depo dana 10rb", "deposit ovo 5 ribu", "depo gopay 10k", "via qris",
            "deposit bank bca bri bni mandiri", "depo linkaja", "deposit 25 ribu", "pakai e-wallet", "transfer usdt"]
PROMISES = ["dijamin maxwin", "pasti jp paus", "rtp live 98%", "gacor hari ini", "anti rungkad", "scatter hitam muncul terus",
            "gampang menang", "modal receh jadi jutaan", "jackpot tiap jam", "winrate 97%", "jp beruntun", "maxwin x5000",
            "auto sultan", "kemenangan berapapun dibayar", "wd berapapun dibayar lunas", "tanpa kalah"]
CTAS = ["daftar sekarang", "login di sini", "klik link alternatif", "hubungi admin 24 jam", "klaim bonus new member 100%",
        "akun pro server thailand", "buruan gabung", "main sekarang", "cek link di bio", "chat cs via whatsapp",
        "daftar gratis", "ambil freebet", "isi saldo sekarang", "unduh aplikasinya"]
PERKS = ["bonus new member 100%", "cashback 10% mingguan", "rollingan 1%", "freebet 20rb tanpa deposit", "bonus harian 5%",
         "event scatter berhadiah motor", "bonus referral seumur hidup", "free chip member baru", "turnover rendah"]

PROMO_SLOT = [
    "{b} situs slot gacor terpercaya {pr}, {pay}, {cta}",
    "{cta} di {b}: {game} {pr} dan {perk}",
    "slot online {b} {pay}, {pr}, {cta}",
    "{game} dari {prov} lagi gacor banget hari ini, {pr}. {cta} di {b}",
    "pola {game} jam 20.00 - 23.00 wib: spin manual 10x, turbo 20x, lalu auto 50x. {pr} di {b}",
    "bocoran rtp slot {prov} hari ini: {game} 97,8%, {game2} 96,5%. main di {b} {pr}",
    "link slot gacor {b} {pr} {perk}. {pay}",
    "agen slot resmi {b} bonus new member di depan, {pay}, {cta}",
    "{b} adalah situs slot dengan winrate tertinggi di indonesia, {perk}, {pay}",
    "demo slot {game} gratis tanpa daftar, kalau sudah yakin langsung main uang asli di {b}",
    "akun pro thailand {b} dijamin gacor, {pr}, {cta}",
    "situs slot88 resmi: {b}, provider lengkap {prov}, {prov2}, {pay}",
]
PROMO_TOGEL = [
    "bandar togel online {b} prediksi togel hk sgp sdy hari ini, {pay}, {cta}",
    "situs toto {b} live draw keluaran hk pools tercepat, diskon 4d 66%, {cta}",
    "angka jitu togel macau hari ini: 4d 7294, 3d 294, colok bebas 9. pasang di {b}",
    "toto macau {b} pasaran terlengkap, hadiah 4d 10 juta, {pay}",
    "data pengeluaran sgp 2026 lengkap di {b}, paito warna dan shio hari ini, {cta}",
    "prediksi togel jitu malam ini: bbfs 5 digit, as kop kepala ekor. daftar {b}, {perk}",
    "{b} agen togel resmi hadiah terbesar, bet 100 perak, {pay}",
]
PROMO_BOLA = [
    "judi bola {b} odds terbaik, mix parlay minimal 2 tim, {pay}, {cta}",
    "agen sbobet resmi {b}: taruhan bola liga inggris, handicap dan over under, {perk}",
    "prediksi skor malam ini plus pasaran hdp di {b}, {cta}",
    "link alternatif {b} untuk taruhan bola piala dunia, cashback kekalahan 5%, {pay}",
    "sabung ayam online s128 dan tembak ikan di {b}, {perk}, {cta}",
]
PROMO_CASINO_EN = [
    "best online casino in indonesia: {b}. claim your welcome bonus and free spins, instant withdrawal",
    "play {game} for real money at {b}, high rtp slots, no deposit bonus, {cta_en}",
    "{b} live casino: baccarat, roulette, blackjack and sic bo with live dealers 24/7. deposit via e-wallet",
    "top rated crypto casino {b} - 200% deposit bonus + 100 free spins. withdraw instantly",
    "online slots with the highest payout: {game}, {game2}. sign up at {b} and win real money today",
    "sportsbook and casino {b}: best odds, fast payouts, bet now on football and esports",
    "looking for a trusted gambling site? {b} offers slots, poker and live casino with a 100% welcome bonus",
    "free spins no deposit 2026 - exclusive casino bonus codes for {b}, {cta_en}",
]
CTAS_EN = ["join now", "sign up today", "claim your bonus", "play now", "register in 1 minute", "bet now"]
PROMO_EUPHEMISM = [
    "hiburan digital paling seru {b}, peluang jp tiap hari, {pay}",
    "toto daring terpercaya {b}: main santai, cuan harian, {cta}",
    "permainan digital berhadiah di {b}, modal kecil peluang besar, {perk}",
    "situs hiburan online {b} dengan peluang menang tertinggi, {pay}, {cta}",
    "cari cuan tambahan? coba keberuntunganmu di {b}, jam hoki malam ini, {pr}",
    "room gacor {b} lagi panas, info jam hoki dan pola terbaru, {cta}",
    "game online penghasil uang {b}: putar roda keberuntungan dan tarik saldo kapan saja, {pay}",
]
PROMO_DOORWAY = [
    "{b}: situs slot gacor hari ini dan link slot online terpercaya 2026. {b} merupakan situs judi slot online "
    "gampang menang yang menyediakan {game}, {game2} dan ratusan permainan dari {prov}. dengan {perk}, member baru "
    "bisa langsung merasakan {pr}. proses {pay} hanya 1 menit dan withdraw diproses kilat.",
    "panduan lengkap memilih situs slot gacor: pertama pastikan rtp live di atas 96%, kedua pilih provider {prov}, "
    "ketiga manfaatkan {perk}. semua itu tersedia di {b}, {pr}. {cta} sekarang juga.",
    "daftar situs slot gacor terpercaya dan terbaru: 1. {b} 2. {b2} 3. {b3}. semua situs di atas sudah terbukti "
    "{pr} dan menerima {pay}.",
    "kenapa harus main di {b}? karena {b} adalah bandar slot online resmi dengan lisensi pagcor, {perk}, "
    "dan layanan cs 24 jam. {game} di {b} terkenal {pr}.",
    "slot gacor maxwin hari ini: {game} sedang memberikan jackpot terbesar. jangan lewatkan kesempatan, {cta} di {b} "
    "dan nikmati {perk}.",
]
PROMO_TITLE = [
    "{b} ⚡ link situs slot gacor maxwin hari ini 2026",
    "{b}: daftar situs slot online terpercaya gampang menang",
    "{b} | situs toto togel online 4d resmi",
    "{b} - agen judi bola & slot deposit pulsa",
    "slot gacor {b} hari ini resmi rtp tertinggi",
    "{b} > login alternatif anti blokir",
    "{b} official: casino online, slot & live games",
    "situs {b} link gacor terbaru {pr}",
]
PROMO_ANCHOR = [
    "slot gacor", "situs slot", "slot88", "link slot gacor", "situs toto", "togel online", "{b}", "daftar {b}",
    "slot maxwin", "rtp live", "bandar togel", "judi bola", "situs gacor", "slot dana", "slot pulsa", "toto macau",
    "login {b}", "{b} login", "link {b}", "agen slot", "casino online", "bocoran slot", "slot thailand", "mahjong ways",
]


def fill(frame: str) -> str:
    return frame.format(b=brand(), b2=brand(), b3=brand(), game=pick(GAMES), game2=pick(GAMES), prov=pick(PROVIDERS),
                        prov2=pick(PROVIDERS), pay=pick(PAYMENTS), pr=pick(PROMISES), cta=pick(CTAS), perk=pick(PERKS),
                        cta_en=pick(CTAS_EN))


def promo_examples() -> list[dict]:
    rows = []
    for source, frames, count in (("promo_slot", PROMO_SLOT, 900), ("promo_togel", PROMO_TOGEL, 500),
                                  ("promo_bola", PROMO_BOLA, 350), ("promo_casino_en", PROMO_CASINO_EN, 500),
                                  ("promo_euphemism", PROMO_EUPHEMISM, 450), ("promo_doorway", PROMO_DOORWAY, 400),
                                  ("promo_title", PROMO_TITLE, 400)):
        for _ in range(count):
            text, technique = register(fill(pick(frames)))
            rows.append({"text": text, "label": "promo", "source": source, "technique": technique})
    for _ in range(600):  # anchor lists: the words of a hidden link block
        anchors = [fill(pick(PROMO_ANCHOR)) for _ in range(rng.randint(1, 8))]
        text, technique = register(pick([" ", " | ", " · ", ", ", " - "]).join(anchors))
        rows.append({"text": text, "label": "promo", "source": "promo_anchors", "technique": technique})
    return rows


# --- mentions -----------------------------------------------------------------------------------

ORGS = ["Diskominfos Provinsi Bali", "Pemprov Bali", "Komdigi", "Kementerian Komunikasi dan Digital", "BSSN",
        "Polda Bali", "Bareskrim Polri", "Satgas Pemberantasan Perjudian Daring", "Dinas Sosial", "OJK", "PPATK",
        "Kemenag", "Bupati Badung", "Gubernur Bali", "Inspektorat Daerah", "Disdikpora", "MUI Bali", "Kejaksaan Negeri Denpasar",
        "Pengadilan Negeri Denpasar", "DPRD Bali", "Universitas Udayana", "Polresta Denpasar", "Bank Indonesia"]
ACTS = ["memblokir", "menindak tegas", "mengimbau masyarakat menjauhi", "menggelar sosialisasi bahaya", "menangkap pelaku",
        "menurunkan konten", "mengusut jaringan", "memberantas", "mewaspadai maraknya", "melarang ASN terlibat dalam",
        "membekukan rekening terkait", "menyelidiki aliran dana", "menutup ribuan"]
TOPICS = ["judi online", "judol", "situs slot", "iklan judi online", "promosi togel", "praktik perjudian daring",
          "konten slot gacor", "situs judi yang menyusup ke laman pemerintah", "aplikasi judi", "rekening penampung judi",
          "tautan judi tersembunyi", "situs togel ilegal", "bandar judi online"]
EFFECTS = ["merusak ekonomi keluarga", "menjerat remaja dengan utang pinjol", "melanggar UU ITE pasal 27 ayat 2",
           "diancam pidana penjara paling lama sepuluh tahun", "memicu kekerasan dalam rumah tangga",
           "membuat korban kehilangan tabungan", "berdampak buruk pada kesehatan mental", "merugikan negara triliunan rupiah",
           "menyebabkan kecanduan", "melanggar pasal 303 KUHP"]
MENTION_NEWS = [
    "{org} {act} {topic} yang {eff}.",
    "{org} {act} {topic}. Warga diminta melapor melalui aduankonten.id bila menemukan situs serupa.",
    "Sebanyak 1.200 {topic} telah ditutup {org} karena {eff}.",
    "Waspada {topic}! Istilah seperti slot gacor, maxwin dan rtp live hanyalah jebakan yang {eff}.",
    "{org} mengingatkan pelajar agar tidak tergiur {topic} yang menjanjikan bonus new member, karena {eff}.",
    "Satgas menemukan {topic} dengan kata kunci deposit pulsa dan bocoran pola; {org} {act} jaringan tersebut.",
    "Pelaku judi online ditangkap {org} di Denpasar dengan barang bukti akun situs togel dan rekening penampung.",
    "Webinar literasi digital: mengenali modus {topic} dan cara melaporkannya kepada {org}.",
    "Pemerintah daerah membersihkan laman resmi dari {topic}; {org} {act} penyisipan tautan tersembunyi.",
    "Surat edaran {org} tentang larangan {topic} bagi aparatur sipil negara.",
    "Data PPATK menunjukkan perputaran dana {topic} mencapai ratusan triliun rupiah, sebagian besar dari deposit kecil.",
    "Stop judi online! Jangan percaya janji maxwin atau jackpot, judi hanya membuat bandar kaya dan pemain bangkrut.",
    "{org} bersama tokoh agama mengajak warga menolak {topic} karena {eff}.",
    "Kampanye #StopJudol digelar di sekolah-sekolah; siswa diajak mengenali iklan slot gacor di media sosial.",
    "Korban {topic} di Bali meningkat; psikolog menyebut pola bonus dan kemenangan kecil dirancang untuk membuat kecanduan.",
]
MENTION_COURT = [
    "Menimbang bahwa terdakwa terbukti secara sah dan meyakinkan bersalah melakukan tindak pidana perjudian sebagaimana "
    "diatur dalam pasal 303 ayat (1) KUHP, yaitu menjadi pengepul togel jenis {pasaran}.",
    "Terdakwa menerima pasangan angka togel dari para pemasang dan meneruskannya kepada bandar melalui aplikasi pesan.",
    "Barang bukti berupa satu unit telepon genggam berisi rekapan togel dan uang tunai sebesar Rp1.250.000 dirampas untuk negara.",
    "Putusan Pengadilan Negeri Denpasar Nomor {no}/Pid.B/2026/PN Dps dalam perkara judi online jenis slot.",
    "Terdakwa mempromosikan situs judi online melalui akun media sosial dan menerima komisi dari bandar, melanggar pasal 45 ayat (3) UU ITE.",
    "Majelis hakim menjatuhkan pidana penjara selama 1 tahun 6 bulan kepada terdakwa karena turut serta dalam permainan judi {pasaran}.",
]
PASARAN = ["toto macau", "togel singapura", "togel hongkong", "slot online", "kupon putih", "dadu kopyok"]
MENTION_GLOSSARY = [
    "Glosarium istilah judol: 'gacor' berarti sering memberi kemenangan, 'maxwin' kemenangan maksimal, 'rtp' return to "
    "player, 'depo' deposit. Mengenali istilah ini membantu orang tua melindungi anak.",
    "Dalam penelitian ini kami menganalisis 500 iklan judi daring seperti 'slot gacor hari ini dijamin maxwin' dan "
    "'bonus new member 100%' untuk memahami strategi persuasi yang digunakan.",
    "Kutipan iklan yang ditemukan pada laman yang diretas antara lain 'situs toto terpercaya' dan 'link alternatif "
    "anti blokir'; laman tersebut kini telah dipulihkan oleh tim CSIRT.",
    "Modul literasi digital kelas 9: ciri-ciri promosi judi online adalah janji kemenangan mudah, bonus deposit, dan "
    "tautan yang sering berganti. Laporkan ke aduankonten.id.",
    "Tabel 3 memuat kata kunci yang paling sering disisipkan peretas: slot gacor, slot88, togel, rtp live, dan maxwin.",
    "Daftar domain yang diblokir pekan ini mencakup situs judi slot dan togel; masyarakat diminta tidak mengunjunginya.",
]
MENTION_TOURISM = [
    "Macau dikenal dengan kasino besar seperti Venetian dan Galaxy, tetapi juga menyimpan warisan Portugis di Senado Square.",
    "Paket tur Singapura termasuk kunjungan ke Marina Bay Sands, Gardens by the Bay dan kawasan kasino di Sentosa.",
    "Wisatawan dapat menonton pertunjukan air mancur di depan kasino Bellagio saat berlibur ke Las Vegas.",
    "Genting Highlands di Malaysia menawarkan taman hiburan, udara sejuk, dan resor dengan kasino.",
    "Monte Carlo terkenal dengan sirkuit Formula 1 dan Casino de Monte-Carlo yang bersejarah.",
    "Our Macau itinerary covers the Ruins of St. Paul's, egg tarts in Coloane and the casino resorts of the Cotai Strip.",
]
MENTION_RAFFLE = [
    "Undian berhadiah tabungan {bank}: nasabah berkesempatan memenangkan mobil dan sepeda motor, diundi di hadapan notaris.",
    "Program poin reward {bank} memberi hadiah langsung bagi nasabah yang aktif bertransaksi, bukan undian berbayar.",
    "Pemenang grand prize undian {bank} periode ini berasal dari Kabupaten Gianyar dan menerima hadiah mobil listrik.",
    "Jackpot hadiah utama lomba jalan sehat HUT Provinsi berupa sepeda motor diberikan kepada peserta dari Tabanan.",
]
BANKS = ["BPD Bali", "Bank BPD Bali", "BRI", "BNI", "Mandiri", "BCA", "Bank Sinarmas"]
MENTION_BIRD = [
    "Lomba burung kicau tingkat provinsi: murai batu milik peserta dari Buleleng tampil gacor dan meraih juara satu.",
    "Tips merawat kenari agar gacor: jemur pagi hari, beri pakan voer berkualitas dan jaga kebersihan sangkar.",
    "Burung cucak ijo yang gacor biasanya rajin mandi dan mendapat extra fooding jangkrik secukupnya.",
]
MENTION_SLOT = [
    "Slot pendaftaran beasiswa Bali Mandara masih tersedia 120 kuota; pendaftaran ditutup akhir bulan.",
    "Pilih slot waktu wawancara yang tersedia pada sistem, pukul 09.00 hingga 12.00 WITA.",
    "Slot penerbangan tambahan di Bandara Ngurah Rai disetujui untuk musim liburan.",
    "Bonus demografi menjadi peluang pembangunan Bali hingga tahun 2045.",
    "Kartu memori dimasukkan ke slot yang tersedia pada sisi kiri perangkat.",
    "Jadwal vaksinasi dan slot antrean puskesmas dapat dilihat melalui aplikasi.",
]
MENTION_TOTO = [
    "Toto Sugiarto terpilih sebagai ketua panitia lomba kebersihan desa adat.",
    "Renovasi toilet umum menggunakan kloset merek TOTO yang hemat air.",
    "Pak Toto, kepala dusun, menyampaikan laporan kegiatan gotong royong.",
]
MENTION_TAJEN = [
    "Tabuh rah dalam upacara yadnya berbeda dengan tajen yang dijadikan ajang taruhan; aparat menertibkan tajen ilegal.",
    "Polres Bangli membubarkan tajen yang disertai perjudian dan mengamankan sejumlah uang taruhan.",
    "Tradisi tabuh rah memiliki makna ritual, sedangkan perjudian sabung ayam tetap dilarang hukum.",
]
MENTION_SPORT = [
    "Bali United menang 2-1 atas Persija; dua gol dicetak pada babak kedua di Stadion Kapten I Wayan Dipta.",
    "Timnas Indonesia menjamu Vietnam dalam laga kualifikasi; tiket dijual secara daring.",
    "Atlet bola voli Bali meraih medali emas PON setelah mengalahkan Jawa Timur.",
    "Kompetisi esports pelajar tingkat provinsi mempertandingkan Mobile Legends dan PUBG Mobile.",
]

# English prose about gambling that promotes nothing: regulation, harm, help, reporting, research.
MENTION_EN = [
    "Online gambling is illegal in Indonesia; the ministry blocked {n} betting and casino sites this month.",
    "Casino ads promising free spins and a welcome bonus target teenagers, counsellors warn parents.",
    "If online slots are costing you money, call the gambling helpline; support is free and confidential.",
    "Researchers surveyed {n} students and found that exposure to betting ads predicted gambling problems.",
    "Police arrested four men who ran an online casino and laundered deposits through e-wallets.",
    "Banks can block transactions to gambling sites; ask yours about self-exclusion tools.",
    "The study examines how sports betting sponsorship normalises gambling among young football fans.",
    "Visitors to Bali should know that casinos and all forms of betting are banned under Indonesian law.",
    "Report websites that advertise online casinos or lottery betting to the national content complaint service.",
    "Problem gambling harms families: debts, lost savings and stress; recovery starts with talking to someone.",
    "The regulator fined the operator for offering bonuses to self-excluded players.",
    "Hackers injected hidden casino links into government websites; administrators removed them and changed passwords.",
    "Slot machines are designed so that near misses keep players spinning, psychologists explain.",
    "The court sentenced the lottery syndicate leader to four years in prison for illegal gambling.",
    "Macau's economy depends on casino tourism, while Indonesia bans gambling entirely.",
]


def mention_examples() -> list[dict]:
    rows = []
    for source, frames, count in (("anti_judol_news", MENTION_NEWS, 900), ("court_ruling", MENTION_COURT, 300),
                                  ("glossary_research", MENTION_GLOSSARY, 300), ("tourism", MENTION_TOURISM, 200),
                                  ("raffle", MENTION_RAFFLE, 150), ("songbird", MENTION_BIRD, 100),
                                  ("slot_ordinary", MENTION_SLOT, 150), ("toto_name", MENTION_TOTO, 80),
                                  ("tajen", MENTION_TAJEN, 100), ("sport", MENTION_SPORT, 100),
                                  ("english_mention", MENTION_EN, 300)):
        for _ in range(count):
            parts = [pick(frames) for _ in range(rng.choice([1, 1, 2]))]
            text = " ".join(p.format(org=pick(ORGS), act=pick(ACTS), topic=pick(TOPICS), eff=pick(EFFECTS),
                                     pasaran=pick(PASARAN), no=rng.randint(100, 999), bank=pick(BANKS),
                                     n=f"{rng.randint(2, 90) * 100:,}") for p in parts)
            technique = "plain"
            if rng.random() < 0.15:
                text, technique = text.upper(), "caps"
            rows.append({"text": text, "label": "mention", "source": source, "technique": technique})
    return rows


def _news_sentences() -> list[str]:
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "-q", NEWS_WHEEL, "-d", tmp], check=True)
        wheel = next(Path(tmp).glob("nlp_id-*.whl"))
        with zipfile.ZipFile(wheel) as archive:
            raw = archive.read("nlp_id/data/dataset_postag.txt").decode("utf-8")
    sentences, current = [], []
    for line in raw.splitlines():
        if not line.strip():
            if current:
                text = " ".join(current)
                text = re.sub(r" ([.,;:!?%)”\"])", r"\1", text)
                text = re.sub(r"([(“]) ", r"\1", text)
                sentences.append(text)
                current = []
            continue
        current.append(line.split("\t")[0])
    return [s for s in sentences if 30 <= len(s) <= 400]


def news_examples() -> list[dict]:
    sentences = _news_sentences()
    rng.shuffle(sentences)
    rows = []
    for index in range(0, min(len(sentences), NEWS_SENTENCES * 2), 2):
        text = sentences[index] if rng.random() < 0.6 else f"{sentences[index]} {sentences[index + 1]}"
        rows.append({"text": text, "label": "mention", "source": "news_kumparan", "technique": "plain"})
    return rows[:NEWS_SENTENCES]


def main() -> None:
    rows = promo_examples() + mention_examples() + news_examples()
    seen, unique = set(), []
    for row in rows:
        if row["text"] not in seen:
            seen.add(row["text"])
            unique.append(row)
    rng.shuffle(unique)
    OUT.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in unique), encoding="utf-8")
    counts: dict[str, int] = {}
    for row in unique:
        counts[row["label"]] = counts.get(row["label"], 0) + 1
    print(f"{len(unique)} examples {counts} -> {OUT}")


if __name__ == "__main__":
    main()
