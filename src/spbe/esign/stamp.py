"""Stamp the letter number, date, verification QR and TTE footer onto a draft, and decide where
each signer's visible signature goes.

This happens once, before the first signature: everything the reader sees must be inside the
signed bytes. Placement follows the visible page (CropBox and /Rotate honoured) and the
document type (``Placement``): placeholders in the letter (``${nomor}``, ``${tanggal}``,
``${ttd}``/``${ttd_1}``…, ``${qr}``) or the "Nomor :" line are used where they exist; otherwise
fixed positions below the letterhead band, which is never written on. Fonts are the embedded
ones of ``core.fonts``. A PDF/A input stays PDF/A: its Info and XMP metadata are left as they
were (changing one without the other breaks conformance) and every font we add is embedded.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field

from pypdf import PdfReader, PdfWriter
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas

from spbe.core import fonts
from spbe.core.pdfdraw import draw_qr

FOOTER = ("Dokumen ini telah ditandatangani secara elektronik menggunakan sertifikat elektronik "
          "yang diterbitkan oleh BSrE-BSSN.")
QR_SIZE = 26 * mm  # comfortably above the ~2 cm that still decodes at 150 dpi
SIGNATURE_BOX = (62 * mm, 20 * mm)  # width, height of one signer's visible signature
TEXT_SIZE = 9


@dataclass(frozen=True)
class Placement:
    """Per document type: where number, date, QR and signatures go."""

    letterhead_mm: float = 45.0
    number_anchor: str = r"Nomor\s*:"
    date_anchor: str = r"Tanggal\s*:"


@dataclass(frozen=True)
class StampData:
    number: str
    date: str
    verify_url: str
    signers: list[str] = field(default_factory=list)  # "Name — Title", in signing order
    footer: str = FOOTER


@dataclass(frozen=True)
class SignatureBox:
    page: int  # 0-based
    box: tuple[float, float, float, float]  # x1, y1, x2, y2 in the page's user space
    rotate: int  # the page's /Rotate, so the appearance can be drawn upright

    def as_dict(self) -> dict:
        return {"page": self.page, "box": list(self.box), "rotate": self.rotate}

    @classmethod
    def from_dict(cls, data: dict) -> SignatureBox:
        return cls(int(data["page"]), tuple(float(v) for v in data["box"]), int(data.get("rotate", 0)))


@dataclass
class StampResult:
    pdf: bytes
    signature_boxes: list[SignatureBox]


class Frame:
    """The visible page: CropBox and /Rotate. ``to_user`` maps a point measured on the page as
    a reader sees it (origin bottom-left) to the page's user space; ``angle`` is the rotation
    to apply there so text reads upright."""

    def __init__(self, page):
        box = page.cropbox
        self.x0, self.y0 = float(box.left), float(box.bottom)
        self.w, self.h = float(box.width), float(box.height)
        self.rotate = int(page.get("/Rotate", 0) or 0) % 360
        self.media = (float(page.mediabox.width), float(page.mediabox.height))

    @property
    def width(self) -> float:
        return self.h if self.rotate in (90, 270) else self.w

    @property
    def height(self) -> float:
        return self.w if self.rotate in (90, 270) else self.h

    @property
    def angle(self) -> int:
        return self.rotate

    def to_user(self, vx: float, vy: float) -> tuple[float, float]:
        if self.rotate == 90:
            ux, uy = self.w - vy, vx
        elif self.rotate == 180:
            ux, uy = self.w - vx, self.h - vy
        elif self.rotate == 270:
            ux, uy = vy, self.h - vx
        else:
            ux, uy = vx, vy
        return self.x0 + ux, self.y0 + uy

    def user_box(self, vx: float, vy: float, width: float, height: float) -> tuple[float, float, float, float]:
        corners = [self.to_user(vx, vy), self.to_user(vx + width, vy + height)]
        xs, ys = [c[0] for c in corners], [c[1] for c in corners]
        return min(xs), min(ys), max(xs), max(ys)

    def from_user(self, ux: float, uy: float) -> tuple[float, float]:
        ux, uy = ux - self.x0, uy - self.y0
        if self.rotate == 90:
            return uy, self.w - ux
        if self.rotate == 180:
            return self.w - ux, self.h - uy
        if self.rotate == 270:
            return self.h - uy, ux
        return ux, uy


class Pen:
    """Draws on an overlay in the visible page's orientation."""

    def __init__(self, pdf: canvas.Canvas, frame: Frame):
        self.pdf, self.frame = pdf, frame

    def text(self, vx: float, vy: float, text: str, size: float = TEXT_SIZE, *, anchor: str = "left", grey: bool = False):
        ux, uy = self.frame.to_user(vx, vy)
        self.pdf.saveState()
        self.pdf.translate(ux, uy)
        self.pdf.rotate(self.frame.angle)
        self.pdf.setFillColorRGB(*((0.25, 0.25, 0.25) if grey else (0, 0, 0)))
        fonts.draw_string(self.pdf, 0, 0, text, size, anchor=anchor)
        self.pdf.restoreState()

    def qr(self, vx: float, vy: float, url: str, size: float = QR_SIZE):
        ux, uy = self.frame.to_user(vx, vy)
        self.pdf.saveState()
        self.pdf.translate(ux, uy)
        self.pdf.rotate(self.frame.angle)
        draw_qr(self.pdf, url, 0, 0, size)
        self.pdf.restoreState()

    def white_out(self, ux: float, uy: float, width: float, height: float, angle: float | None = None):
        """Cover a placeholder starting at user-space (ux, uy), along the text's direction."""
        self.pdf.saveState()
        self.pdf.setFillColorRGB(1, 1, 1)
        self.pdf.translate(ux, uy)
        self.pdf.rotate(self.frame.angle if angle is None else angle)
        self.pdf.rect(0, -0.25 * height, width, height * 1.2, stroke=0, fill=1)
        self.pdf.restoreState()

    def text_along(self, hit: TextHit, offset: float, text: str):
        """Write ``text`` on the line of ``hit``, ``offset`` points after where it starts, in its
        direction (a letter's own lines, whatever the page rotation)."""
        import math

        ux = hit.x + offset * math.cos(math.radians(hit.angle))
        uy = hit.y + offset * math.sin(math.radians(hit.angle))
        self.pdf.saveState()
        self.pdf.translate(ux, uy)
        self.pdf.rotate(hit.angle)
        self.pdf.setFillColorRGB(0, 0, 0)
        fonts.draw_string(self.pdf, 0, 0, text, hit.size)
        self.pdf.restoreState()

    def white_out_along(self, hit: TextHit, offset: float, width: float):
        import math

        self.white_out(hit.x + offset * math.cos(math.radians(hit.angle)), hit.y + offset * math.sin(math.radians(hit.angle)),
                       width, hit.size, hit.angle)


@dataclass
class TextHit:
    text: str
    x: float  # user space
    y: float
    size: float
    angle: float = 0.0  # direction of the text in user space, degrees


PLACEHOLDER = re.compile(rb"\$\{(?:nomor|tanggal|qr|ttd(?:_\d+)?)\}")


def erase_placeholders(page) -> None:
    """Blank the ``${…}`` placeholders in the page's own text (as spaces, so nothing moves):
    white-out alone would hide them on screen but leave them for copy-paste, search and screen
    readers. Text shown with a two-byte font cannot be matched this way and stays covered only."""
    from pypdf.generic import ArrayObject, ByteStringObject, TextStringObject

    try:
        stream = page.get_contents()
        operations = stream.operations if stream is not None else []
    except Exception:  # noqa: BLE001 - unreadable content: white-out only
        return
    changed = False

    def blank(operand):
        nonlocal changed
        raw = operand.original_bytes if isinstance(operand, TextStringObject) else bytes(operand)
        if not PLACEHOLDER.search(raw):
            return operand
        changed = True
        return ByteStringObject(PLACEHOLDER.sub(lambda m: b" " * len(m.group(0)), raw))

    for index, (operands, operator) in enumerate(operations):
        if operator in (b"Tj", b"'") and operands:
            operands[-1] = blank(operands[-1])
        elif operator == b'"' and len(operands) == 3:
            operands[2] = blank(operands[2])
        elif operator == b"TJ" and operands and isinstance(operands[0], ArrayObject):
            operands[0] = ArrayObject(blank(item) if isinstance(item, (TextStringObject, ByteStringObject)) else item
                                      for item in operands[0])
        stream.operations[index] = (operands, operator)
    if changed:
        stream.operations = operations
        page.replace_contents(stream)


def text_hits(page) -> list[TextHit]:
    """Every text chunk on a page with where it starts (pypdf's text visitor)."""
    hits: list[TextHit] = []

    def visit(text, cm, tm, font_dict, font_size):
        if not text.strip():
            return
        x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
        y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
        import math

        a = tm[0] * cm[0] + tm[1] * cm[2]
        b = tm[0] * cm[1] + tm[1] * cm[3]
        scale = math.hypot(a, b) or 1
        hits.append(TextHit(text, x, y, (font_size or TEXT_SIZE) * scale, math.degrees(math.atan2(b, a))))

    try:
        page.extract_text(visitor_text=visit)
    except Exception:  # noqa: BLE001 - unusual content streams: fall back to fixed positions
        return []
    return hits


def find(hits: list[TextHit], pattern: str) -> tuple[TextHit, re.Match] | None:
    regex = re.compile(pattern)
    for hit in hits:
        match = regex.search(hit.text)
        if match:
            return hit, match
    return None


def _offset(hit: TextHit, upto: str) -> float:
    return fonts.string_width(upto, hit.size)


def _overlay(frame: Frame, draw) -> bytes:
    buffer = io.BytesIO()
    fonts.register()
    # initialFontName: otherwise ReportLab lists a non-embedded Helvetica, which breaks PDF/A.
    pdf = canvas.Canvas(buffer, pagesize=frame.media, invariant=1, initialFontName=fonts.BODY)
    draw(Pen(pdf, frame))
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def _place_value(pen: Pen, hits: list[TextHit], placeholder: str, anchor: str | None, value: str) -> bool:
    """Write ``value`` over ``${placeholder}`` or right after ``anchor`` (e.g. "Nomor :")."""
    found = find(hits, re.escape("${" + placeholder + "}"))
    if found:
        hit, match = found
        start = _offset(hit, hit.text[: match.start()])
        pen.white_out_along(hit, start, _offset(hit, match.group(0)) + 2)
        pen.text_along(hit, start, value)
        return True
    if anchor:
        found = find(hits, anchor)
        if found:
            hit, match = found
            pen.text_along(hit, _offset(hit, hit.text[: match.end()]) + 3, value)
            return True
    return False


def _signature_boxes(frame: Frame, page_index: int, hits: list[TextHit], count: int, pen: Pen | None) -> list[SignatureBox]:
    width, height = SIGNATURE_BOX
    boxes = []
    numbered = [find(hits, re.escape("${ttd_%d}" % (n + 1))) for n in range(count)]
    single = find(hits, re.escape("${ttd}"))
    for n in range(count):
        if numbered[n]:
            hit, match = numbered[n]
            vx, vy = frame.from_user(hit.x, hit.y)
            vx += _offset(hit, hit.text[: match.start()])
            if pen:
                pen.white_out_along(hit, _offset(hit, hit.text[: match.start()]), _offset(hit, match.group(0)) + 2)
            top = vy + hit.size
        elif single:
            hit, match = single
            vx, vy = frame.from_user(hit.x, hit.y)
            vx += _offset(hit, hit.text[: match.start()])
            if n == 0 and pen:
                pen.white_out_along(hit, _offset(hit, hit.text[: match.start()]), _offset(hit, match.group(0)) + 2)
            top = vy + hit.size - n * (height + 2 * mm)
        else:
            # Above the QR band at the bottom right, stacked upward in signing order.
            vx = frame.width - 15 * mm - QR_SIZE - 4 * mm - width
            top = 14 * mm + QR_SIZE + (count - n) * (height + 2 * mm)
        boxes.append(SignatureBox(page_index, frame.user_box(vx, top - height, width, height), frame.rotate))
    return boxes


def stamp(pdf_bytes: bytes, data: StampData, placement: Placement | None = None) -> StampResult:
    placement = placement or Placement()
    reader = PdfReader(io.BytesIO(pdf_bytes), strict=False)
    writer = PdfWriter(clone_from=reader)
    pages = len(writer.pages)
    boxes: list[SignatureBox] = []
    for index, page in enumerate(writer.pages):
        frame = Frame(page)
        hits = text_hits(page) if index in (0, pages - 1) else []

        def draw(pen: Pen, index=index, frame=frame, hits=hits):
            pen.text(15 * mm, 8 * mm, data.footer, 6.5, grey=True)
            pen.text(frame.width - 15 * mm, 8 * mm, f"{index + 1}/{pages}", 6.5, anchor="right", grey=True)
            if index == 0:
                top = frame.height - placement.letterhead_mm * mm - 5 * mm
                if not _place_value(pen, hits, "nomor", placement.number_anchor, data.number):
                    pen.text(frame.width - 15 * mm, top, f"Nomor: {data.number}", TEXT_SIZE, anchor="right")
                if not _place_value(pen, hits, "tanggal", placement.date_anchor, data.date):
                    pen.text(frame.width - 15 * mm, top - 4.5 * mm, f"Tanggal: {data.date}", TEXT_SIZE, anchor="right")
            if index == pages - 1:
                qr_hit = find(hits, re.escape("${qr}"))
                if qr_hit:
                    vx, vy = frame.from_user(qr_hit[0].x, qr_hit[0].y)
                    pen.white_out_along(qr_hit[0], _offset(qr_hit[0], qr_hit[0].text[: qr_hit[1].start()]),
                                        _offset(qr_hit[0], qr_hit[1].group(0)) + 2)
                    qx, qy = vx, vy - QR_SIZE + qr_hit[0].size
                else:
                    qx, qy = frame.width - 15 * mm - QR_SIZE, 14 * mm
                pen.qr(qx, qy, data.verify_url)
                pen.text(qx + QR_SIZE, qy - 3 * mm, data.verify_url, 6, anchor="right", grey=True)
                boxes.extend(_signature_boxes(frame, index, hits, len(data.signers), pen))

        overlay = PdfReader(io.BytesIO(_overlay(frame, draw))).pages[0]
        if hits:
            erase_placeholders(page)
        page.merge_page(overlay)
    out = io.BytesIO()
    writer.write(out)
    return StampResult(out.getvalue(), boxes)


def plan_boxes(pdf_bytes: bytes, count: int) -> list[SignatureBox]:
    """Where ``count`` signatures go on a document that is not stamped (it arrived signed)."""
    reader = PdfReader(io.BytesIO(pdf_bytes), strict=False)
    index = len(reader.pages) - 1
    page = reader.pages[index]
    return _signature_boxes(Frame(page), index, text_hits(page), count, None)


# --- the visible appearance of one signature --------------------------------------------------

def appearance_pdf(box: SignatureBox, lines: list[str], specimen: bytes | None = None) -> bytes:
    """A one-page PDF the size of the signature box, drawn upright for the page's rotation: the
    signer's name, position and signing time (and a specimen image if given). pyHanko imports it
    as the widget's appearance, so the signature's own fonts are embedded too."""
    x1, y1, x2, y2 = box.box
    width, height = x2 - x1, y2 - y1
    buffer = io.BytesIO()
    fonts.register()
    pdf = canvas.Canvas(buffer, pagesize=(width, height), invariant=1, initialFontName=fonts.BODY)
    pdf.saveState()
    upright_w, upright_h = (height, width) if box.rotate in (90, 270) else (width, height)
    if box.rotate == 90:
        pdf.translate(width, 0)
    elif box.rotate == 180:
        pdf.translate(width, height)
    elif box.rotate == 270:
        pdf.translate(0, height)
    pdf.rotate(box.rotate)
    pdf.setStrokeColorRGB(0.55, 0.55, 0.55)
    pdf.setLineWidth(0.6)
    pdf.rect(0.5, 0.5, upright_w - 1, upright_h - 1, stroke=1, fill=0)
    text_x = 2.5 * mm
    if specimen:
        from reportlab.lib.utils import ImageReader

        image_w = min(upright_h - 4, upright_w * 0.3)
        pdf.drawImage(ImageReader(io.BytesIO(specimen)), 2, 2, width=image_w, height=upright_h - 4,
                      preserveAspectRatio=True, mask="auto")
        text_x = image_w + 4
    size = 6.8
    y = upright_h - 3 * mm
    for number, line in enumerate(lines):
        for part in fonts.wrap(line, size, upright_w - text_x - 2 * mm)[:2]:
            pdf.setFillColorRGB(0, 0, 0)
            fonts.draw_string(pdf, text_x, y, part, size + (0.6 if number == 1 else 0),
                              base=fonts.BOLD if number == 1 else fonts.BODY)
            y -= size + 1.6
    pdf.restoreState()
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def appearance_png(lines: list[str], width_pt: float, height_pt: float, scale: int = 4) -> bytes:
    """The same appearance as an image, for BSrE's visible signatures (it takes a PNG)."""
    from PIL import Image, ImageDraw, ImageFont

    width, height = int(width_pt * scale), int(height_pt * scale)
    image = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(image)
    draw.rectangle([1, 1, width - 2, height - 2], outline=(140, 140, 140), width=2)
    size = int(6.8 * scale)
    body = ImageFont.truetype(str(fonts.path(fonts.BODY)), size)
    bold = ImageFont.truetype(str(fonts.path(fonts.BOLD)), size)
    cjk = ImageFont.truetype(str(fonts.path(fonts.CJK)), size)
    y = int(1.5 * mm * scale)
    for number, line in enumerate(lines):
        x = int(2.5 * mm * scale)
        for font_name, part in fonts.runs(line):
            font = cjk if font_name == fonts.CJK else bold if number == 1 else body
            draw.text((x, y), part, fill="black", font=font)
            x += int(draw.textlength(part, font=font))
        y += int((6.8 + 1.6) * scale)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()
