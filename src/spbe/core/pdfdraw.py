"""Drawing helpers shared by modules that produce PDFs with ReportLab."""

from __future__ import annotations

import segno


def draw_qr(pdf, text: str, x: float, y: float, size: float, *, border: int = 4) -> None:
    """A QR code as vector rectangles (one filled path of horizontal runs), quiet zone included.

    A fixed mask skips segno's mask scoring, a third of the cost; every mask is a valid QR.
    Draw it at least 2 cm wide so it still decodes from a 150 dpi print or scan.
    """
    qr = segno.make(text, error="m", micro=False, mask=0)
    matrix = [list(row) for row in qr.matrix]
    cell = size / (len(matrix) + 2 * border)
    pdf.saveState()
    pdf.setFillColorRGB(1, 1, 1)
    pdf.rect(x, y, size, size, stroke=0, fill=1)
    pdf.setFillColorRGB(0, 0, 0)
    path = pdf.beginPath()
    for r, row in enumerate(matrix):
        top = y + size - (r + border + 1) * cell
        c = 0
        while c < len(row):
            if row[c]:
                start = c
                while c < len(row) and row[c]:
                    c += 1
                path.rect(x + (start + border) * cell, top, (c - start) * cell, cell)
            else:
                c += 1
    pdf.drawPath(path, stroke=0, fill=1)
    pdf.restoreState()
