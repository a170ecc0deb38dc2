"""The content model and the real course: course.toml is valid, every lesson runs top to
bottom in a fresh kernel, and the lessons' computations are right."""
import shutil
from pathlib import Path

import pytest

from lessons import run_definitions
from pasaporte.content import ContentError, load_catalogue, load_course
from pasaporte.quality import run_lesson

REPO = Path(__file__).resolve().parent.parent
COURSES = load_catalogue(REPO)
LESSONS = [(c.id, l.id, c.folder / l.notebook) for c in COURSES for l in c.lessons]


def test_catalogue_has_the_first_course():
    course = next(c for c in COURSES if c.id == "mate1-funciones")
    assert course.grade == 10 and len(course.lessons) >= 3
    diag = course.evaluation("diagnostico")
    assert diag.kind == "diagnostica" and len(diag.items) >= 8 and diag.points == len(diag.items)


@pytest.mark.parametrize("course_id,lesson_id,path", LESSONS, ids=[f"{c}/{l}" for c, l, _ in LESSONS])
def test_lesson_runs_top_to_bottom(course_id, lesson_id, path):
    """The gate's lesson check: a fresh kernel, no error, widgets shown."""
    assert run_lesson(path) == []


def test_linear_function_summary():
    ns = run_definitions(REPO / "courses/mate1-funciones/lecciones/01-funcion-lineal.ipynb")
    assert ns["describir_recta"](2, -4).endswith("cruza el eje x en x = 2.")
    assert "x = 0." in ns["describir_recta"](1, 0)  # never "-0"
    assert "nunca cruza el eje x" in ns["describir_recta"](0, 3)
    assert "decrece" in ns["describir_recta"](-1.5, 1)


def test_reading_graphs_feedback():
    ns = run_definitions(REPO / "courses/mate1-funciones/lecciones/02-leer-graficas.ipynb")
    assert ns["f"](3) == 2.5
    assert ns["revisar_respuesta"](3, "2.5").startswith("¡Correcto!")
    assert ns["revisar_respuesta"](3, " 2,5 ").startswith("¡Correcto!")  # decimal comma, as written in Mexico
    assert "mayor" in ns["revisar_respuesta"](3, "4")
    assert "menor" in ns["revisar_respuesta"](3, "0")
    assert ns["revisar_respuesta"](3, "").startswith("Escribe un número")


def test_systems_intersection():
    ns = run_definitions(REPO / "courses/mate1-funciones/lecciones/03-sistemas-de-ecuaciones.ipynb")
    x, y = ns["interseccion"](1, 1, -1, 3)
    assert (x, y) == (1.0, 2.0)
    assert ns["interseccion"](2, 1, 2, 5) == "ninguna"
    assert ns["interseccion"](2, 1, 2, 1) == "infinitas"
    assert ns["describir_solucion"](-1, 1, 1, 1) == "Solución única: x = 0, y = 1."  # never "-0"


def test_invalid_course_lists_every_problem(tmp_path):
    src = REPO / "courses/mate1-funciones"
    bad = tmp_path / "malo"
    shutil.copytree(src, bad)
    toml = (bad / "course.toml").read_text(encoding="utf-8")
    toml = toml.replace('objectives = ["F3"]', 'objectives = ["F9"]').replace('id = "r10", objective = "F3", points = 1',
                                                                             'id = "r10", objective = "F3", points = 2')
    (bad / "course.toml").write_text(toml, encoding="utf-8")
    with pytest.raises(ContentError) as err:
        load_course(bad)
    text = " | ".join(err.value.problems)
    assert "unknown objective 'F9'" in text
    assert "item 'r10': course.toml says 2 points, the notebook 1" in text
