"""Certificates of the teachers' track: codes that verify, forged or edited ones that do not, and
the Spanish PDF a teacher downloads."""
import io
import sqlite3
from datetime import date

from pasaporte.training.certificates import Register, normalize, render_pdf


def test_a_real_code_verifies_and_a_forged_one_does_not(tmp_path):
    register = Register(tmp_path / "certificados.sqlite", "secreto-del-portal")
    cert = register.issue("docente1", "María José Núñez", "21EBH0001Z", 40, date(2026, 8, 14))
    assert len(cert.code) == 14 and cert.code.count("-") == 2
    assert register.issue("docente1", "Otro Nombre", "X", 1) == cert  # one per teacher, never reissued
    assert register.verify(cert.code) == cert
    assert register.verify(cert.code.lower().replace("-", " ")) == cert  # typed as people type
    forged = cert.code[:-1] + ("0" if cert.code[-1] != "0" else "1")
    assert register.verify(forged) is None and register.verify("") is None and register.verify("ñ" * 40) is None
    # The same contents under another portal's secret give another code: codes cannot be made up.
    other = Register(tmp_path / "otro.sqlite", "otro-secreto")
    assert other.issue("docente1", "María José Núñez", "21EBH0001Z", 40, date(2026, 8, 14)).code != cert.code
    # A register row edited by hand (more hours) certifies nothing.
    with sqlite3.connect(tmp_path / "certificados.sqlite") as db:
        db.execute("UPDATE certificates SET hours = 400")
    assert register.verify(cert.code) is None


def test_codes_forgive_look_alike_letters():
    assert normalize("7k3q 9xwd 2mta") == "7K3Q-9XWD-2MTA"
    assert normalize("OIL1-uuuu") == "0111-VVVV"


def test_the_pdf_says_who_where_how_long_when_and_the_code(tmp_path):
    from pypdf import PdfReader

    register = Register(tmp_path / "c.sqlite", "s")
    cert = register.issue("docente1", "María José Núñez", "CBTIS 21, Puebla", 40, date(2026, 8, 14))
    pdf = render_pdf(cert, "Habilidades digitales para docentes", ["El portal", "Cuadernos", "Actividades",
                                                                  "Evaluaciones", "Planeación"],
                     "http://127.0.0.1:8000/hub/verificar")
    assert pdf.startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 1
    text = " ".join(reader.pages[0].extract_text().split())
    for expected in ("María José Núñez", "CBTIS 21, Puebla", "40 horas", "14 de agosto de 2026", cert.code,
                     "5. Planeación", "/hub/verificar"):
        assert expected in text, (expected, text)


def test_the_public_page_confirms_a_real_code_and_rejects_a_forged_one(portal):
    import requests

    register = Register(portal.state_dir / "training" / "certificados.sqlite",
                        (portal.state_dir / "secrets" / "certificates").read_text().strip())
    cert = register.issue("verifica-docente", "Rosa Elena Ávila", "21EBH0001Z", 40, date(2026, 8, 14))
    page = portal.url + "/hub/verificar"

    def text(r):
        return r.content.decode()

    # Anyone may check: no login, no cookie.
    r = requests.get(page, params={"codigo": cert.code.lower()}, timeout=30)
    assert r.status_code == 200 and "Constancia válida" in text(r)
    assert "Rosa Elena Ávila" in text(r) and "40 horas" in text(r) and "14 de agosto de 2026" in text(r)
    forged = cert.code[:-1] + ("0" if cert.code[-1] != "0" else "1")
    r = requests.get(page, params={"codigo": forged}, timeout=30)
    assert r.status_code == 404 and "No encontramos esa constancia" in text(r) and "Rosa Elena" not in text(r)
    r = requests.get(page, params={"codigo": "<script>alert(1)</script>"}, timeout=30)
    assert r.status_code == 404 and "<script>alert(1)" not in text(r)  # what was typed is shown escaped
    r = requests.get(page, timeout=30)
    assert r.status_code == 200 and "Verificar una constancia" in text(r)


def test_the_manual_is_served_as_a_page_and_as_a_pdf_naming_the_portal_admins(portal):
    import requests
    from pypdf import PdfReader

    sections = ["Planear el semestre", "Una rutina semanal", "Leer los reportes", "Preguntas frecuentes",
                "A quién contactar"]
    page = requests.get(portal.url + "/hub/manual", timeout=30)
    assert page.status_code == 200
    html = page.content.decode()
    for title in sections + ["Administración Pasaporte", "manual.pdf"]:  # the demo roster's administrator
        assert title in html, title
    pdf = requests.get(portal.url + "/hub/manual.pdf", timeout=30)
    assert pdf.status_code == 200 and pdf.headers["Content-Type"] == "application/pdf"
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages).split())
    for title in sections + ["Administración Pasaporte", "16 semanas"]:
        assert title in text, title


def test_the_manual_is_spelled_right():
    from pathlib import Path

    from pasaporte.quality import unknown_words
    from pasaporte.training.manual import manual_path

    text = manual_path(Path(__file__).resolve().parent.parent).read_text(encoding="utf-8")
    assert unknown_words([("manual.md", text)], set()) == []
