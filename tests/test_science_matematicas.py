"""Matemáticas: the quadratic-function lesson of Matemáticas I and the four lessons of Matemáticas II
(geometría y trigonometría) against closed-form results, and the keys of the new evaluations against an
independent computation."""
import math
import re
import tomllib
from pathlib import Path

import nbformat
import pytest

from lessons import run_definitions

REPO = Path(__file__).resolve().parent.parent
MATE1 = REPO / "courses" / "mate1-funciones"
MATE2 = REPO / "courses" / "mate2-geometria-trigonometria"


def sen(grados):
    return math.sin(math.radians(grados))


def cos(grados):
    return math.cos(math.radians(grados))


@pytest.fixture(scope="module")
def cuadratica():
    return run_definitions(MATE1 / "lecciones" / "04-funcion-cuadratica.ipynb")


@pytest.fixture(scope="module")
def angulos():
    return run_definitions(MATE2 / "lecciones" / "01-angulos-y-triangulos.ipynb")


@pytest.fixture(scope="module")
def pitagoras():
    return run_definitions(MATE2 / "lecciones" / "02-teorema-de-pitagoras.ipynb")


@pytest.fixture(scope="module")
def circulo():
    return run_definitions(MATE2 / "lecciones" / "03-razones-y-circulo-unitario.ipynb")


@pytest.fixture(scope="module")
def leyes():
    return run_definitions(MATE2 / "lecciones" / "04-leyes-de-senos-y-cosenos.ipynb")


# --- Matemáticas I, lección 4: la función cuadrática ------------------------------------------------

CUADRATICAS = [(1, -2, -3), (1, 2, 1), (1, 0, 4), (-2, 4, 6), (0.5, 12, -10), (3, -12, 5), (-1, 0, 0),
               (2, -3, -2), (-0.5, 1, 1.5)]


@pytest.mark.parametrize("a,b,c", CUADRATICAS)
def test_vertex_is_minus_b_over_2a(cuadratica, a, b, c):
    h, k = cuadratica["vertice"](a, b, c)
    assert h == pytest.approx(-b / (2 * a))
    assert k == pytest.approx(c - b ** 2 / (4 * a))  # completing the square
    # the vertex is the extreme value: a little to each side the function is higher (a > 0) or lower (a < 0)
    f = lambda x: a * x ** 2 + b * x + c  # noqa: E731
    for dx in (0.1, 1, 3):
        assert (f(h + dx) - k) * a > 0 and (f(h - dx) - k) * a > 0
        assert f(h + dx) == pytest.approx(f(h - dx))  # symmetric about x = h


@pytest.mark.parametrize("a,b,c", CUADRATICAS)
def test_roots_by_the_quadratic_formula(cuadratica, a, b, c):
    d = b ** 2 - 4 * a * c
    assert cuadratica["discriminante"](a, b, c) == pytest.approx(d)
    xs = cuadratica["raices"](a, b, c)
    if d > 0:
        esperadas = sorted([(-b - math.sqrt(d)) / (2 * a), (-b + math.sqrt(d)) / (2 * a)])
        assert list(xs) == pytest.approx(esperadas)
        assert xs[0] < xs[1]
        assert xs[0] + xs[1] == pytest.approx(-b / a) and xs[0] * xs[1] == pytest.approx(c / a, abs=1e-12)  # Vieta
    elif d == 0:
        assert xs == pytest.approx((-b / (2 * a),))
    else:
        assert xs == ()
    for x in xs:
        assert cuadratica["evaluar"](a, b, c, x) == pytest.approx(0, abs=1e-9)


def test_quadratic_known_values_and_edge_cases(cuadratica):
    assert cuadratica["raices"](1, -2, -8) == pytest.approx((-2, 4))  # the lesson's second challenge
    assert cuadratica["vertice"](3, -12, 5) == pytest.approx((2, -7))  # the first challenge
    assert cuadratica["raices"](1, 2, 5) == ()
    assert cuadratica["raices"](1, -6, 9) == pytest.approx((3,))  # double root
    assert str(cuadratica["vertice"](-1, 0, 0)[0]) == "0.0"  # never "-0.0"
    import numpy as np
    assert list(cuadratica["evaluar"](1, 0, -1, np.array([-1, 0, 2]))) == [0, -1, 3]  # arrays, for the plot
    for funcion in ("vertice", "raices"):
        with pytest.raises(ValueError, match="no es cuadrática"):
            cuadratica[funcion](0, 2, 1)


def test_quadratic_texts(cuadratica):
    texto = cuadratica["texto_funcion"]
    assert texto(2, -3, 1) == "y = 2x² − 3x + 1"
    assert texto(1, 0, -4) == "y = x² − 4"
    assert texto(-1, 1, 0) == "y = −x² + x"
    assert texto(-0.5, -1, 2.5) == "y = −0.5x² − x + 2.5"
    describir = cuadratica["describir_parabola"]
    assert "abre hacia arriba" in describir(1, -2, -3) and "x = -1 y x = 3" in describir(1, -2, -3)
    assert "abre hacia abajo" in describir(-2, 4, 6) and "vértice (1, 8)" in describir(-2, 4, 6)
    assert "no tiene raíces reales" in describir(1, 0, 4)
    assert "una sola raíz" in describir(1, 2, 1)
    assert "-0" not in describir(1, 0, -4)


def test_quadratic_self_checks_explain_the_mistake(cuadratica):
    vertice = lambda t: cuadratica["revisar_vertice"](3, -12, 5, t)  # noqa: E731
    assert vertice("2").startswith("¡Correcto!") and vertice("2,0").startswith("¡Correcto!")
    assert "signo" in vertice("-2")  # b/(2a)
    assert "el 2 del denominador" in vertice("4")  # −b/a
    assert "multiplicar por a" in vertice("6")  # −b/2
    assert "valor de y" in vertice("-7")  # gave the height of the vertex
    assert vertice("dos").startswith("Escribe un número")
    raiz = lambda t: cuadratica["revisar_raiz_mayor"](1, -2, -8, t)  # noqa: E731
    assert raiz("4").startswith("¡Correcto!")
    assert "raíz menor" in raiz("-2")
    assert "signo de b" in raiz("2") and "signo de b" in raiz("-4")
    assert "dividir entre 2a" in raiz("8")
    assert "discriminante" in raiz("36")
    assert "vértice" in raiz("1")
    assert "no tiene raíces reales" in cuadratica["revisar_raiz_mayor"](1, 0, 4, "1")


# --- Matemáticas II, lección 1: ángulos y triángulos ---------------------------------------------------

@pytest.mark.parametrize("A,B", [(50, 60), (60, 60), (45, 45), (30, 60), (100, 40), (1, 1), (89.5, 90), (20, 140)])
def test_angles_of_a_triangle_add_up_to_180(angulos, A, B):
    C = angulos["tercer_angulo"](A, B)
    assert A + B + C == pytest.approx(180)
    assert angulos["angulo_exterior"](A, B) == pytest.approx(A + B) == pytest.approx(180 - C)
    # the drawing has exactly those angles, and c = 6 cm between A and B
    pA, pB, pC = angulos["vertices"](A, B)
    assert math.dist(pA, pB) == pytest.approx(6)
    medir = angulos["angulo_en"]
    assert (medir(pA, pB, pC), medir(pB, pC, pA), medir(pC, pA, pB)) == pytest.approx((A, B, C))
    # the sides are the distances in the drawing, and the longest side faces the largest angle
    a, b, c = angulos["lados"](A, B)
    assert (a, b) == pytest.approx((math.dist(pB, pC), math.dist(pA, pC)))
    assert max((a, "a"), (b, "b"), (c, "c"))[1] == max((A, "a"), (B, "b"), (C, "c"))[1]


def test_triangles_that_cannot_close(angulos):
    for A, B in [(90, 90), (120, 70), (0, 50), (-10, 100)]:
        with pytest.raises(ValueError, match="°"):
            angulos["tercer_angulo"](A, B)
    assert "no hay triángulo" in angulos["describir"](100, 80)


def test_complements_supplements_and_polygons(angulos):
    assert angulos["complemento"](28) == 62 and angulos["complemento"](90) == 0
    assert angulos["suplemento"](28) == 152 and angulos["suplemento"](180) == 0
    with pytest.raises(ValueError, match="complemento"):
        angulos["complemento"](120)
    with pytest.raises(ValueError, match="suplemento"):
        angulos["suplemento"](200)
    assert [angulos["suma_interiores"](n) for n in (3, 4, 5, 6, 10)] == [180, 360, 540, 720, 1440]
    for n in (2, 4.5):
        with pytest.raises(ValueError, match="polígono"):
            angulos["suma_interiores"](n)


@pytest.mark.parametrize("A,B,por_angulos,por_lados", [
    (60, 60, "acutángulo", "equilátero"), (45, 45, "rectángulo", "isósceles"), (30, 60, "rectángulo", "escaleno"),
    (100, 40, "obtusángulo", "isósceles"), (50, 60, "acutángulo", "escaleno"), (20, 140, "obtusángulo", "isósceles"),
    (70, 70, "acutángulo", "isósceles")])
def test_classification(angulos, A, B, por_angulos, por_lados):
    C = angulos["tercer_angulo"](A, B)
    assert angulos["clasificar_por_angulos"](A, B, C) == por_angulos
    assert angulos["clasificar_por_lados"](A, B, C) == por_lados
    a, b, c = angulos["lados"](A, B)
    iguales = sum(math.isclose(x, y) for x, y in ((a, b), (b, c), (a, c)))
    assert {3: "equilátero", 1: "isósceles", 0: "escaleno"}[iguales] == por_lados


def test_third_angle_self_check(angulos):
    revisar = lambda t: angulos["revisar_tercer_angulo"](48, 67, t)  # noqa: E731
    assert revisar("65").startswith("¡Correcto!") and revisar("65°").startswith("¡Correcto!")
    assert "exterior" in revisar("115")
    assert "360°" in revisar("245")
    assert "entre 0° y 180°" in revisar("200") or "más de 0°" in revisar("200")
    assert revisar("70").startswith("No.")
    assert revisar("").startswith("Escribe")


# --- Matemáticas II, lección 2: el teorema de Pitágoras ------------------------------------------------

@pytest.mark.parametrize("a,b,c", [(3, 4, 5), (5, 12, 13), (6, 8, 10), (8, 15, 17), (2.5, 6, 6.5), (1, 1, 2 ** 0.5),
                                   (0.5, 7.5, math.sqrt(0.25 + 56.25))])
def test_pythagoras(pitagoras, a, b, c):
    assert pitagoras["hipotenusa"](a, b) == pytest.approx(c)
    assert pitagoras["cateto"](c, a) == pytest.approx(b)
    assert pitagoras["cateto"](c, b) == pytest.approx(a)
    assert pitagoras["es_rectangulo"](a, b, c) and pitagoras["es_rectangulo"](c, a, b)
    assert pitagoras["tercer_lado"](a, b, 90) == pytest.approx(c)  # law of cosines at 90° is Pythagoras
    # the areas of the squares drawn on the sides: a² + b² = c²
    O, P, Q = pitagoras["vertices"](a, b)
    areas = [pitagoras["area_poligono"](pitagoras["cuadrado_sobre"](p, q)) for p, q in ((O, P), (Q, O), (P, Q))]
    assert areas == pytest.approx([a ** 2, b ** 2, c ** 2])
    assert areas[0] + areas[1] == pytest.approx(areas[2])


def test_squares_are_drawn_outside_the_triangle(pitagoras):
    for angulo in (60, 90, 130):
        O, P, Q = pitagoras["vertices"](3, 4, angulo)
        for p, q, otro in ((O, P, Q), (P, Q, O), (Q, O, P)):
            esquinas = pitagoras["cuadrado_sobre"](p, q)
            centro = (sum(e[0] for e in esquinas) / 4, sum(e[1] for e in esquinas) / 4)
            lado = lambda r: (q[0] - p[0]) * (r[1] - p[1]) - (q[1] - p[1]) * (r[0] - p[0])  # noqa: E731
            assert lado(centro) * lado(otro) < 0  # opposite sides of the edge pq


def test_not_right_triangles(pitagoras):
    assert not pitagoras["es_rectangulo"](4, 5, 6)
    assert not pitagoras["es_rectangulo"](3, 4, 5.1)
    for angulo in (60, 89, 91, 120):
        c = pitagoras["tercer_lado"](3, 4, angulo)
        assert c ** 2 == pytest.approx(9 + 16 - 24 * cos(angulo))
        assert (c ** 2 > 25) == (angulo > 90)  # obtuse: longer than Pythagoras; acute: shorter
    assert pitagoras["tercer_lado"](5, 5, 60) == pytest.approx(5)  # equilateral


def test_pythagoras_errors_and_distance(pitagoras):
    with pytest.raises(ValueError, match="menor que la hipotenusa"):
        pitagoras["cateto"](5, 5)
    with pytest.raises(ValueError, match="menor que la hipotenusa"):
        pitagoras["cateto"](5, 7)
    for malos in ((0, 4), (-3, 4)):
        with pytest.raises(ValueError, match="mayores que 0"):
            pitagoras["hipotenusa"](*malos)
    assert pitagoras["distancia"]((1, 2), (7, 10)) == pytest.approx(10)
    assert pitagoras["distancia"]((7, 10), (1, 2)) == pytest.approx(10)
    assert pitagoras["distancia"]((-1, -1), (2, 3)) == pytest.approx(5)
    assert pitagoras["distancia"]((2, 2), (2, 2)) == 0


def test_ladder_self_check(pitagoras):
    revisar = lambda t: pitagoras["revisar_cateto"](6.5, 2.5, t)  # noqa: E731
    assert revisar("6").startswith("¡Correcto!") and revisar("6,0").startswith("¡Correcto!")
    assert "raíz cuadrada" in revisar("36")
    assert "Sumaste los cuadrados" in revisar("6.96")
    assert "no se restan directamente" in revisar("4")
    assert "menor que la hipotenusa" in revisar("8")
    assert revisar("2").startswith("No.")


# --- Matemáticas II, lección 3: razones trigonométricas y círculo unitario --------------------------

@pytest.mark.parametrize("theta", [0, 17, 30, 45, 60, 90, 120, 150, 180, 210, 225, 270, 300, 333, 360, -45, 405])
def test_unit_circle(circulo, theta):
    x, y = circulo["punto_circulo"](theta)
    assert (x, y) == pytest.approx((math.cos(theta * math.pi / 180), math.sin(theta * math.pi / 180)), abs=1e-12)
    assert x ** 2 + y ** 2 == pytest.approx(1)  # sen²θ + cos²θ = 1
    assert circulo["seno"](theta) == pytest.approx(circulo["coseno"](90 - theta), abs=1e-12)  # cofunctions
    assert circulo["punto_circulo"](theta + 360) == pytest.approx((x, y), abs=1e-12)
    assert circulo["radianes"](theta) == pytest.approx(math.radians(theta))
    if abs(x) > 1e-9:
        assert circulo["tangente"](theta) == pytest.approx(y / x)


def test_exact_values_in_degrees(circulo):
    assert circulo["seno"](30) == pytest.approx(0.5) and circulo["coseno"](60) == pytest.approx(0.5)
    assert circulo["coseno"](150) == pytest.approx(-math.sqrt(3) / 2)
    assert circulo["coseno"](135) == pytest.approx(-math.sqrt(2) / 2)
    assert circulo["seno"](225) == pytest.approx(-math.sqrt(2) / 2)
    assert circulo["tangente"](45) == pytest.approx(1)
    assert circulo["coseno"](90) == 0 and circulo["seno"](180) == 0  # no 6e-17 shown to students
    assert circulo["seno"](270) == -1 and circulo["coseno"](180) == -1
    for theta in (90, 270, -90, 450):
        with pytest.raises(ValueError, match="no está definida"):
            circulo["tangente"](theta)
    assert circulo["seno"](30) != pytest.approx(math.sin(30))  # degrees, not radians


@pytest.mark.parametrize("theta,cuadrante,referencia", [
    (30, "I", 30), (120, "II", 60), (150, "II", 30), (210, "III", 30), (300, "IV", 60), (330, "IV", 30),
    (390, "I", 30), (-30, "IV", 30), (0, "sobre un eje", 0), (90, "sobre un eje", 90), (270, "sobre un eje", 90)])
def test_quadrants_and_signs(circulo, theta, cuadrante, referencia):
    assert circulo["cuadrante"](theta) == cuadrante
    assert circulo["angulo_de_referencia"](theta) == pytest.approx(referencia)
    assert abs(circulo["seno"](theta)) == pytest.approx(sen(referencia), abs=1e-12)
    signos = {"I": (1, 1), "II": (-1, 1), "III": (-1, -1), "IV": (1, -1)}.get(cuadrante)
    if signos:
        x, y = circulo["punto_circulo"](theta)
        assert (math.copysign(1, x), math.copysign(1, y)) == signos


@pytest.mark.parametrize("opuesto,adyacente", [(3, 4), (4, 3), (5, 12), (1, 1), (8, 15), (7, 24), (1, 1000)])
def test_ratios_in_a_right_triangle(circulo, opuesto, adyacente):
    r = circulo["razones_triangulo"](opuesto, adyacente)
    h = math.hypot(opuesto, adyacente)
    assert r["hipotenusa"] == pytest.approx(h)
    assert (r["seno"], r["coseno"], r["tangente"]) == pytest.approx((opuesto / h, adyacente / h, opuesto / adyacente))
    assert r["seno"] ** 2 + r["coseno"] ** 2 == pytest.approx(1)
    assert r["seno"] == pytest.approx(sen(r["angulo"])) and r["coseno"] == pytest.approx(cos(r["angulo"]))
    assert 0 < r["angulo"] < 90
    with pytest.raises(ValueError, match="más de 0"):
        circulo["razones_triangulo"](0, adyacente)


def test_trig_self_checks(circulo):
    seno = lambda t: circulo["revisar_seno_triangulo"](3, 4, t)  # noqa: E731
    assert seno("0.6").startswith("¡Correcto!") and seno("0,6").startswith("¡Correcto!")
    assert "coseno" in seno("0.8")
    assert "tangente" in seno("0.75")
    assert "Invertiste" in seno("1.667")
    assert seno("0.5").startswith("No.")
    coseno = lambda t: circulo["revisar_coseno"](120, t)  # noqa: E731
    assert coseno("-0.5").startswith("¡Correcto!") and coseno("−0.5").startswith("¡Correcto!")
    assert "signo" in coseno("0.5") and "negativo" in coseno("0.5")
    assert "radianes" in coseno("0.81")  # cos(120 rad) = 0.814
    assert "seno" in coseno("0.87")
    assert "entre −1 y 1" in coseno("2")


# --- Matemáticas II, lección 4: leyes de senos y de cosenos ------------------------------------------

def test_law_of_cosines_reduces_to_pythagoras_at_90(leyes):
    for b, c in [(3, 4), (5, 12), (1, 1), (7.5, 2)]:
        assert leyes["ley_de_cosenos_lado"](b, c, 90) == pytest.approx(math.hypot(b, c))
        assert leyes["ley_de_cosenos_angulo"](math.hypot(b, c), b, c) == pytest.approx(90)


@pytest.mark.parametrize("b,c,A,a", [(8, 5, 60, 7), (15, 8, 60, 13), (5, 3, 120, 7), (8, 7, 120, 13), (1, 1, 60, 1),
                                     (3, 3, 180 - 1e-9, 6)])
def test_law_of_cosines_known_triangles(leyes, b, c, A, a):
    assert leyes["ley_de_cosenos_lado"](b, c, A) == pytest.approx(a)
    if A < 179:
        assert leyes["ley_de_cosenos_angulo"](a, b, c) == pytest.approx(A)


@pytest.mark.parametrize("b,c,A", [(8, 5, 60), (3, 4, 90), (5, 3, 120), (10, 2, 15), (6, 6, 100), (2, 11, 170)])
def test_solving_a_triangle_three_ways_agrees(leyes, b, c, A):
    t = leyes["resolver_lal"](b, c, A)
    assert t["a"] ** 2 == pytest.approx(b ** 2 + c ** 2 - 2 * b * c * cos(A))
    assert t["A"] + t["B"] + t["C"] == pytest.approx(180)
    # law of sines holds in the result: a/sen A = b/sen B = c/sen C
    razones = [t[x] / sen(t[X]) for x, X in (("a", "A"), ("b", "B"), ("c", "C"))]
    assert razones == pytest.approx([razones[0]] * 3)
    # the same triangle from its three sides (LLL) and from two angles and the side between them (ALA)
    t2 = leyes["resolver_lll"](t["a"], t["b"], t["c"])
    assert (t2["A"], t2["B"], t2["C"]) == pytest.approx((t["A"], t["B"], t["C"]))
    t3 = leyes["resolver_ala"](t["A"], t["B"], t["c"])
    assert (t3["a"], t3["b"]) == pytest.approx((t["a"], t["b"]))
    # area: ½·b·c·sen A equals Heron's formula; the drawing has the right side lengths
    s = (t["a"] + t["b"] + t["c"]) / 2
    assert leyes["area"](t) == pytest.approx(math.sqrt(s * (s - t["a"]) * (s - t["b"]) * (s - t["c"])))
    pA, pB, pC = leyes["vertices"](t)
    assert (math.dist(pB, pC), math.dist(pA, pC), math.dist(pA, pB)) == pytest.approx((t["a"], t["b"], t["c"]))


def test_law_of_sines(leyes):
    assert leyes["ley_de_senos_lado"](10, 30, 45) == pytest.approx(10 * math.sqrt(2))
    assert leyes["ley_de_senos_lado"](12, 45, 60) == pytest.approx(12 * math.sqrt(3) / math.sqrt(2))
    assert leyes["ley_de_senos_angulo"](10, 30, 10 * math.sqrt(2)) == pytest.approx(45)
    assert leyes["ley_de_senos_angulo"](2, 30, 4) == pytest.approx(90)  # sen B = 1 exactly
    with pytest.raises(ValueError, match="mayor que 1"):
        leyes["ley_de_senos_angulo"](2, 30, 5)
    t = leyes["resolver_ala"](40, 65, 10)
    assert t["C"] == 75
    assert (t["a"], t["b"]) == pytest.approx((10 * sen(40) / sen(75), 10 * sen(65) / sen(75)))


def test_laws_errors_in_spanish(leyes):
    with pytest.raises(ValueError, match="no se forma un triángulo"):
        leyes["ley_de_cosenos_angulo"](9, 4, 4)
    with pytest.raises(ValueError, match="no se forma un triángulo"):
        leyes["resolver_lll"](1, 2, 3)  # degenerate: a flat "triangle"
    with pytest.raises(ValueError, match="menor que 180°"):
        leyes["resolver_ala"](100, 80, 5)
    with pytest.raises(ValueError, match="entre 0° y 180°"):
        leyes["ley_de_cosenos_lado"](3, 4, 180)
    with pytest.raises(ValueError, match="mayores que 0"):
        leyes["ley_de_cosenos_lado"](0, 4, 60)
    with pytest.raises(ValueError, match="Caso desconocido"):
        leyes["pasos"]("LLA", [1, 2, 3])


def test_steps_shown_to_students(leyes):
    _, texto = leyes["pasos"]("LAL", [8, 5, 60])
    assert "a = 7 m" in texto and "cos 60°" in texto
    _, texto = leyes["pasos"]("ALA", [40, 65, 10])
    assert "C = 180° − 40° − 65° = 75°" in texto and "= 6.65 m" in texto and "b = c·sen B / sen C = 9.38 m" in texto
    _, texto = leyes["pasos"]("LLL", [7, 5, 3])
    assert "A = 120°" in texto


def test_law_of_cosines_self_check(leyes):
    revisar = lambda t: leyes["revisar_lado_a"](8, 5, 60, t)  # noqa: E731
    assert revisar("7").startswith("¡Correcto!") and revisar("7,0").startswith("¡Correcto!")
    assert "raíz cuadrada" in revisar("49")
    assert "Pitágoras" in revisar("9.43")  # forgot −2bc·cos A
    assert "el 2" in revisar("8.31")
    assert "signo" in revisar("11.36")
    assert "radianes" in revisar("12.85")
    assert revisar("3").startswith("No.")


# --- every angle in degrees says ° ----------------------------------------------------------------------

def _student_markdown(folder):
    for nb_path in sorted(folder.rglob("*.ipynb")):
        nb = nbformat.read(nb_path, as_version=4)
        for cell in nb.cells:
            if cell.cell_type == "markdown":
                yield nb_path.name, cell.source


def test_degrees_always_carry_the_degree_sign():
    sin_grados = re.compile(r"\b(?:sen|cos|tan) \d+(?:\.\d+)?(?![\d.°])|\b[ABCθ] = \d+(?:\.\d+)?(?![\d.°])"
                            r"|ángulo de \d+(?:\.\d+)?(?![\d.°])|\d+(?:\.\d+)? grados")
    for name, text in _student_markdown(MATE2):
        for sentence in re.split(r"(?<=[.:?])\s", text):
            if "radianes" in sentence or "RAD" in sentence:
                continue  # the one place that shows what a calculator in radians does
            assert not sin_grados.search(sentence), (name, sentence)


# --- evaluations: keys against an independent computation -------------------------------------------

ANSWER_RE = re.compile(r"assert abs\(float\((r\d+)\) - \((.+)\)\) <= (.+)\n")


def evaluation(folder, notebook):
    """{item: (solution value, hidden-test value, tolerance)} of an nbgrader source notebook."""
    nb = nbformat.read(folder / notebook, as_version=4)
    out = {}
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("solution"):
            ns = {}
            exec(cell.source.split("### BEGIN SOLUTION")[1].split("### END SOLUTION")[0], ns)
            item = meta["grade_id"].replace("respuesta_", "")
            out[item] = [ns[item]]
        elif meta.get("grade"):
            item, answer, tol = ANSWER_RE.search(cell.source).groups()
            out[item] += [eval(answer), eval(tol)]
    return out


def raiz_mayor(a, b, c):
    return (-b + math.sqrt(b ** 2 - 4 * a * c)) / (2 * a)


def angulo_opuesto(a, b, c):
    return math.degrees(math.acos((b ** 2 + c ** 2 - a ** 2) / (2 * b * c)))


EXPECTED = {
    (MATE1, "final"): {
        "r1": (10 - 1) / (5 - 2), "r2": -7, "r3": 1.5, "r4": 4 * 3 - 5, "r5": (-4) ** 2 + 2, "r6": 120 + 90 * 3.5,
        "r7": 15 / 5, "r8": (21 + 7) / 4, "r9": (14 + 6) / 2, "r10": (14 - 6) / 2},
    (MATE1, "practica-1"): {
        "r1": (-4 - 4) / (3 - (-1)), "r2": 2 * 2 ** 2 - 3 * 2 + 1, "r3": 6 / 2, "r4": 3 ** 2 - 6 * 3 + 5,
        "r5": raiz_mayor(2, -3, -2), "r6": 0 if 2 ** 2 - 4 * 5 < 0 else 2, "r7": (7 + 2) / 3},
    (MATE2, "diagnostico"): {
        "r1": 180 - 35 - 80, "r2": 90 - 28, "r3": (180 - 40) / 2, "r4": math.hypot(6, 8), "r5": math.sqrt(13 ** 2 - 5 ** 2),
        "r6": math.sqrt(5 ** 2 - 1.5 ** 2), "r7": 5 / 13, "r8": cos(60), "r9": cos(150),
        "r10": math.sqrt(8 ** 2 + 5 ** 2 - 2 * 8 * 5 * cos(60)), "r11": 10 * sen(45) / sen(30),
        "r12": angulo_opuesto(7, 5, 3)},
    (MATE2, "final"): {
        "r1": 180 - 42 - 75, "r2": 90 - 37, "r3": (180 - 50) / 2, "r4": math.hypot(9, 12), "r5": math.sqrt(17 ** 2 - 8 ** 2),
        "r6": math.sqrt(4 ** 2 - 1.2 ** 2), "r7": 8 / 17, "r8": sen(30), "r9": cos(135),
        "r10": math.sqrt(15 ** 2 + 8 ** 2 - 2 * 15 * 8 * cos(60)), "r11": 12 * sen(60) / sen(45),
        "r12": angulo_opuesto(13, 8, 7)},
    (MATE2, "practica-1"): {
        "r1": (5 - 2) * 180, "r2": 180 - (180 - 50 - 60), "r3": math.dist((1, 2), (7, 10)), "r4": 7 / 24, "r5": sen(225),
        "r6": angulo_opuesto(7, 5, 6), "r7": 10 * sen(40) / sen(180 - 40 - 65)},
}


def course_toml(folder):
    return tomllib.loads((folder / "course.toml").read_text(encoding="utf-8"))


@pytest.mark.parametrize("folder,ev_id", list(EXPECTED), ids=[f"{f.name}/{e}" for f, e in EXPECTED])
def test_evaluation_keys(folder, ev_id):
    ev = next(e for e in course_toml(folder)["evaluations"] if e["id"] == ev_id)
    keys = evaluation(folder, ev["notebook"])
    expected = EXPECTED[(folder, ev_id)]
    assert set(keys) == set(expected) == {it["id"] for it in ev["items"]}
    for item in ev["items"]:
        solucion, prueba, tol = keys[item["id"]]
        mine = expected[item["id"]]
        assert float(solucion) == pytest.approx(mine, abs=1e-3), item["id"]
        assert float(prueba) == pytest.approx(mine, abs=1e-3), item["id"]
        assert abs(round(mine, 2) - prueba) <= tol, item["id"]  # the correctly rounded answer passes
        assert abs(float(eval(item["wrong"])) - prueba) > tol, item["id"]  # the typical mistake does not


def test_lessons_reproduce_the_keys(cuadratica, pitagoras, circulo, leyes):
    """The lessons' own functions give the evaluations' answers (students can check with them)."""
    assert cuadratica["vertice"](1, -6, 5) == pytest.approx((3, -4))  # mate1 práctica r3, r4
    assert cuadratica["raices"](2, -3, -2)[-1] == pytest.approx(2)  # mate1 práctica r5
    assert cuadratica["raices"](1, 2, 5) == ()  # mate1 práctica r6
    assert pitagoras["cateto"](5, 1.5) == pytest.approx(4.7697, abs=1e-4)  # mate2 diagnóstico r6
    assert pitagoras["cateto"](4, 1.2) == pytest.approx(3.8158, abs=1e-4)  # mate2 final r6
    assert circulo["coseno"](150) == pytest.approx(-0.8660, abs=1e-4)  # mate2 diagnóstico r9
    assert leyes["resolver_lal"](8, 5, 60)["a"] == pytest.approx(7)  # mate2 diagnóstico r10
    assert leyes["resolver_lal"](15, 8, 60)["a"] == pytest.approx(13)  # mate2 final r10
    assert leyes["resolver_lll"](13, 8, 7)["A"] == pytest.approx(120)  # mate2 final r12
    assert leyes["resolver_ala"](40, 65, 10)["a"] == pytest.approx(6.6546, abs=1e-4)  # mate2 práctica r7


@pytest.mark.parametrize("folder", [MATE1, MATE2], ids=["mate1", "mate2"])
def test_diagnostic_and_final_are_parallel(folder):
    evs = {e["id"]: e for e in course_toml(folder)["evaluations"]}
    forma = lambda ev: [(it["id"], it["objective"], it["points"]) for it in ev["items"]]  # noqa: E731
    assert forma(evs["diagnostico"]) == forma(evs["final"])
    assert len(evs["diagnostico"]["items"]) >= 10 and len(evs["practica-1"]["items"]) >= 5
    # every objective is measured by both forms and taught by a lesson
    data = course_toml(folder)
    objetivos = {o["id"] for o in data["objectives"]}
    assert {it["objective"] for it in evs["diagnostico"]["items"]} == objetivos
    assert {o for l in data["lessons"] for o in l["objectives"]} == objetivos
