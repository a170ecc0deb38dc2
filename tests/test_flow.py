"""The product's spine, over HTTP against the real hub, proxy, user servers and nbgrader:
student login → landing page → lesson view → fetch → answer → submit;
instructor release → collect → autograde → score per item → feedback → student reads it.
The web-UI flow runs for one student (formgrader service API, as the browser calls it) and the
CLI flow (`pasaporte grade ...`) for others, including a submission with its notebook missing."""
import json
import re
from html import escape
from pathlib import Path

import pytest
import requests

REPO = Path(__file__).resolve().parent.parent

COURSE = "mate1-funciones"
EVAL = "diagnostico"
SERVICE = f"formgrader-{COURSE}"
CORRECT = {"r1": "2", "r2": "5", "r3": "-0.5", "r4": "10", "r5": "8", "r6": "15 + 8 * 12.5",
           "r7": "4", "r8": "5", "r9": "6", "r10": "4"}


def answer_notebook(client, answers: dict[str, str]) -> None:
    path = f"api/contents/{COURSE}/{EVAL}/{EVAL}.ipynb"
    r = client.user_api("GET", path)
    assert r.status_code == 200, r.text
    model = r.json()
    changed = 0
    for cell in model["content"]["cells"]:
        m = re.match(r"^(r\d+) = None", cell["source"])
        if m and m.group(1) in answers:
            cell["source"] = f"{m.group(1)} = {answers[m.group(1)]}"
            changed += 1
    assert changed == len(answers)
    r = client.user_api("PUT", path, json={"type": "notebook", "format": "json", "content": model["content"]})
    assert r.status_code == 200, r.text


def assignment_action(client, action: str) -> dict:
    r = client.user_api("POST", f"assignments/{action}", data={"course_id": COURSE, "assignment_id": EVAL})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["success"], body
    return body


@pytest.fixture(scope="module")
def people(portal):
    return {name: portal.client(name) for name in ("ana.garcia", "luis.martinez", "sofia.nunez", "docente1")}


def test_landing_page_lists_lessons_and_evaluation(people):
    ana = people["ana.garcia"]
    r = ana.s.get(ana.url("/hub/home"))
    html = r.content.decode("utf-8")
    assert r.status_code == 200
    assert '<html lang="es-MX">' in html
    assert "Matemáticas I — Funciones" in html
    lessons = re.findall(rf'class="leccion" href="([^"]+/cursos/{COURSE}/[^"]+)"', html)
    assert lessons[:3] == [f"/user/ana.garcia/voila/render/cursos/{COURSE}/{n}" for n in
                           ("01-funcion-lineal.ipynb", "02-leer-graficas.ipynb", "03-sistemas-de-ecuaciones.ipynb")]
    assert "Evaluación diagnóstica</strong> (10 preguntas, 10 puntos)" in html and 'class="evaluacion"' in html
    # a student gets no grading link
    assert "formgrader" not in html


def test_students_see_their_courses_grouped_by_subject_then_grade(portal, people):
    """Every enrolled course, under its subject, by grade; and only the enrolled ones."""
    from pasaporte.content import load_catalogue
    from pasaporte.roster import read_roster

    catalogue = {c.id: c for c in load_catalogue(REPO)}
    ana = people["ana.garcia"]
    html = ana.s.get(ana.url("/hub/home")).content.decode("utf-8")
    enrolled = next(p for p in read_roster(portal.roster_file) if p.username == "ana.garcia").courses
    assert len(enrolled) >= 2
    shown = re.findall(r'<h3 class="h5 mt-3 materia">([^<]+)</h3>|<section class="card pp-card mb-4 curso" id="curso-([^"]+)"', html)
    sections: dict[str, list[str]] = {}
    current = None
    for subject, course_id in shown:
        if subject:
            current = subject
            sections[current] = []
        else:
            sections[current].append(course_id)
    assert sorted(c for ids in sections.values() for c in ids) == sorted(enrolled)
    for subject, ids in sections.items():
        assert {catalogue[c].subject for c in ids} == {subject}
        assert [catalogue[c].grade for c in ids] == sorted(catalogue[c].grade for c in ids)
    assert list(sections) == sorted(sections)


def test_catalogue_page_shows_every_course_description_and_objectives(portal, people):
    from pasaporte.content import load_catalogue

    doc = people["docente1"]
    r = doc.s.get(doc.url("/hub/catalogo"))
    html = r.content.decode("utf-8")
    assert r.status_code == 200 and "Catálogo de cursos" in html
    for course in load_catalogue(REPO):
        assert f'id="catalogo-{course.id}"' in html
        assert escape(course.description) in html
        assert all(escape(o.text) in html for o in course.objectives)
    home = doc.s.get(doc.url("/hub/home")).content.decode("utf-8")
    assert 'class="descripcion"' in home  # the courses a teacher accompanies, with their descriptions
    anonymous = requests.get(portal.url + "/hub/catalogo", allow_redirects=False)
    assert anonymous.status_code == 302 and "/hub/login" in anonymous.headers["Location"]


def test_teacher_landing_links_formgrader_in_new_tab(people):
    doc = people["docente1"]
    html = doc.s.get(doc.url("/hub/home")).content.decode("utf-8")
    assert re.search(rf'href="[^"]*services/{SERVICE}/formgrader" target="_blank"', html)


def test_lesson_opens_as_widget_only_view(people):
    ana = people["ana.garcia"]
    ana.start_server()
    r = ana.s.get(ana.url(f"/user/ana.garcia/voila/render/cursos/{COURSE}/01-funcion-lineal.ipynb"))
    html = r.content.decode("utf-8")
    assert r.status_code == 200
    assert "application/vnd.jupyter.widget-view+json" in html  # live widgets
    assert "def describir_recta" not in html and "m_slider.observe" not in html  # no code shown
    assert "Preparando la lección" in html  # Spanish template
    assert not re.search(r'(src|href)="https?://', html), "the view links something outside the portal"


def test_release_through_formgrader_service(people):
    doc = people["docente1"]
    r = doc.s.get(doc.url(f"/services/{SERVICE}/formgrader"))
    assert r.status_code == 200 and "/hub/login" not in r.url
    for step in ("assign", "release"):
        r = doc.service(SERVICE, "POST", f"formgrader/api/assignment/{EVAL}/{step}")
        assert r.status_code == 200 and r.json()["success"], r.text


def test_student_cannot_use_formgrader(people):
    ana = people["ana.garcia"]
    r = ana.s.get(ana.url(f"/services/{SERVICE}/formgrader"))
    assert r.status_code == 403


def test_students_fetch_answer_and_submit(people):
    for name, answers in (
        ("ana.garcia", CORRECT),
        ("luis.martinez", {**CORRECT, "r8": "6", "r10": "5"}),  # two plausible wrong answers
        ("sofia.nunez", CORRECT),
    ):
        student = people[name]
        student.start_server()
        listing = student.user_api("GET", f"assignments?course_id={COURSE}").json()
        assert [a["assignment_id"] for a in listing["value"]] == [EVAL]
        fetched = assignment_action(student, "fetch")
        assert fetched["value"][0]["status"] == "fetched"
        answer_notebook(student, answers)
        if name == "sofia.nunez":  # submits without the notebook
            r = student.user_api("DELETE", f"api/contents/{COURSE}/{EVAL}/{EVAL}.ipynb")
            assert r.status_code == 204
        submitted = student.user_api("POST", "assignments/submit",
                                     data={"course_id": COURSE, "assignment_id": EVAL}).json()
        assert submitted["success"], submitted
        statuses = [a["status"] for a in submitted["value"]]
        assert "submitted" in statuses


def test_web_flow_collect_autograde_scores(people):
    doc = people["docente1"]
    r = doc.service(SERVICE, "POST", f"formgrader/api/assignment/{EVAL}/collect")
    assert r.status_code == 200 and r.json()["success"], r.text
    r = doc.service(SERVICE, "POST", f"formgrader/api/submission/{EVAL}/ana.garcia/autograde")
    assert r.status_code == 200 and r.json()["success"], r.text
    notebooks = doc.service(SERVICE, "GET", f"formgrader/api/submitted_notebooks/{EVAL}/{EVAL}").json()
    ana_nb = next(nb for nb in notebooks if nb["student"] == "ana.garcia")
    assert ana_nb["score"] == ana_nb["max_score"] == 10
    grades = doc.service(SERVICE, "GET", f"formgrader/api/grades?submission_id={ana_nb['id']}").json()
    per_item = {g["name"]: g["auto_score"] for g in grades}
    assert per_item == {f"r{i}": 1 for i in range(1, 11)}


def test_cli_flow_autograde_reports_missing_notebook_and_grades_others(portal, people):
    r = portal.pasaporte("grade", "autograde", COURSE, EVAL)
    assert r.returncode == 3, r.stdout + r.stderr  # 3: some submissions had problems
    outcomes = {o["student"]: o for o in map(json.loads, [l for l in r.stdout.splitlines() if l.startswith("{")])}
    assert outcomes["sofia.nunez"]["ok"] is False
    assert "missing notebook" in outcomes["sofia.nunez"]["problem"] and f"{EVAL}.ipynb" in outcomes["sofia.nunez"]["problem"]
    assert outcomes["ana.garcia"]["ok"] and outcomes["ana.garcia"]["score"] == 10
    assert outcomes["luis.martinez"]["ok"] and outcomes["luis.martinez"]["score"] == 8
    assert "[3/3]" in r.stdout  # progress per submission

    csv_out = portal.pasaporte("grade", "scores", COURSE, EVAL)
    assert csv_out.returncode == 0, csv_out.stderr
    rows = {line.split(",")[0]: line.split(",") for line in csv_out.stdout.splitlines()}
    header = rows["usuario"]
    luis = dict(zip(header, rows["luis.martinez"]))
    assert luis["r8"] == "0" and luis["r10"] == "0" and luis["r1"] == "1" and luis["total"] == "8"
    assert header[4:6] == ["r1", "r2"] and header[-3] == "r10"  # natural order
    diego = dict(zip(header, rows["diego.lopez"]))
    assert diego["entregada"] == "no" and diego["r1"] == "" and diego["total"] == ""
    # a name with a comma and accents survives the CSV round trip
    assert dict(zip(header, rows["sofia.nunez"]))["apellidos"] == "Núñez Castañeda"

    wrong = portal.pasaporte("grade", "scores", COURSE, "final-que-no-existe")
    assert wrong.returncode == 2 and "has no evaluation 'final-que-no-existe'" in wrong.stderr
    assert "Its evaluations: diagnostico, final, practica-1" in wrong.stderr
    unknown = portal.pasaporte("grade", "scores", "curso-que-no-existe", EVAL)
    assert unknown.returncode == 2 and "Unknown course 'curso-que-no-existe'. Known courses: " in unknown.stderr
    assert "mate1-funciones" in unknown.stderr


def test_feedback_returned_and_read_by_student(portal, people):
    r = portal.pasaporte("grade", "feedback", COURSE, EVAL)  # the CLI way...
    assert r.returncode == 0, r.stdout + r.stderr
    doc = people["docente1"]
    for step in ("generate_feedback", "release_feedback"):  # ...and the formgrader's, which the student reads
        r = doc.service(SERVICE, "POST", f"formgrader/api/assignment/{EVAL}/{step}")
        assert r.status_code == 200 and r.json()["success"], r.text
    luis = people["luis.martinez"]
    listing = assignment_action(luis, "fetch_feedback")["value"]
    submitted = next(a for a in listing if a["status"] == "submitted")
    feedback = [s for s in submitted["submissions"] if s["has_local_feedback"]]
    assert feedback, submitted
    html_path = feedback[0]["local_feedback_path"]
    r = luis.user_api("GET", f"files/{html_path}/{EVAL}.html")
    assert r.status_code == 200
    text = r.content.decode("utf-8")
    assert "8.0 / 10.0" in text
    assert not re.search(r'(src|href)="https?://', text), "feedback must open offline"


def test_jupyterlab_opens_in_spanish(people):
    ana = people["ana.garcia"]
    setting = ana.user_api("GET", "lab/api/settings/@jupyterlab/translation-extension:plugin").json()
    # overrides.json turns the schema default into Spanish; the user has not chosen anything
    assert setting["schema"]["properties"]["locale"]["default"] == "es_ES"
    assert setting["settings"].get("locale", "es_ES") == "es_ES"
    packs = ana.user_api("GET", "lab/api/translations/").json()["data"]
    assert "es_ES" in packs
    spanish = ana.user_api("GET", "lab/api/translations/es_ES").json()["data"]
    assert spanish["jupyterlab"]["Save"] == ["Guardar"]
