"""Física II — Energía, ondas y electricidad: the lessons' computations against closed forms
(K = ½mv², U = mgh, v = √(2gh), P = W/t, v = λf, T = 1/f, series and parallel resistance, Ohm's law,
P = VI = I²R, energy conserved along the roller-coaster simulation), and the evaluations' solutions
against an independent computation of each item."""
import math
import re
import tomllib
from functools import lru_cache
from pathlib import Path

import nbformat
import pytest

from lessons import run_definitions

REPO = Path(__file__).resolve().parent.parent
COURSE = REPO / "courses/fisica2-energia-ondas-electricidad"
G = 9.8


@lru_cache(maxsize=None)
def lesson(name):
    return run_definitions(COURSE / "lecciones" / name)


def trabajo_ns():
    return lesson("01-trabajo-y-energia.ipynb")


def montana_ns():
    return lesson("02-montana-rusa.ipynb")


def potencia_ns():
    return lesson("03-potencia.ipynb")


def ondas_ns():
    return lesson("04-ondas-mecanicas.ipynb")


def ohm_ns():
    return lesson("05-ley-de-ohm-circuitos.ipynb")


def spanish_error(func, *args, contains):
    with pytest.raises(ValueError) as err:
        func(*args)
    assert contains in str(err.value)


# --- 01 trabajo y energía cinética ---------------------------------------------------------------

def test_work_is_force_times_distance_times_cosine():
    trabajo = trabajo_ns()["trabajo"]
    assert trabajo(50, 10, 0) == pytest.approx(500)
    assert trabajo(50, 10) == pytest.approx(500)  # θ = 0° by default
    assert trabajo(50, 10, 60) == pytest.approx(250)
    assert trabajo(40, 5, 30) == pytest.approx(200 * math.sqrt(3) / 2)
    assert trabajo(50, 10, 90) == 0.0  # exactly zero, not 3e-14
    assert trabajo(50, 10, 180) == pytest.approx(-500)
    assert trabajo(50, 10, 120) == pytest.approx(-250)
    assert trabajo(0, 10, 30) == 0.0 and trabajo(50, 0, 30) == 0.0
    spanish_error(trabajo, 50, -1, 0, contains="distancia")
    spanish_error(trabajo, -5, 2, 0, contains="fuerza")
    assert trabajo_ns()["componente_paralela"](50, 60) == pytest.approx(25)
    assert trabajo_ns()["componente_paralela"](50, 90) == 0.0


def test_kinetic_energy_and_work_energy_theorem():
    ns = trabajo_ns()
    K, vf = ns["energia_cinetica"], ns["rapidez_final"]
    assert K(2, 3) == pytest.approx(9)
    assert K(1200, 15) == pytest.approx(135000)
    assert K(5, 0) == 0
    assert K(2, -3) == pytest.approx(9)  # the direction does not matter
    spanish_error(K, 0, 3, contains="masa")
    assert vf(2, 0, 100) == pytest.approx(10)  # ½·2·v² = 100 J
    assert vf(20, 2, 250) == pytest.approx(math.sqrt(2 * (40 + 250) / 20))
    assert vf(20, 2, -40) == pytest.approx(0, abs=1e-12)  # all its kinetic energy removed
    assert vf(20, 2, 0) == pytest.approx(2)
    spanish_error(vf, 20, 2, -41, contains="se detiene")
    describe = ns["describir_trabajo"]
    assert "positivo" in describe(10) and "negativo" in describe(-10) and "cero" in describe(0)


def test_work_challenge_feedback_explains_the_mistake():
    revisar = trabajo_ns()["revisar_reto"]  # 40 N, 60°, 5 m: 100 J
    assert revisar("100").startswith("¡Correcto!")
    assert revisar(" 100,0 ").startswith("¡Correcto!")
    assert "cos θ" in revisar("200")
    assert "radianes" in revisar(str(200 * math.cos(60)))
    assert "seno" in revisar(str(200 * math.sin(math.radians(60))))
    assert "Dividiste" in revisar("8")
    assert "mayor" in revisar("150") and "menor" in revisar("50")
    assert revisar("cien").startswith("Escribe un número")


# --- 02 montaña rusa ------------------------------------------------------------------------------

def test_potential_energy_and_speed_from_height():
    ns = montana_ns()
    assert ns["G"] == 9.8
    U, v = ns["energia_potencial"], ns["rapidez_desde_altura"]
    assert U(2.5, 1.8) == pytest.approx(44.1)
    assert U(60, 15) == pytest.approx(8820)
    assert U(1, 0) == 0
    spanish_error(U, -1, 2, contains="masa")
    assert v(20) == pytest.approx(math.sqrt(392))
    assert v(45) == pytest.approx(29.698, abs=1e-3)
    assert v(0) == 0
    assert v(10, g=1.6) == pytest.approx(math.sqrt(32))  # on the Moon
    spanish_error(v, -3, contains="negativa")


def test_speed_at_any_height_and_maximum_height():
    ns = montana_ns()
    v_at, h_max, passes = ns["rapidez_en_altura"], ns["altura_maxima"], ns["pasa_la_colina"]
    assert v_at(30, 10) == pytest.approx(math.sqrt(2 * G * 20))
    assert v_at(25, 15) == pytest.approx(14.0)
    assert v_at(10, 0, 5) == pytest.approx(math.sqrt(25 + 2 * G * 10))
    assert v_at(10, 10, 3) == pytest.approx(3)
    assert v_at(10, 10) == 0
    spanish_error(v_at, 10, 12, 0, contains="no tiene energía")
    assert v_at(10, 12, 7) == pytest.approx(math.sqrt(49 - 2 * G * 2))  # v₀ lets it climb higher
    assert h_max(10) == 10
    assert h_max(5, 9.8) == pytest.approx(5 + 9.8 ** 2 / (2 * G))
    assert passes(20) and not passes(10) and not passes(15)
    assert passes(10, 10)  # 10 m + 5.1 m > 15 m
    assert not passes(10, 9)  # 10 m + 4.1 m < 15 m


def test_track_shape():
    ns = montana_ns()
    h = ns["altura_pista"]
    assert h(0, 20) == 20 and h(15, 20) == 0
    assert h(25, 20) == pytest.approx(15)  # the top of the hill
    assert h(35, 20) == pytest.approx(0, abs=1e-12) and h(45, 20) == 0
    assert h(7.5, 20) == pytest.approx(5)  # (1 − ½)² · 20 m


@pytest.mark.parametrize("H,v0,m", [(20, 0, 500), (10, 0, 300), (40, 0, 1000), (5, 10, 100), (14, 3, 750),
                                    (15, 0.5, 200)])
def test_roller_coaster_simulation_conserves_energy(H, v0, m):
    ns = montana_ns()
    sim = ns["simular_montana"](H, v0, m)
    K, U, E, v, h = sim["K"], sim["U"], sim["E"], sim["v"], sim["h"]
    E0 = 0.5 * m * v0 ** 2 + m * G * H
    assert E[0] == pytest.approx(E0)
    assert K == pytest.approx(0.5 * m * v ** 2)
    assert U == pytest.approx(m * G * h)
    # the motion comes from the forces (Runge-Kutta), not from the energy: K + U is constant to rounding
    assert max(abs(E - E0)) / E0 < 1e-4
    assert (K >= 0).all() and (h >= -1e-9).all()
    # speed at the bottom (h = 0 m): √(v₀² + 2gH), and √(2gH) when it starts from rest
    assert max(v) == pytest.approx(math.sqrt(v0 ** 2 + 2 * G * H), rel=1e-3)
    if ns["pasa_la_colina"](H, v0):
        assert sim["x"][-1] >= 50  # reaches the end of the track
        assert v[-1] == pytest.approx(math.sqrt(v0 ** 2 + 2 * G * H), rel=1e-3)
    else:
        assert max(sim["x"]) < 25  # never reaches the top of the hill
        assert max(h[sim["t"] > 0.5]) == pytest.approx(ns["altura_maxima"](H, v0), abs=0.02)  # turns back there


def test_roller_coaster_bottom_speed_is_the_closed_form():
    ns = montana_ns()
    sim = ns["simular_montana"](20, 0.0, 500)
    bottom = min(range(len(sim["x"])), key=lambda i: abs(sim["x"][i] - 15))
    assert sim["v"][bottom] == pytest.approx(math.sqrt(2 * G * 20), rel=1e-3)
    assert sim["K"][bottom] == pytest.approx(500 * G * 20, rel=2e-3)  # all of U turned into K
    mass_free = ns["simular_montana"](20, 0.0, 100)
    assert mass_free["v"] == pytest.approx(sim["v"])  # the motion does not depend on the mass
    estado = ns["estado_en"]
    assert estado(sim, 0) == 0
    assert sim["t"][estado(sim, 1.0)] == pytest.approx(1.0)
    assert estado(sim, 1000) == len(sim["t"]) - 1
    spanish_error(ns["simular_montana"], 0, 0, 500, contains="mayores que cero")


def test_roller_coaster_challenge_feedback():
    revisar = montana_ns()["revisar_reto"]  # from rest at 25 m, top of the 15 m hill: 14 m/s
    assert revisar("14").startswith("¡Correcto!") and revisar("14,00").startswith("¡Correcto!")
    assert "raíz" in revisar("196")
    assert "Te faltó el 2" in revisar(str(math.sqrt(98)))
    assert "punto más bajo" in revisar("22.14")
    assert "altura de la colina" in revisar("17.15")
    assert "Sumaste" in revisar(str(math.sqrt(2 * G * 40)))
    assert revisar("").startswith("Escribe un número")


# --- 03 potencia ----------------------------------------------------------------------------------

def test_power_is_work_over_time():
    ns = potencia_ns()
    W, P = ns["trabajo_para_subir"], ns["potencia"]
    assert W(60, 9) == pytest.approx(5292)
    assert W(300, 12) == pytest.approx(35280)
    assert W(70, 0) == 0
    spanish_error(W, 70, -3, contains="negativa")
    spanish_error(W, 0, 3, contains="masa")
    assert P(5292, 15) == pytest.approx(352.8)
    assert P(W(300, 12), 20) == pytest.approx(1764)
    assert P(0, 5) == 0
    spanish_error(P, 100, 0, contains="mayor que 0 s")
    spanish_error(P, 100, -2, contains="mayor que 0 s")
    assert ns["potencia_fuerza_velocidad"](500, 2) == pytest.approx(1000)
    E = ns["energia_consumida"]
    assert E(60, 5 * 3600) == pytest.approx(1.08e6)
    assert E(1500, 120) == pytest.approx(180000)
    assert list(E(10, [0, 1, 2])) == [0, 10, 20]
    spanish_error(E, 60, -1, contains="negativo")
    assert ns["a_caballos"](746) == pytest.approx(1)
    assert ns["a_caballos"](1492) == pytest.approx(2)


def test_power_comparison_text():
    compare = potencia_ns()["comparar_con_aparatos"]
    assert "menor" in compare(5)
    assert "foco LED" in compare(10) and "licuadora" not in compare(10)
    assert "licuadora" in compare(500) and "microondas" not in compare(500)
    assert "Cuidado" in compare(2000) and "Cuidado" not in compare(1400)


def test_power_challenge_feedback():
    revisar = potencia_ns()["revisar_reto"]  # 400 kg, 30 m, 20 s: 5880 W
    assert revisar("5880").startswith("¡Correcto!") and revisar("5880,0").startswith("¡Correcto!")
    assert "trabajo" in revisar("117600")
    assert "g = 9.8" in revisar("600")
    assert "Multiplicaste" in revisar(str(117600 * 20))
    assert "caballos" in revisar(str(5880 / 746))
    assert "kilowatts" in revisar("5.88")


# --- 04 ondas mecánicas ---------------------------------------------------------------------------

def test_wave_speed_period_wavelength():
    ns = ondas_ns()
    v, T = ns["rapidez_onda"], ns["periodo"]
    assert v(0.5, 4) == pytest.approx(2)
    assert v(2, 0.5) == pytest.approx(1)
    assert v(0.6, 5) == pytest.approx(3)
    assert T(2.5) == pytest.approx(0.4)
    assert T(4) == pytest.approx(0.25)
    assert ns["frecuencia_desde_periodo"](0.5) == pytest.approx(2)
    assert ns["longitud_de_onda"](340, 680) == pytest.approx(0.5)
    assert ns["longitud_de_onda"](1500, 600) == pytest.approx(2.5)
    assert v(2, 1 / T(4)) == pytest.approx(2 / T(4))  # v = λ/T = λ·f
    spanish_error(T, 0, contains="frecuencia")
    spanish_error(v, -1, 2, contains="longitud de onda")
    spanish_error(v, 1, -2, contains="Hz")
    spanish_error(ns["frecuencia_desde_periodo"], 0, contains="periodo")


def test_wave_shape_travels_at_v():
    ns = ondas_ns()
    y, crest = ns["desplazamiento"], ns["posicion_cresta"]
    A, lam, f = 0.5, 2.0, 0.5
    v, T = lam * f, 1 / f
    assert y(0, 0, A, lam, f) == pytest.approx(0, abs=1e-12)
    assert y(lam / 4, 0, A, lam, f) == pytest.approx(A)  # a crest
    assert y(3 * lam / 4, 0, A, lam, f) == pytest.approx(-A)  # a trough
    for t in (0, 0.3, 1.7, 3.95):
        assert y(crest(t, lam, f), t, A, lam, f) == pytest.approx(A)  # the marked crest stays a crest
        assert crest(t, lam, f) == pytest.approx(lam / 4 + v * t)
        for x in (0.0, 1.3, 4.2, 9.9):
            assert y(x, t + T, A, lam, f) == pytest.approx(y(x, t, A, lam, f), abs=1e-9)  # period T = 1/f
            assert y(x + lam, t, A, lam, f) == pytest.approx(y(x, t, A, lam, f), abs=1e-9)  # wavelength λ
            assert y(x + v * 0.4, t + 0.4, A, lam, f) == pytest.approx(y(x, t, A, lam, f), abs=1e-9)  # moves right
    assert crest(T, lam, f) - crest(0, lam, f) == pytest.approx(lam)  # in one period it advances one λ
    spanish_error(y, 0, 0, -1, lam, f, contains="amplitud")


def test_wave_challenge_feedback():
    revisar = ondas_ns()["revisar_rapidez"]
    assert revisar("2", 0.5, 4).startswith("¡Correcto!")
    assert revisar("0,91", 0.7, 1.3).startswith("¡Correcto!")
    assert "Dividiste λ entre f" in revisar("0.125", 0.5, 4)
    assert "Dividiste f entre λ" in revisar("8", 0.5, 4)
    assert "periodo" in revisar("0.25", 0.5, 4)
    assert revisar("x", 0.5, 4).startswith("Escribe un número")


# --- 05 ley de Ohm --------------------------------------------------------------------------------

def test_equivalent_resistance():
    ns = ohm_ns()
    serie, paralelo = ns["resistencia_serie"], ns["resistencia_paralelo"]
    assert serie([4, 6, 10]) == pytest.approx(20)
    assert serie([7]) == 7
    assert paralelo([6, 3]) == pytest.approx(2)
    assert paralelo([12, 6]) == pytest.approx(4)
    assert paralelo([10, 10, 5]) == pytest.approx(2.5)
    assert paralelo([10, 20, 30]) == pytest.approx(60 / 11)
    assert paralelo([8]) == pytest.approx(8)
    assert paralelo([30, 30, 30]) == pytest.approx(10)
    for rs in ([1, 2, 3], [5, 100, 50]):
        assert paralelo(rs) < min(rs) < max(rs) < serie(rs)
    spanish_error(serie, [4, 0], contains="mayor que 0 Ω")
    spanish_error(paralelo, [4, -2], contains="mayor que 0 Ω")
    spanish_error(paralelo, [], contains="al menos una")


def test_ohms_law_and_power():
    ns = ohm_ns()
    assert ns["corriente"](12, 20) == pytest.approx(0.6)
    assert ns["corriente"](0, 20) == 0
    spanish_error(ns["corriente"], 12, 0, contains="mayor que 0 Ω")
    assert ns["potencia_electrica"](12, 2) == pytest.approx(24)


@pytest.mark.parametrize("V,rs", [(12, [10, 20, 30]), (9, [10, 20, 1]), (24, [2, 8, 14]), (1.5, [100, 100, 100])])
def test_circuit_analysis(V, rs):
    analizar = ohm_ns()["analizar_circuito"]
    s = analizar(V, rs, "serie")
    I = V / sum(rs)
    assert s["R_eq"] == pytest.approx(sum(rs)) and s["I"] == pytest.approx(I)
    assert s["I_i"] == pytest.approx([I] * 3)  # the same current through all
    assert s["V_i"] == pytest.approx([I * R for R in rs]) and sum(s["V_i"]) == pytest.approx(V)
    p = analizar(V, rs, "paralelo")
    R_eq = 1 / sum(1 / R for R in rs)
    assert p["R_eq"] == pytest.approx(R_eq) and p["I"] == pytest.approx(V / R_eq)
    assert p["V_i"] == pytest.approx([V] * 3)  # the same voltage across all
    assert p["I_i"] == pytest.approx([V / R for R in rs]) and sum(p["I_i"]) == pytest.approx(p["I"])
    for c in (s, p):
        assert c["P_i"] == pytest.approx([v * i for v, i in zip(c["V_i"], c["I_i"])])  # P = V·I
        assert c["P_i"] == pytest.approx([i ** 2 * R for i, R in zip(c["I_i"], rs)])  # P = I²·R
        assert sum(c["P_i"]) == pytest.approx(c["P"]) and c["P"] == pytest.approx(V * c["I"])
    assert p["P"] > s["P"]  # the battery gives more power to the parallel circuit


def test_circuit_edge_cases():
    analizar = ohm_ns()["analizar_circuito"]
    cero = analizar(0, [10, 20, 30], "paralelo")
    assert cero["I"] == 0 and cero["P_i"] == [0, 0, 0]
    spanish_error(analizar, -5, [10, 20], "serie", contains="negativo")
    spanish_error(analizar, 5, [10, 20], "mixto", contains="serie")
    spanish_error(analizar, 5, [10, 0], "paralelo", contains="mayor que 0 Ω")


def test_circuit_challenge_feedback():
    ns = ohm_ns()
    eq, cur = ns["revisar_equivalente"], ns["revisar_corriente"]
    rs = [10, 20, 30]
    assert eq("60", rs, "serie").startswith("¡Correcto!")
    assert eq("5,45", rs, "paralelo").startswith("¡Correcto!")
    assert "Sumaste las resistencias" in eq("60", rs, "paralelo")
    assert "invertir" in eq(str(1 / 10 + 1 / 20 + 1 / 30), rs, "paralelo")
    assert "promedio" in eq("20", rs, "paralelo")
    assert "menor que la menor" in eq("12", rs, "paralelo")
    assert "regla del paralelo" in eq("5.45", rs, "serie")
    assert cur("0.2", 12, rs, "serie").startswith("¡Correcto!")
    assert cur("2.2", 12, rs, "paralelo").startswith("¡Correcto!")
    assert "Multiplicaste" in cur("720", 12, rs, "serie")
    assert "Invertiste" in cur("5", 12, rs, "serie")
    assert "otra conexión" in cur("0.2", 12, rs, "paralelo")


# --- evaluations ----------------------------------------------------------------------------------

def paralelo(*rs):
    return 1 / sum(1 / R for R in rs)


def W(F, d, grados):
    return F * d * math.cos(math.radians(grados))


# Each item recomputed from the data in its question, independently of the notebook.
EXPECTED = {
    "diagnostico": {
        "r1": W(50, 8, 60), "r2": 0.5 * 1200 * 15 ** 2, "r3": 2.5 * G * 1.8, "r4": math.sqrt(2 * G * 20),
        "r5": 6 ** 2 / (2 * G), "r6": 300 * G * 12 / 20, "r7": 1500 * 2 * 60, "r8": 0.5 * 4, "r9": 1 / 2.5,
        "r10": 340 / 680, "r11": 12 / (4 + 6 + 10), "r12": paralelo(6, 3), "r13": 2 ** 2 * 5,
    },
    "final": {
        "r1": W(120, 6, 60), "r2": 0.5 * 0.15 * 40 ** 2, "r3": 60 * G * 15, "r4": math.sqrt(2 * G * 45),
        "r5": 8 ** 2 / (2 * G), "r6": 800 * G * 15 / 30, "r7": 2000 * 5 * 60, "r8": 0.6 * 5, "r9": 1 / 4,
        "r10": 1500 / 600, "r11": 24 / (2 + 8 + 14), "r12": paralelo(12, 6), "r13": 3 ** 2 * 4,
    },
    "practica-1": {
        "r1": 0.5 * 70 * 5 ** 2, "r2": math.sqrt(2 * G * (30 - 10)), "r3": 60 * G * 9 / 12, "r4": 2 / 0.5,
        "r5": 9 / (10 + 20) * 20, "r6": 10 ** 2 / paralelo(10, 10, 5),
    },
}
from pasaporte.quality import SOLUTION_RE  # noqa: E402
TOML = tomllib.loads((COURSE / "course.toml").read_text(encoding="utf-8"))
EVALUATIONS = {ev["id"]: ev for ev in TOML["evaluations"]}


def graded_cells(evaluation_id):
    """{item: (solution source, hidden test source, question markdown)} of an evaluation's source notebook."""
    nb = nbformat.read(COURSE / EVALUATIONS[evaluation_id]["notebook"], as_version=4)
    cells, question = {}, ""
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        if cell.cell_type == "markdown":
            question = cell.source
        elif meta.get("solution"):
            item = meta["grade_id"].removeprefix("respuesta_")
            cells[item] = [SOLUTION_RE.search(cell.source).group(1), None, question]
        elif meta.get("grade"):
            cells[meta["grade_id"]][1] = cell.source
    return cells


def passes(test_source, item, answer):
    try:
        exec(test_source, {item: answer})
    except AssertionError:
        return False
    return True


@pytest.mark.parametrize("evaluation_id", sorted(EXPECTED))
def test_evaluation_solutions_match_an_independent_computation(evaluation_id):
    cells = graded_cells(evaluation_id)
    assert set(cells) == set(EXPECTED[evaluation_id])
    wrong = {it["id"]: eval(it["wrong"]) for it in EVALUATIONS[evaluation_id]["items"]}
    for item, (solution, test, question) in cells.items():
        ns = {}
        exec(solution, ns)
        expected = EXPECTED[evaluation_id][item]
        assert ns[item] == pytest.approx(expected), (evaluation_id, item)
        assert passes(test, item, ns[item]), (evaluation_id, item)
        if "dos decimales" in question:
            assert passes(test, item, round(expected, 2)), (evaluation_id, item)  # the rounded answer is right
        else:
            assert passes(test, item, round(expected, 2)) and passes(test, item, float("%.3g" % expected))
        assert not passes(test, item, wrong[item]), (evaluation_id, item)  # the typical mistake loses the points
        assert not passes(test, item, expected * 1.05 + 0.05), (evaluation_id, item)
        with pytest.raises(AssertionError):
            exec(test, {item: None})
        assert re.search(r"\ben (J|m/s|m|W|s|A|V|Ω)\b", question), (evaluation_id, item, "the unit of the answer")
        if "g =" in question or "gravitacional" in question:
            assert "g = 9.8 m/s²" in question


def test_diagnostic_and_final_are_parallel_forms():
    form = lambda ev: [(it["id"], it["objective"], it["points"]) for it in EVALUATIONS[ev]["items"]]  # noqa: E731
    assert form("diagnostico") == form("final") and len(form("final")) >= 10
    assert len(EVALUATIONS["practica-1"]["items"]) >= 5
    objectives = {o["id"] for o in TOML["objectives"]}
    assert {it["objective"] for it in EVALUATIONS["diagnostico"]["items"]} == objectives
    assert {it["objective"] for it in EVALUATIONS["practica-1"]["items"]} == objectives
    diag, final = graded_cells("diagnostico"), graded_cells("final")
    assert all(diag[i][2].split(".", 1)[1] != final[i][2].split(".", 1)[1] for i in diag)  # different numbers
