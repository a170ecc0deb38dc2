"""The content quality gate (pasaporte.quality) over every course, and proof that it catches
what it is there to catch: a wrong solution, a "wrong" answer that scores, a misspelling, a
lesson that fails, a view that calls a CDN, evaluations that are not parallel forms."""
import json
import shutil
from pathlib import Path

import nbformat
import pytest

from pasaporte import quality
from pasaporte.content import load_catalogue, load_course

REPO = Path(__file__).resolve().parent.parent
COURSES = load_catalogue(REPO)
IDS = [c.id for c in COURSES]


@pytest.fixture(scope="module")
def graded():
    """Every evaluation of every course graded by stock nbgrader in the gate's scenarios (2 at once)."""
    return quality.grade_all(COURSES, REPO)


@pytest.fixture(scope="module")
def rendered():
    """Every lesson view rendered by Voila in headless Chromium."""
    return quality.render_views(COURSES, REPO)


@pytest.mark.parametrize("course", COURSES, ids=IDS)
def test_structure(course):
    assert quality.check_structure(course) == []


@pytest.mark.parametrize("course", COURSES, ids=IDS)
def test_spelling(course):
    assert quality.check_spelling(course, REPO) == []


@pytest.mark.parametrize("course", COURSES, ids=IDS)
def test_evaluations_generate_and_score_as_designed(course, graded):
    assert [p for p in graded if p.startswith(f"{course.id}/")] == []


@pytest.mark.parametrize("course", COURSES, ids=IDS)
def test_views_render_with_widgets_and_no_cdn(course, rendered):
    mine = [f"/{course.folder.name}/{l.notebook}" for l in course.lessons]
    assert [p for p in rendered if any(m in p for m in mine)] == []


def test_the_catalogue_offers_the_seven_stem_courses():
    subjects = sorted(c.subject for c in COURSES)
    assert subjects.count("Matemáticas") >= 3 and subjects.count("Física") >= 2 and subjects.count("Química") >= 2


# --- the gate catches faults --------------------------------------------------------------------

@pytest.fixture()
def broken(tmp_path):
    """A copy of the first course in a content dir of its own, to break."""
    shutil.copytree(REPO / "courses" / "mate1-funciones", tmp_path / "courses" / "mate1-funciones")
    shutil.copyfile(REPO / "courses" / "palabras.txt", tmp_path / "courses" / "palabras.txt")
    return tmp_path, tmp_path / "courses" / "mate1-funciones"


def edit_notebook(path: Path, edit) -> None:
    nb = nbformat.read(path, as_version=4)
    edit(nb)
    nbformat.write(nb, path)


def test_gate_catches_a_wrong_solution_and_a_wrong_answer_that_scores(broken):
    content, folder = broken
    diag = folder / "evaluaciones/diagnostico/diagnostico.ipynb"

    def wrong_solution(nb):  # the key says r1 = 3, its test expects 2
        cell = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "respuesta_r1")
        cell.source = cell.source.replace("r1 = 2\n", "r1 = 3\n")
    edit_notebook(diag, wrong_solution)
    toml = (folder / "course.toml").read_text(encoding="utf-8")
    (folder / "course.toml").write_text(toml.replace('id = "r2", objective = "F1", points = 1, wrong = "-4"',
                                                     'id = "r2", objective = "F1", points = 1, wrong = "5.0"'),
                                        encoding="utf-8")
    course = load_course(folder)
    problems = quality.grade_evaluation(course, course.evaluation("diagnostico"), content / "work")
    assert "mate1-funciones/diagnostico: item r1 scored 0.0 (expected 1) for the instructor's solution" in problems
    assert any(p.startswith("mate1-funciones/diagnostico: item r2 scored 1.0 (expected 0)") for p in problems)
    assert not any(" r3 " in p or " r10 " in p for p in problems), problems  # the sound items pass


def test_gate_catches_spelling_structure_and_failing_lessons(broken):
    content, folder = broken
    lesson = folder / "lecciones/01-funcion-lineal.ipynb"

    def misspell_and_break(nb):
        nb.cells[0].source += "\n\nLa pendiente se calcúla con dos puntoz."
        nb.cells.append(nbformat.v4.new_code_cell(
            'def etiqueta(v):\n    """Texto para autores: velosidadz_grados no se revisa."""\n'
            '    return "La velosidad es %.1f m/s, {v} %% arriba" % v\n1 / 0'))
    edit_notebook(lesson, misspell_and_break)
    course = load_course(folder)
    spelling = " | ".join(quality.check_spelling(course, content))
    assert "'calcúla'" in spelling and "'puntoz'" in spelling and "lecciones/01-funcion-lineal.ipynb" in spelling
    assert "'velosidad'" in spelling  # a label a student reads
    assert "velosidadz" not in spelling and "'rriba'" not in spelling  # docstrings and format fields are not text
    assert "'pendiente'" not in spelling
    assert any("raised ZeroDivisionError" in p for p in quality.run_lesson(lesson))
    structure = quality.check_structure(course)
    if len(course.lessons) < 4:
        assert any("at least 4 are needed" in p for p in structure)
    final = next((e for e in course.evaluations if e.kind == "final"), None)
    if final is not None:  # a final whose item r1 measures another objective is not a parallel form
        toml = (folder / "course.toml").read_text(encoding="utf-8")
        head, tail = toml.split('id = "final"', 1)
        tail = tail.replace('{ id = "r1", objective = "F1"', '{ id = "r1", objective = "F2"', 1)
        (folder / "course.toml").write_text(head + 'id = "final"' + tail, encoding="utf-8")
        assert any("are not parallel forms" in p and "r1" in p for p in quality.check_structure(load_course(folder)))


def test_gate_catches_a_view_that_calls_a_cdn_or_never_shows_widgets(broken):
    content, folder = broken
    lesson = folder / "lecciones/01-funcion-lineal.ipynb"
    edit_notebook(lesson, lambda nb: nb.cells.append(nbformat.v4.new_code_cell(
        'from IPython.display import HTML\nHTML(\'<img src="https://cdn.example.org/logo.png">\')')))
    edit_notebook(folder / "lecciones/02-leer-graficas.ipynb",
                  lambda nb: setattr(nb, "cells", [c for c in nb.cells if c.cell_type == "markdown"]))
    course = load_course(folder)
    problems = " | ".join(quality.render_views([course], content, timeout_ms=15_000))
    assert "01-funcion-lineal.ipynb: requests left the machine (CDN?): cdn.example.org" in problems
    assert "02-leer-graficas.ipynb: no widgets appeared" in problems
    assert "03-sistemas-de-ecuaciones" not in problems
