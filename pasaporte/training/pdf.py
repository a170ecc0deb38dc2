"""PDF documents of the teachers' track (certificates, the implementation manual), with fpdf2 and
Debian's DejaVu fonts, which cover every Spanish character."""
from __future__ import annotations

from pathlib import Path

FONTS = Path("/usr/share/fonts/truetype/dejavu")  # Debian's fonts-dejavu-core
FAMILY = "DejaVu"


def new_pdf(title: str, orientation: str = "P"):
    from fpdf import FPDF

    pdf = FPDF(orientation=orientation, format="A4")
    pdf.set_title(title)
    pdf.set_author("Pasaporte")
    pdf.set_lang("es-MX")
    # fonts-dejavu-core has no oblique faces: emphasis stays upright.
    for style, face in (("", "DejaVuSans.ttf"), ("B", "DejaVuSans-Bold.ttf"), ("I", "DejaVuSans.ttf"),
                        ("BI", "DejaVuSans-Bold.ttf")):
        pdf.add_font(FAMILY, style, str(FONTS / face))
    pdf.set_font(FAMILY, "", 11)
    return pdf
