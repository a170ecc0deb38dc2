"""The teachers' implementation manual: `training/manual/manual.md` (Spanish), served by the portal
as a page (/hub/manual) and as a PDF (/hub/manual.pdf). Its last section ends with the portal's
administrators, from the roster, so "who to contact" names real people."""
from __future__ import annotations

import html
from functools import lru_cache
from pathlib import Path

TITLE = "Manual de implementación para docentes"


def manual_path(content_dir: Path) -> Path:
    return Path(content_dir) / "training" / "manual" / "manual.md"


@lru_cache(maxsize=4)  # the manual and the roster change only with a restart
def manual_html(content_dir: Path, contacts: tuple[tuple[str, str], ...]) -> str:
    """The manual as HTML; contacts: (name, e-mail or "") of the portal's administrators."""
    import mistune

    body = mistune.create_markdown(plugins=["table"])(manual_path(content_dir).read_text(encoding="utf-8"))
    if contacts:
        items = "".join(f"<li>{html.escape(name)}" + (f" — <a href=\"mailto:{html.escape(mail)}\">{html.escape(mail)}</a>"
                                                      if mail else "") + "</li>" for name, mail in contacts)
        body += f"<p><strong>Administración del portal:</strong></p><ul class=\"contactos\">{items}</ul>"
    return body


@lru_cache(maxsize=4)
def manual_pdf(content_dir: Path, contacts: tuple[tuple[str, str], ...]) -> bytes:
    from .pdf import new_pdf

    pdf = new_pdf(TITLE)
    pdf.set_auto_page_break(True, margin=15)
    pdf.add_page()
    pdf.write_html(manual_html(content_dir, contacts), table_line_separators=True)
    return bytes(pdf.output())
