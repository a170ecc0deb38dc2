"""Certificates of the teachers' ICT track.

A certificate is issued once, when a teacher has passed every module, and is kept in a register
(SQLite in the state directory). Its code is 12 characters of Crockford's base32 grouped 4-4-4
(for example `7K3Q-9XWD-2MTA`): an HMAC of what it certifies under the portal's secret, so a
code can be neither guessed nor made up, and changing the register's row breaks it. Anyone can
check a code on the portal's public verification page; the teacher downloads a Spanish PDF.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import sqlite3
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from .pdf import FAMILY

# Crockford's alphabet: no I, L, O, U; what people mistype is read as what they meant.
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_B32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
_TYPOS = str.maketrans({"O": "0", "I": "1", "L": "1", "U": "V"})
MONTHS = ("enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre", "octubre",
          "noviembre", "diciembre")


@dataclass(frozen=True)
class Certificate:
    code: str
    username: str
    name: str
    school: str
    hours: int
    issued: date

    @property
    def issued_es(self) -> str:
        return f"{self.issued.day} de {MONTHS[self.issued.month - 1]} de {self.issued.year}"


def normalize(code: str) -> str:
    """What a person typed, as a code: case, spaces, dashes and look-alike letters forgiven."""
    raw = "".join(ch for ch in code.upper() if ch.isalnum()).translate(_TYPOS)
    return "-".join(raw[i:i + 4] for i in range(0, len(raw), 4))


class Register:
    def __init__(self, path: Path, secret: str):
        self.path, self._key = path, secret.encode()
        path.parent.mkdir(parents=True, exist_ok=True)
        with self._db() as db:
            db.execute("CREATE TABLE IF NOT EXISTS certificates (code TEXT PRIMARY KEY, username TEXT UNIQUE NOT NULL,"
                       " name TEXT NOT NULL, school TEXT NOT NULL, hours INTEGER NOT NULL, issued TEXT NOT NULL)")

    def _db(self) -> sqlite3.Connection:
        return sqlite3.connect(self.path, timeout=30)

    def _code(self, username: str, name: str, school: str, hours: int, issued: date) -> str:
        message = "\x1f".join([username, name, school, str(hours), issued.isoformat()]).encode()
        digest = hmac.new(self._key, message, hashlib.sha256).digest()
        letters = base64.b32encode(digest).decode().translate(str.maketrans(_B32, ALPHABET))
        return normalize(letters[:12])

    def issue(self, username: str, name: str, school: str, hours: int, issued: date | None = None) -> Certificate:
        """The teacher's certificate; issued now if she has none (one per teacher)."""
        existing = self.of(username)
        if existing:
            return existing
        issued = issued or date.today()
        cert = Certificate(self._code(username, name, school, hours, issued), username, name, school, hours, issued)
        with self._db() as db:
            db.execute("INSERT OR IGNORE INTO certificates VALUES (?, ?, ?, ?, ?, ?)",
                       (cert.code, username, name, school, hours, issued.isoformat()))
        return self.of(username)

    def _row(self, where: str, value: str) -> Certificate | None:
        with self._db() as db:
            row = db.execute(f"SELECT code, username, name, school, hours, issued FROM certificates WHERE {where} = ?",
                             (value,)).fetchone()
        if row is None:
            return None
        cert = Certificate(row[0], row[1], row[2], row[3], int(row[4]), date.fromisoformat(row[5]))
        # A row edited by hand no longer matches its code: it certifies nothing.
        if not hmac.compare_digest(cert.code, self._code(cert.username, cert.name, cert.school, cert.hours, cert.issued)):
            return None
        return cert

    def of(self, username: str) -> Certificate | None:
        return self._row("username", username)

    def verify(self, code: str) -> Certificate | None:
        """The certificate this code belongs to, or None for a code that was never issued."""
        return self._row("code", normalize(code)[:14])


def render_pdf(cert: Certificate, track: str, modules: list[str], verify_url: str) -> bytes:
    """The certificate as a one-page Spanish PDF (A4, landscape)."""
    from .pdf import new_pdf

    pdf = new_pdf(f"Constancia — {track}", orientation="L")
    pdf.add_page()
    pdf.set_draw_color(0, 104, 71)
    pdf.set_line_width(1.2)
    pdf.rect(10, 10, 277, 190)
    pdf.set_y(24)
    pdf.set_font(FAMILY, "B", 13)
    pdf.cell(0, 8, "PASAPORTE · Formación docente en habilidades digitales", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(6)
    pdf.set_font(FAMILY, "B", 30)
    pdf.cell(0, 16, "Constancia", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FAMILY, "", 14)
    pdf.cell(0, 10, "Se otorga a", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FAMILY, "B", 24)
    pdf.cell(0, 14, cert.name, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FAMILY, "", 13)
    pdf.cell(0, 8, f"Escuela: {cert.school}", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.multi_cell(0, 8, f"por haber acreditado el curso «{track}», con una duración de {cert.hours} horas, "
                         f"al aprobar las evaluaciones de sus {len(modules)} módulos:", align="C")
    pdf.set_font(FAMILY, "", 11)
    for number, title in enumerate(modules, start=1):
        pdf.cell(0, 6.5, f"{number}. {title}", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.set_font(FAMILY, "", 12)
    pdf.cell(0, 8, f"Fecha de emisión: {cert.issued_es}", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FAMILY, "B", 12)
    pdf.cell(0, 8, f"Código de verificación: {cert.code}", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FAMILY, "", 10)
    pdf.cell(0, 6, f"Verifícalo en {verify_url}", align="C", new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
