"""Física I — Cinemática y dinámica: the lessons' computations against closed-form results, and the
evaluations' keys against an independent computation (g = 9.8 m/s² everywhere)."""
import math
import re
from pathlib import Path

import nbformat
import pytest

from lessons import course_items as lessons_course_items, evaluation_cells, run_definitions

REPO = Path(__file__).resolve().parent.parent
COURSE = REPO / "courses" / "fisica1-cinematica-dinamica"
LESSONS = COURSE / "lecciones"
g = 9.8


def sen(grados):
    return math.sin(math.radians(grados))


def cos(grados):
    return math.cos(math.radians(grados))


@pytest.fixture(scope="module")
def mru():
    return run_definitions(LESSONS / "01-movimiento-rectilineo.ipynb")


@pytest.fixture(scope="module")
def caida():
    return run_definitions(LESSONS / "02-caida-libre.ipynb")


@pytest.fixture(scope="module")
def tiro():
    return run_definitions(LESSONS / "03-tiro-parabolico.ipynb")


@pytest.fixture(scope="module")
def newton():
    return run_definitions(LESSONS / "04-leyes-de-newton.ipynb")


# --- every lesson uses g = 9.8 m/s² and says so --------------------------------------------------

@pytest.mark.parametrize("name", ["01-movimiento-rectilineo", "02-caida-libre", "03-tiro-parabolico",
                                  "04-leyes-de-newton"])
def test_lessons_use_and_state_g(name):
    ns = run_definitions(LESSONS / f"{name}.ipynb")
    assert ns["G"] == 9.8
    nb = nbformat.read(LESSONS / f"{name}.ipynb", as_version=4)
    markdown = " ".join(c.source for c in nb.cells if c.cell_type == "markdown")
    if name != "01-movimiento-rectilineo":  # the first lesson has no gravity in it
        assert "g = 9.8 m/s²" in markdown


# --- 1. uniform and uniformly accelerated motion ---------------------------------------------------

@pytest.mark.parametrize("x0,v0,a,t", [(0, 0, 0, 5), (10, 4, 1.5, 6), (-20, 8, -2, 3.5), (5, -3, 0, 10),
                                       (0, 12, -3, 0)])
def test_position_and_velocity(mru, x0, v0, a, t):
    assert mru["posicion"](x0, v0, a, t) == pytest.approx(x0 + v0 * t + 0.5 * a * t ** 2)
    assert mru["velocidad"](v0, a, t) == pytest.approx(v0 + a * t)


def test_position_known_values(mru):
    assert mru["posicion"](10, 4, 1.5, 6) == pytest.approx(61)
    assert mru["posicion"](0, 0, 2.5, 8) == pytest.approx(80)  # from rest: ½·a·t²
    assert mru["posicion"](3, 5, 0, 4) == pytest.approx(23)  # MRU
    ts = [0, 1, 2]
    import numpy as np
    assert list(mru["posicion"](0, 2, 2, np.array(ts))) == pytest.approx([0, 3, 8])  # arrays, for the plots


def test_time_independent_equation(mru):
    """v² = v₀² + 2·a·Δx, checked against the same motion computed with the time."""
    for v0, a, t in [(10, 2, 2), (0, 9.8, 3), (20, -4, 3), (4, 1.5, 6)]:
        dx = mru["posicion"](0, v0, a, t)
        v = mru["velocidad"](v0, a, t)
        assert mru["velocidad_tras_recorrer"](v0, a, dx) == pytest.approx(abs(v))
    assert mru["velocidad_tras_recorrer"](10, 2, 24) == pytest.approx(14)
    assert mru["velocidad_tras_recorrer"](20, -4, 50) == pytest.approx(0)  # stops exactly there
    with pytest.raises(ValueError, match="se detiene antes"):
        mru["velocidad_tras_recorrer"](20, -4, 51)


def test_braking_distance(mru):
    assert mru["distancia_de_frenado"](20, -4) == pytest.approx(50)
    assert mru["distancia_de_frenado"](25, -5) == pytest.approx(62.5)
    assert mru["distancia_de_frenado"](-10, 2) == pytest.approx(25)  # moving backwards, braking forwards
    assert mru["distancia_de_frenado"](0, -3) == 0
    with pytest.raises(ValueError, match="opuesta"):
        mru["distancia_de_frenado"](20, 4)
    with pytest.raises(ValueError, match="opuesta"):
        mru["distancia_de_frenado"](20, 0)


def test_negative_time_is_refused_in_spanish(mru):
    with pytest.raises(ValueError, match="no puede ser negativo"):
        mru["posicion"](0, 1, 1, -1)
    with pytest.raises(ValueError, match="no puede ser negativo"):
        mru["velocidad"](0, 1, -0.5)


def test_kind_of_motion(mru):
    assert mru["tipo_de_movimiento"](0, 0).startswith("Reposo")
    assert mru["tipo_de_movimiento"](3, 0).startswith("MRU:")
    assert mru["tipo_de_movimiento"](0, 2).startswith("MRUA que acelera")
    assert mru["tipo_de_movimiento"](-4, -1).startswith("MRUA que acelera")
    frena = mru["tipo_de_movimiento"](8, -2)
    assert frena.startswith("MRUA que frena") and "t = 4 s" in frena


def test_position_self_check(mru):
    revisar = lambda texto: mru["revisar_posicion"](texto, x0=10, v0=4, a=1.5, t=6)  # noqa: E731
    assert revisar("61").startswith("¡Correcto!")
    assert revisar(" 61,0 ").startswith("¡Correcto!")
    assert "½" in revisar("88")  # forgot the ½
    assert "posición inicial" in revisar("51")  # forgot x₀
    assert "v₀·t" in revisar("37")  # forgot v₀·t
    assert "½·a·t²" in revisar("34")  # forgot the acceleration term
    assert "cuadrado" in revisar("38.5")  # t instead of t²
    assert "mayor" in revisar("70") and "menor" in revisar("0")
    assert revisar("abc").startswith("Escribe un número")


# --- 2. free fall and vertical throw --------------------------------------------------------------

@pytest.mark.parametrize("h", [0, 1, 20, 30, 45, 80, 100])
def test_fall_from_rest(caida, h):
    assert caida["tiempo_de_caida"](h) == pytest.approx(math.sqrt(2 * h / g))
    assert caida["velocidad_de_impacto"](h) == pytest.approx(math.sqrt(2 * g * h))
    assert caida["altura"](caida["tiempo_de_caida"](h), h, 0) == pytest.approx(0, abs=1e-9)


def test_fall_known_values(caida):
    assert caida["tiempo_de_caida"](45) == pytest.approx(3.0305, abs=1e-4)
    assert caida["tiempo_de_caida"](4.9) == pytest.approx(1)
    assert caida["velocidad_de_impacto"](20) == pytest.approx(19.799, abs=1e-3)


@pytest.mark.parametrize("h0,v0", [(0, 19.6), (0, 24.5), (10, 15), (50, -10), (0, 0), (100, 30)])
def test_vertical_throw(caida, h0, v0):
    t = caida["tiempo_de_caida"](h0, v0)
    assert t == pytest.approx((v0 + math.sqrt(v0 ** 2 + 2 * g * h0)) / g)
    assert caida["altura"](t, h0, v0) == pytest.approx(0, abs=1e-9)
    assert caida["velocidad_de_impacto"](h0, v0) == pytest.approx(abs(caida["velocidad_vertical"](t, v0)))
    up = max(v0, 0)
    assert caida["tiempo_de_subida"](v0) == pytest.approx(up / g)
    assert caida["altura_maxima"](h0, v0) == pytest.approx(h0 + up ** 2 / (2 * g))
    assert caida["velocidad_vertical"](caida["tiempo_de_subida"](v0), max(v0, 0)) == pytest.approx(0, abs=1e-12)


def test_vertical_throw_known_values(caida):
    assert caida["altura_maxima"](0, 19.6) == pytest.approx(19.6)
    assert caida["tiempo_de_caida"](0, 24.5) == pytest.approx(5)  # returns to the hand: 2·v₀/g
    assert caida["velocidad_de_impacto"](0, 24.5) == pytest.approx(24.5)  # same speed it was thrown with
    assert caida["tiempo_de_caida"](0, -5) == 0  # already on the ground, thrown down


def test_negative_height_is_refused_in_spanish(caida):
    for f in ("tiempo_de_caida", "velocidad_de_impacto"):
        with pytest.raises(ValueError, match="no puede ser negativa"):
            caida[f](-1)
    with pytest.raises(ValueError, match="no puede ser negativa"):
        caida["altura_maxima"](-5, 10)
    with pytest.raises(ValueError, match="no puede ser negativo"):
        caida["altura"](-1, 10, 0)


def test_fall_time_self_check(caida):
    revisar = lambda texto: caida["revisar_tiempo_caida"](texto, h=30)  # noqa: E731
    assert revisar("2.47").startswith("¡Correcto!")
    assert revisar("2,47").startswith("¡Correcto!")
    assert "raíz" in revisar("6.12")  # 2h/g
    assert "faltó el 2" in revisar("1.75")  # √(h/g)
    assert "t²" in revisar("3.06")  # h/g
    assert "rapidez" in revisar("24.25")  # √(2gh)
    assert "mayor" in revisar("5")
    assert revisar("").startswith("Escribe un número")


# --- 3. projectile motion -------------------------------------------------------------------------

@pytest.mark.parametrize("v,theta", [(20, 30), (30, 20), (15, 45), (18, 60), (10, 10), (25, 75), (7.5, 1)])
def test_projectile_closed_forms(tiro, v, theta):
    assert tiro["alcance"](v, theta) == pytest.approx(v ** 2 * sen(2 * theta) / g)
    assert tiro["altura_maxima"](v, theta) == pytest.approx(v ** 2 * sen(theta) ** 2 / (2 * g))
    assert tiro["tiempo_de_vuelo"](v, theta) == pytest.approx(2 * v * sen(theta) / g)
    vx, vy = tiro["componentes"](v, theta)
    assert (vx, vy) == (pytest.approx(v * cos(theta)), pytest.approx(v * sen(theta)))
    # the three are consistent: R = vₓ·T and H = v_y²/(2g)
    assert tiro["alcance"](v, theta) == pytest.approx(vx * tiro["tiempo_de_vuelo"](v, theta))
    assert tiro["altura_maxima"](v, theta) == pytest.approx(vy ** 2 / (2 * g))


def test_projectile_known_values(tiro):
    assert tiro["alcance"](20, 30) == pytest.approx(35.348, abs=1e-3)
    assert tiro["altura_maxima"](20, 30) == pytest.approx(5.102, abs=1e-3)
    assert tiro["tiempo_de_vuelo"](20, 30) == pytest.approx(2.041, abs=1e-3)
    assert tiro["alcance"](15, 45) == pytest.approx(225 / 9.8)


def test_range_is_largest_at_45_degrees(tiro):
    for v in (5, 12.5, 30):
        ranges = {theta: tiro["alcance"](v, theta) for theta in range(0, 91)}
        assert max(ranges, key=ranges.get) == 45
        assert ranges[45] == pytest.approx(v ** 2 / g)


@pytest.mark.parametrize("theta", [0, 10, 20, 25, 30, 35, 44, 45])
def test_complementary_angles_give_the_same_range(tiro, theta):
    other = tiro["angulo_complementario"](theta)
    assert other == 90 - theta
    assert tiro["alcance"](20, other) == pytest.approx(tiro["alcance"](20, theta), abs=1e-9)
    if theta != 45:  # … but not the same height or time in the air
        assert tiro["altura_maxima"](20, other) != pytest.approx(tiro["altura_maxima"](20, theta))


def test_edge_angles(tiro):
    assert tiro["alcance"](20, 90) == pytest.approx(0, abs=1e-9)  # straight up: lands where it started
    assert tiro["altura_maxima"](20, 90) == pytest.approx(400 / (2 * g))  # the vertical throw
    assert tiro["tiempo_de_vuelo"](20, 90) == pytest.approx(40 / g)
    assert tiro["alcance"](20, 0) == 0 and tiro["tiempo_de_vuelo"](20, 0) == 0 and tiro["altura_maxima"](20, 0) == 0
    assert tiro["alcance"](0, 45) == 0


def test_trajectory(tiro):
    x, y = tiro["trayectoria"](20, 30)
    assert x[0] == 0 and y[0] == 0
    assert x[-1] == pytest.approx(tiro["alcance"](20, 30))
    assert y[-1] == pytest.approx(0, abs=1e-9)
    assert max(y) == pytest.approx(tiro["altura_maxima"](20, 30), rel=1e-3)
    assert (y >= 0).all()


def test_projectile_bad_input_in_spanish(tiro):
    with pytest.raises(ValueError, match="no puede ser negativa"):
        tiro["alcance"](-5, 30)
    for theta in (-10, 91, 120):
        with pytest.raises(ValueError, match="entre 0° y 90°"):
            tiro["tiempo_de_vuelo"](10, theta)


def test_prediction_of_the_best_angle(tiro):
    revisar = tiro["revisar_prediccion"]
    assert revisar("45").startswith("¡Correcto!")
    assert revisar("45,0").startswith("¡Correcto!")
    assert "cos θ" in revisar("60") and "30°" in revisar("60")  # too steep: slow horizontally; same as 30°
    assert "tiempo de vuelo" in revisar("30") and "60°" in revisar("30")  # too flat: short flight
    assert "0 m" in revisar("90") and "0 m" in revisar("0")
    assert "entre 0° y 90°" in revisar("120")
    assert revisar("cuarenta").startswith("Escribe un ángulo")


# --- 4. Newton's laws -----------------------------------------------------------------------------

@pytest.mark.parametrize("m,F,mu_s,mu_k", [(5, 30, 0.4, 0.3), (10, 50, 0.4, 0.3), (6, 40, 0.5, 0.4), (2, 100, 0.9, 0.1),
                                           (8, 36, 0, 0)])
def test_horizontal_surface_moving(newton, m, F, mu_s, mu_k):
    assert F > mu_s * m * g
    assert newton["aceleracion_horizontal"](m, F, mu_s, mu_k) == pytest.approx((F - mu_k * m * g) / m)
    r = newton["fuerzas_bloque"](m, F, mu_s, mu_k)
    assert r["se_mueve"] and r["tipo_friccion"] == "cinética"
    assert r["peso"] == pytest.approx(m * g) and r["normal"] == pytest.approx(m * g) and r["peso_paralelo"] == 0
    assert r["friccion"] == pytest.approx(-mu_k * m * g)
    assert r["fuerza_neta"] == pytest.approx(m * r["aceleracion"])  # second law


@pytest.mark.parametrize("m,F,mu_s,mu_k", [(20, 80, 0.5, 0.3), (15, 60, 0.45, 0.25), (5, 19.6, 0.4, 0.3),
                                           (10, 0, 0.2, 0.1), (3, 0, 0, 0)])
def test_horizontal_surface_no_motion_when_F_is_at_most_static_friction(newton, m, F, mu_s, mu_k):
    assert F <= mu_s * m * g + 1e-9
    r = newton["fuerzas_bloque"](m, F, mu_s, mu_k)
    assert not r["se_mueve"] and r["tipo_friccion"] == "estática"
    assert r["aceleracion"] == 0 and r["fuerza_neta"] == 0
    assert r["friccion"] == pytest.approx(-F)  # static friction is just what balances F
    assert newton["aceleracion_horizontal"](m, F, mu_s, mu_k) == 0


def test_threshold_of_static_friction(newton):
    """F = μs·m·g exactly does not move it (5 · 0.4 · 9.8 = 19.6 N); a little more does."""
    assert newton["aceleracion_horizontal"](5, 0.4 * 5 * g, 0.4, 0.3) == 0
    assert newton["aceleracion_horizontal"](5, 19.6, 0.4, 0.3) == 0
    assert newton["aceleracion_horizontal"](5, 19.7, 0.4, 0.3) == pytest.approx((19.7 - 0.3 * 5 * g) / 5)


@pytest.mark.parametrize("theta,mu_s,mu_k", [(30, 0.3, 0.2), (37, 0.5, 0.25), (45, 0.6, 0.5), (25, 0, 0), (60, 0.9, 0.4)])
def test_incline_sliding_down(newton, theta, mu_s, mu_k):
    assert math.tan(math.radians(theta)) > mu_s
    assert newton["aceleracion_plano"](theta, mu_s, mu_k) == pytest.approx(g * (sen(theta) - mu_k * cos(theta)))
    r = newton["fuerzas_bloque"](4, 0, mu_s, mu_k, theta)
    assert r["normal"] == pytest.approx(4 * g * cos(theta))
    assert r["peso_paralelo"] == pytest.approx(4 * g * sen(theta))
    assert r["aceleracion"] == pytest.approx(-g * (sen(theta) - mu_k * cos(theta)))  # down the slope
    assert r["friccion"] == pytest.approx(mu_k * 4 * g * cos(theta))  # up the slope, against the motion


@pytest.mark.parametrize("theta,mu_s", [(20, 0.5), (10, 0.2), (0, 0), (26, 0.5)])
def test_incline_holds_when_tan_theta_is_at_most_mu_s(newton, theta, mu_s):
    assert math.tan(math.radians(theta)) <= mu_s
    assert newton["aceleracion_plano"](theta, mu_s, 0) == 0
    r = newton["fuerzas_bloque"](7, 0, mu_s, 0, theta)
    assert not r["se_mueve"] and r["friccion"] == pytest.approx(7 * g * sen(theta))


def test_mass_does_not_matter_on_the_incline(newton):
    a = [newton["fuerzas_bloque"](m, 0, 0.3, 0.2, 35)["aceleracion"] for m in (0.5, 3, 40)]
    assert a[0] == pytest.approx(a[1]) == pytest.approx(a[2])


def test_pushing_up_the_incline(newton):
    m, theta, mu_s, mu_k = 5, 30, 0.4, 0.3
    N = m * g * cos(theta)
    up = newton["fuerzas_bloque"](m, 80, mu_s, mu_k, theta)  # 80 N > m·g·sen θ + μs·N: goes up
    assert up["aceleracion"] == pytest.approx((80 - m * g * sen(theta) - mu_k * N) / m)
    hold = newton["fuerzas_bloque"](m, 30, mu_s, mu_k, theta)  # 24.5 N ± 16.97 N holds it
    assert hold["aceleracion"] == 0 and hold["friccion"] == pytest.approx(-(30 - m * g * sen(theta)))


def test_newton_bad_input_in_spanish(newton):
    f = newton["fuerzas_bloque"]
    with pytest.raises(ValueError, match="masa debe ser positiva"):
        f(0, 10, 0.3, 0.2)
    with pytest.raises(ValueError, match="no puede ser negativa"):
        f(5, -10, 0.3, 0.2)
    with pytest.raises(ValueError, match="no pueden ser negativos"):
        f(5, 10, -0.3, -0.4)
    with pytest.raises(ValueError, match="cinético no puede ser mayor"):
        f(5, 10, 0.3, 0.5)
    with pytest.raises(ValueError, match="entre 0° y 90°"):
        f(5, 10, 0.3, 0.2, 90)


def test_acceleration_self_check(newton):
    revisar = lambda texto: newton["revisar_aceleracion"](texto, m=5, F=30, mu_s=0.4, mu_k=0.3)  # noqa: E731
    assert revisar("3.06").startswith("¡Correcto!")
    assert revisar("3,06").startswith("¡Correcto!")
    assert "Olvidaste la fricción" in revisar("6")
    assert "Usaste μs" in revisar("2.08")
    assert "multiplicar por g" in revisar("5.7")
    assert "divide entre la masa" in revisar("15.3")
    assert "se resta" in revisar("8.94")
    assert revisar("x").startswith("Escribe un número")
    quieto = newton["revisar_aceleracion"]("1.06", m=20, F=80, mu_s=0.5, mu_k=0.3)
    assert "no supera" in quieto and not quieto.startswith("¡Correcto!")
    assert newton["revisar_aceleracion"]("0", m=20, F=80, mu_s=0.5, mu_k=0.3).startswith("¡Correcto!")


def test_does_it_slide_self_check(newton):
    assert newton["revisar_desliza"]("no", 20, 0.5).startswith("¡Correcto!")
    assert newton["revisar_desliza"]("si", 20, 0.5).startswith("No.")
    assert newton["revisar_desliza"]("si", 40, 0.5).startswith("¡Correcto!")  # tan 40° = 0.84 > 0.5
    assert newton["revisar_desliza"]("", 20, 0.5) == "Elige una opción."


# --- evaluations: the keys against an independent computation -------------------------------------

TEST_RE = re.compile(r"assert abs\(float\((r\d+)\) - \((.+?)\)\) <= ([0-9.]+)")

EXPECTED = {
    "diagnostico": {
        "r1": (110 - 10) / 20, "r2": 0.5 * 2.5 * 8 ** 2, "r3": 20 ** 2 / (2 * 4), "r4": math.sqrt(2 * 45 / g),
        "r5": 19.6 ** 2 / (2 * g), "r6": 2 * 24.5 / g, "r7": 20 ** 2 * sen(60) / g, "r8": (20 * sen(30)) ** 2 / (2 * g),
        "r9": 2 * 20 * sen(30) / g, "r10": 90 - 25, "r11": 36 / 8,
        "r12": (50 - 0.3 * 10 * g) / 10 if 50 > 0.4 * 10 * g else 0,
        "r13": (80 - 0.3 * 20 * g) / 20 if 80 > 0.5 * 20 * g else 0,
        "r14": g * (sen(30) - 0.2 * cos(30)),
    },
    "final": {
        "r1": (170 - 20) / 25, "r2": 0.5 * 3 * 6 ** 2, "r3": 25 ** 2 / (2 * 5), "r4": math.sqrt(2 * 80 / g),
        "r5": 14 ** 2 / (2 * g), "r6": 2 * 29.4 / g, "r7": 30 ** 2 * sen(40) / g, "r8": (30 * sen(20)) ** 2 / (2 * g),
        "r9": 2 * 30 * sen(20) / g, "r10": 90 - 35, "r11": 30 / 12,
        "r12": (40 - 0.4 * 6 * g) / 6 if 40 > 0.5 * 6 * g else 0,
        "r13": (60 - 0.25 * 15 * g) / 15 if 60 > 0.45 * 15 * g else 0,
        "r14": g * (sen(37) - 0.25 * cos(37)),
    },
    "practica-1": {
        "r1": math.sqrt(10 ** 2 + 2 * 2 * 24), "r2": 5 + 3 * 4 + 0.5 * 2 * 4 ** 2, "r3": math.sqrt(2 * g * 20),
        "r4": 15 ** 2 / g, "r5": 2 * 18 * sen(60) / g, "r6": g * sen(25), "r7": 5 * g * cos(20),
    },
}


def evaluation_keys(eid):
    """{item: (solution value, value in the hidden test, tolerance)} read from the source notebook."""
    solutions, sources = evaluation_cells(COURSE / "evaluaciones" / eid / f"{eid}.ipynb")
    tests = {}
    for source in sources.values():
        item, value, tolerance = TEST_RE.search(source).groups()
        tests[item] = (float(eval(value)), float(tolerance))
    return {item: (solutions[item], *tests[item]) for item in solutions}


def course_items():
    return lessons_course_items(COURSE)


@pytest.mark.parametrize("eid", sorted(EXPECTED))
def test_evaluation_keys_match_an_independent_computation(eid):
    keys = evaluation_keys(eid)
    assert set(keys) == set(EXPECTED[eid])
    for item, (solution, tested, tolerance) in keys.items():
        want = EXPECTED[eid][item]
        assert solution == pytest.approx(want, abs=1e-9), item
        assert tested == pytest.approx(want, abs=1e-5), item
        assert abs(round(want, 2) - tested) <= tolerance, item  # the correctly rounded answer passes


@pytest.mark.parametrize("eid", sorted(EXPECTED))
def test_plausible_wrong_answers_are_really_wrong(eid):
    keys, items = evaluation_keys(eid), course_items()[eid]
    for item, (_solution, tested, tolerance) in keys.items():
        wrong = eval(items[item]["wrong"], {})  # self-contained: the gate puts it alone in the cell
        assert abs(wrong - tested) > tolerance, item


def test_diagnostic_and_final_are_parallel_forms():
    items = course_items()
    form = lambda e: {i: (it["objective"], it["points"]) for i, it in items[e].items()}  # noqa: E731
    assert form("diagnostico") == form("final") and len(items["diagnostico"]) >= 10
    diag, final = evaluation_keys("diagnostico"), evaluation_keys("final")
    assert all(diag[i][0] != final[i][0] for i in diag if i not in ("r13",)), "same numbers in both forms"
