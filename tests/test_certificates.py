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


def test_the_certificate_comes_only_after_the_last_checkpoint_is_passed(tmp_path):
    """Progress read from a real nbgrader gradebook: not submitted, failed, waiting for a person,
    passed; the certificate is issued on the day the last module was passed, and not before."""
    from datetime import datetime

    from nbgrader.api import Gradebook

    from pasaporte.training.progress import certify_if_complete, module_results

    checkpoints = [(f"control-{n}", f"Módulo {n}") for n in range(1, 4)]
    register = Register(tmp_path / "c.sqlite", "s")
    with Gradebook(f"sqlite:///{tmp_path / 'gradebook.db'}", course_id="formacion-docente") as gb:
        for evaluation, _ in checkpoints:
            gb.add_assignment(evaluation)
            gb.add_notebook(evaluation, evaluation)
            gb.add_grade_cell("r1", evaluation, evaluation, max_score=4, cell_type="code")
            gb.add_grade_cell("r2", evaluation, evaluation, max_score=6, cell_type="code")
        gb.add_student("docente1")

        def submit(evaluation, day, r1, r2):
            submission = gb.update_or_create_submission(evaluation, "docente1", timestamp=datetime(2026, 8, day, 10))
            for grade in submission.notebooks[0].grades:
                grade.auto_score = {"r1": r1, "r2": r2}[grade.name]
                grade.needs_manual_grade = grade.auto_score is None
            gb.db.commit()

        def state():
            return [(r.score, r.passed_on) for r in module_results(gb, checkpoints, "docente1")]

        assert state() == [(None, None)] * 3
        submit("control-1", 3, 4, 6)
        submit("control-2", 5, 4, 0)  # 40 %: not passed
        assert state() == [(10, date(2026, 8, 3)), (4, None), (None, None)]
        assert certify_if_complete(register, "docente1", "Ana", "21EBH0001Z", 40,
                                   module_results(gb, checkpoints, "docente1")) is None
        submit("control-2", 7, 4, 3)  # 70 %: passed
        submit("control-3", 9, 4, None)  # an answer waits for a person: not passed yet
        assert state()[1:] == [(7, date(2026, 8, 7)), (None, None)]
        assert certify_if_complete(register, "docente1", "Ana", "21EBH0001Z", 40,
                                   module_results(gb, checkpoints, "docente1")) is None
        submit("control-3", 12, 4, 6)
        cert = certify_if_complete(register, "docente1", "Ana", "21EBH0001Z", 40,
                                   module_results(gb, checkpoints, "docente1"))
        assert cert is not None and cert.issued == date(2026, 8, 12) and register.verify(cert.code) == cert
