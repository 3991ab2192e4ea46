"""The stamp as a reader and other tools see it: the QR decoded by zbar from a 150 dpi render on
plain, cropped and rotated pages; placeholders filled and gone from the text; the letterhead
band untouched; text upright on a rotated page; every font embedded (pdffonts); a PDF/A file
keeps its metadata (Ghostscript-made PDF/A-2b)."""

from __future__ import annotations

import io
import re
import shutil
import subprocess

import pytest
from pypdf import PdfReader, PdfWriter, Transformation
from pypdf.generic import NameObject, NumberObject, RectangleObject
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas

from spbe.esign import stamp

pytestmark = pytest.mark.db_independent  # no database: the PostgreSQL leg of CI skips it

URL = "https://spbe.baliprov.go.id/tte/v/Qm9ndXMtdG9rZW4tdWppMTIz/"
DATA = stamp.StampData(number="000.1.2/17/DISKOMINFOS/2026", date="1 Desember 2026", verify_url=URL,
                       signers=["I Made Contoh — Kepala Dinas"])


def _letter(lines: list[tuple[float, float, str]]) -> bytes:
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4)
    pdf.setFont("Helvetica", 11)
    for x, y, text in lines:
        pdf.drawString(x, y, text)
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


ANCHORED = _letter([(72, 700, "Nomor    : ${nomor}"), (72, 684, "Lampiran : -"), (380, 300, "Denpasar, ${tanggal}"),
                    (380, 200, "${ttd}"), (72, 200, "${qr}")])
PLAIN = _letter([(72, 650, "Dengan hormat, kami mengundang Bapak/Ibu untuk hadir.")])


def _reshaped(pdf: bytes, *, crop=None, rotate: int = 0) -> bytes:
    """The same letter on a page with a CropBox offset or turned to landscape the way scanners
    and Word export it (content rotated, /Rotate set so it displays upright)."""
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf)))
    page = writer.pages[0]
    if crop:
        page.mediabox = RectangleObject([0, 0, 595 + 2 * crop, 842 + 2 * crop])
        page.add_transformation(Transformation().translate(crop, crop))
        page.cropbox = RectangleObject([crop, crop, crop + 595, crop + 842])
    if rotate == 90:
        width, height = float(page.mediabox.width), float(page.mediabox.height)
        page.add_transformation(Transformation().rotate(90).translate(height, 0))
        page.mediabox = RectangleObject([0, 0, height, width])
        page.cropbox = RectangleObject([0, 0, height, width])
        page[NameObject("/Rotate")] = NumberObject(90)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _render(tmp_path, pdf: bytes, name: str, dpi: int = 150):
    source = tmp_path / f"{name}.pdf"
    source.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", str(dpi), "-png", "-singlefile", str(source), str(tmp_path / name)], check=True)
    return tmp_path / f"{name}.png"


def _zbar(png) -> list[str]:
    result = subprocess.run(["zbarimg", "--raw", "-q", str(png)], capture_output=True, text=True)
    return [line for line in result.stdout.splitlines() if line]


def _text(pdf: bytes) -> str:
    return subprocess.run(["pdftotext", "-cropbox", "-layout", "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()


def _words(pdf: bytes) -> list[tuple[str, float, float, float, float]]:
    html = subprocess.run(["pdftotext", "-cropbox", "-bbox", "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
    return [(w, float(a), float(b), float(c), float(d)) for a, b, c, d, w in
            re.findall(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>', html)]


@pytest.fixture(autouse=True)
def _tools():
    for tool in ("zbarimg", "pdftoppm", "pdftotext", "pdffonts"):
        if not shutil.which(tool):
            pytest.fail(f"{tool} is missing; `make test` installs zbar-tools and poppler-utils")


@pytest.mark.parametrize("shape", ["plain", "cropped", "rotated"])
def test_the_qr_decodes_with_zbar_on_every_page_shape(tmp_path, shape):
    source = {"plain": PLAIN, "cropped": _reshaped(PLAIN, crop=60), "rotated": _reshaped(PLAIN, rotate=90)}[shape]
    result = stamp.stamp(source, DATA)
    assert _zbar(_render(tmp_path, result.pdf, shape)) == [URL]
    # The footer and the page number are on the visible page, reading upright.
    footer = [w for w in _words(result.pdf) if w[0] == "ditandatangani"]
    assert footer, _text(result.pdf)
    _word, x1, y1, x2, y2 = footer[0]
    page = PdfReader(io.BytesIO(result.pdf)).pages[0]
    visible_w, visible_h = (float(page.cropbox.height), float(page.cropbox.width)) if shape == "rotated" else \
        (float(page.cropbox.width), float(page.cropbox.height))
    assert x2 - x1 > y2 - y1 and 0 <= x1 and x2 <= visible_w and y2 <= visible_h
    assert y1 > visible_h - 20 * mm  # near the bottom edge (pdftotext measures from the top)


def test_placeholders_are_filled_in_place_and_gone_from_the_text(tmp_path):
    result = stamp.stamp(ANCHORED, DATA)
    text = _text(result.pdf)
    assert "${" not in text and DATA.number in text and DATA.date in text
    words = _words(result.pdf)
    label = next(w for w in words if w[0] == "Nomor")
    number = next(w for w in words if w[0] == DATA.number)
    assert abs(number[4] - label[4]) < 2 and number[1] > label[3]  # on the "Nomor :" line, after the label
    # The QR stands where ${qr} was, and the signature box where ${ttd} was.
    assert _zbar(_render(tmp_path, result.pdf, "anchored")) == [URL]
    (box,) = result.signature_boxes
    x1, y1, x2, y2 = box.box
    assert abs(x1 - 380) < 3 and y1 < 200 < y2 + 14


def test_the_number_goes_after_a_nomor_line_without_placeholder():
    letter = _letter([(72, 700, "Nomor   :"), (72, 684, "Sifat   : Biasa")])
    words = _words(stamp.stamp(letter, DATA).pdf)
    label = next(w for w in words if w[0] == "Nomor")
    number = next(w for w in words if w[0] == DATA.number)
    assert abs(number[4] - label[4]) < 2


def test_nothing_is_written_on_the_letterhead_band(tmp_path):
    from PIL import Image, ImageChops

    before = Image.open(_render(tmp_path, PLAIN, "before", dpi=72)).convert("L")
    after = Image.open(_render(tmp_path, stamp.stamp(PLAIN, DATA, stamp.Placement(letterhead_mm=45)).pdf, "after", dpi=72)).convert("L")
    band = int(45 * mm)  # 72 dpi: one pixel per point
    assert ImageChops.difference(before.crop((0, 0, before.width, band)), after.crop((0, 0, after.width, band))).getbbox() is None
    assert ImageChops.difference(before, after).getbbox() is not None  # and something was stamped below it


def _fonts(pdf: bytes) -> list[list[str]]:
    out = subprocess.run(["pdffonts", "-"], input=pdf, capture_output=True, check=True).stdout.decode().splitlines()[2:]
    return [line.split() for line in out]


def test_every_font_the_stamp_adds_is_embedded():
    letter = _letter([(72, 650, "Isi surat")])
    fonts = _fonts(stamp.stamp(letter, DATA).pdf)
    added = [row for row in fonts if "Helvetica" not in row[0]]
    assert added and all(row[-5] == "yes" for row in added), fonts


def test_a_pdf_a_letter_stays_pdf_a(tmp_path):
    if not shutil.which("gs"):
        pytest.fail("ghostscript is missing; `make test` installs it")
    pdfa = tmp_path / "made.pdf"
    pdfa.write_bytes(_pdfa(tmp_path))
    original = PdfReader(pdfa)
    assert "/OutputIntents" in original.trailer["/Root"]
    xmp = original.xmp_metadata.stream.get_data()
    assert re.search(rb"pdfaid:part=.2.", xmp)
    stamped = stamp.stamp(pdfa.read_bytes(), DATA).pdf
    reader = PdfReader(io.BytesIO(stamped))
    assert reader.xmp_metadata.stream.get_data() == xmp  # unchanged, so still consistent with the Info
    assert dict(reader.metadata or {}) == dict(original.metadata or {})
    assert "/OutputIntents" in reader.trailer["/Root"]
    assert all(row[-5] == "yes" for row in _fonts(stamped)), _fonts(stamped)


def _pdfa(tmp_path) -> bytes:
    import glob

    source = tmp_path / "in.pdf"
    source.write_bytes(PLAIN)
    pdfa = tmp_path / "pdfa.pdf"
    icc = sorted(glob.glob("/usr/share/ghostscript/*/iccprofiles/default_rgb.icc"))[-1]
    definition = tmp_path / "pdfa_def.ps"  # Ghostscript's PDFA_def.ps, pointed at its sRGB profile
    definition.write_text(f"""%!
/ICCProfile ({icc}) def
[/_objdef {{icc_PDFA}} /type /stream /OBJ pdfmark
[{{icc_PDFA}} <</N 3>> /PUT pdfmark
[{{icc_PDFA}} ICCProfile (r) file /PUT pdfmark
[/_objdef {{OutputIntent_PDFA}} /type /dict /OBJ pdfmark
[{{OutputIntent_PDFA}} << /Type /OutputIntent /S /GTS_PDFA1 /DestOutputProfile {{icc_PDFA}} /OutputConditionIdentifier (sRGB) >> /PUT pdfmark
[{{Catalog}} <</OutputIntents [ {{OutputIntent_PDFA}} ]>> /PUT pdfmark
""")
    subprocess.run(["gs", "-q", "-dPDFA=2", "-dBATCH", "-dNOPAUSE", "-dNOOUTERSAVE", "-sColorConversionStrategy=RGB",
                    "-dPDFACompatibilityPolicy=1", f"--permit-file-read={icc}", "-sDEVICE=pdfwrite",
                    f"-sOutputFile={pdfa}", str(definition), str(source)], check=True, capture_output=True, timeout=120)
    return pdfa.read_bytes()


def _info_and_xmp(pdf: bytes) -> tuple[dict, dict]:
    reader = PdfReader(io.BytesIO(pdf))
    xmp = reader.xmp_metadata.stream.get_data().decode()

    def xmp_value(name):
        match = re.search(rf"<{name}>([^<]*)</{name}>", xmp) or re.search(rf"{name}=['\"]([^'\"]*)['\"]", xmp)
        return match.group(1) if match else None

    info = dict(reader.metadata or {})
    return info, {"Producer": xmp_value("pdf:Producer"), "ModifyDate": xmp_value("xmp:ModifyDate")}


def test_a_signed_pdf_a_letter_keeps_info_and_xmp_in_step(tmp_path, esign):
    from spbe.esign import signers

    nik = esign.pki.state["people"]["sekda"]["nik"]
    stamped = stamp.stamp(_pdfa(tmp_path), DATA).pdf
    signed = signers.get_signer("local", nik=nik).sign(stamped, signers.SignRequest(level="B-LT", nik=nik))
    info, xmp = _info_and_xmp(signed)
    assert info.get("/Producer") == xmp["Producer"], (info, xmp)
    mod = info["/ModDate"]  # D:YYYYMMDDHHmmSS+08'00' and YYYY-MM-DDTHH:mm:SS+08:00 name the same instant
    assert xmp["ModifyDate"] and xmp["ModifyDate"].replace("-", "").replace(":", "").replace("T", "")[:14] == mod[2:16]
    assert all(row[-5] == "yes" for row in _fonts(signed))
