"""Probabilidad y estadística (mate3-probabilidad-estadistica): the lessons' computations against closed forms
(and independent implementations: Python's `statistics`, `math.comb`, numpy's polyfit/corrcoef), and the
evaluations' solutions against an independent recomputation of each item."""
import math
import re
import statistics
import tomllib
from fractions import Fraction
from itertools import product
from pathlib import Path

import nbformat
import numpy as np
import pytest

from lessons import run_definitions

REPO = Path(__file__).resolve().parent.parent
COURSE = REPO / "courses/mate3-probabilidad-estadistica"
LECCIONES = COURSE / "lecciones"


@pytest.fixture(scope="module")
def medidas():
    return run_definitions(LECCIONES / "01-medidas-de-tendencia-y-dispersion.ipynb")


@pytest.fixture(scope="module")
def probabilidad():
    return run_definitions(LECCIONES / "02-probabilidad-y-frecuencia.ipynb")


@pytest.fixture(scope="module")
def binomial():
    return run_definitions(LECCIONES / "03-distribucion-binomial.ipynb")


@pytest.fixture(scope="module")
def regresion():
    return run_definitions(LECCIONES / "04-regresion-lineal.ipynb")


DATA_SETS = [
    [12, 15, 9, 20, 15, 18, 15, 11],
    [2, 4, 4, 4, 5, 5, 7, 9],
    [4, 8, 6, 10, 2],
    [3.5, -1.25, 0, 7.75],
    [42],
    [5, 5, 5, 5],
]


# --- 01 medidas de tendencia central y de dispersión -------------------------------------------------------

@pytest.mark.parametrize("datos", DATA_SETS)
def test_mean_median_range_match_closed_forms(medidas, datos):
    n = len(datos)
    assert medidas["media"](datos) == pytest.approx(sum(datos) / n)
    ordenados = sorted(datos)
    centro = ordenados[n // 2] if n % 2 else (ordenados[n // 2 - 1] + ordenados[n // 2]) / 2
    assert medidas["mediana"](datos) == pytest.approx(centro)
    assert medidas["mediana"](datos) == pytest.approx(statistics.median(datos))
    assert medidas["rango"](datos) == pytest.approx(max(datos) - min(datos))


@pytest.mark.parametrize("datos", DATA_SETS)
def test_population_variance_divides_by_n(medidas, datos):
    n = len(datos)
    x_barra = sum(datos) / n
    sigma2 = sum((x - x_barra) ** 2 for x in datos) / n
    assert medidas["varianza"](datos) == pytest.approx(sigma2)
    assert medidas["varianza"](datos, muestral=False) == pytest.approx(statistics.pvariance(datos))
    assert medidas["desviacion_estandar"](datos) == pytest.approx(math.sqrt(sigma2))
    assert medidas["desviacion_estandar"](datos) == pytest.approx(statistics.pstdev(datos))


@pytest.mark.parametrize("datos", [d for d in DATA_SETS if len(d) > 1])
def test_sample_variance_divides_by_n_minus_1(medidas, datos):
    n = len(datos)
    x_barra = sum(datos) / n
    s2 = sum((x - x_barra) ** 2 for x in datos) / (n - 1)
    assert medidas["varianza"](datos, muestral=True) == pytest.approx(s2)
    assert medidas["varianza"](datos, muestral=True) == pytest.approx(statistics.variance(datos))
    assert medidas["desviacion_estandar"](datos, muestral=True) == pytest.approx(statistics.stdev(datos))
    if medidas["varianza"](datos) > 0:  # the sample form is larger by exactly n/(n − 1)
        assert medidas["varianza"](datos, muestral=True) / medidas["varianza"](datos) == pytest.approx(n / (n - 1))


def test_textbook_example_and_edge_cases(medidas):
    assert medidas["media"]([2, 4, 4, 4, 5, 5, 7, 9]) == 5
    assert medidas["desviacion_estandar"]([2, 4, 4, 4, 5, 5, 7, 9]) == pytest.approx(2)
    assert medidas["varianza"]([42]) == 0  # one datum: no spread in the population
    assert medidas["varianza"]([5, 5, 5, 5], muestral=True) == 0
    assert medidas["mediana"]([9, 1, 5]) == 5  # sorts before taking the middle
    assert medidas["mediana"]([10, 3, 8, 5]) == 6.5
    with pytest.raises(ValueError, match="al menos dos datos"):
        medidas["varianza"]([42], muestral=True)
    with pytest.raises(ValueError, match="No hay datos"):
        medidas["media"]([])


def test_mode(medidas):
    assert medidas["moda"]([12, 15, 9, 20, 15, 18, 15, 11]) == [15]
    assert medidas["moda"]([1, 2, 2, 3, 3]) == [2, 3]  # two modes
    assert medidas["moda"]([1, 2, 3]) == []  # no value repeats: no mode
    for datos in DATA_SETS:
        esperado = statistics.multimode(datos) if len(set(datos)) < len(datos) else []
        assert medidas["moda"](datos) == sorted(esperado)
    assert medidas["describir_moda"]([1, 2, 3]).startswith("no hay moda")
    assert "2 modas" in medidas["describir_moda"]([1, 2, 2, 3, 3])


def test_reading_data(medidas):
    assert medidas["leer_datos"]("12, 15,9;20  7.5") == [12, 15, 9, 20, 7.5]
    with pytest.raises(ValueError, match="«abc» no es un número"):
        medidas["leer_datos"]("1, abc, 3")
    with pytest.raises(ValueError, match="no es un número"):
        medidas["leer_datos"]("1, nan")
    with pytest.raises(ValueError, match="al menos un dato"):
        medidas["leer_datos"](" , ")


def test_table_labels_population_and_sample(medidas):
    datos = [4, 8, 6, 10, 2]
    poblacion = medidas["tabla_medidas"](datos, muestral=False)
    muestra = medidas["tabla_medidas"](datos, muestral=True)
    assert "poblacional σ²" in poblacion and "divide entre n = 5" in poblacion and "8 min²" in poblacion
    assert "muestral s²" in muestra and "divide entre n − 1 = 4" in muestra and "10 min²" in muestra
    assert "2.83 min" in poblacion and "3.16 min" in muestra
    assert medidas["numero"](-0.0001) == "0" and medidas["numero"](2.5) == "2.5" and medidas["numero"](3.0) == "3"


def test_standard_deviation_challenge_feedback(medidas):
    datos = [4, 8, 6, 10, 2]  # σ = √8, σ² = 8, s = √10, s² = 10, desviación media = 2.4
    revisar = medidas["revisar_desviacion"]
    assert revisar(datos, "2.83").startswith("¡Correcto!")
    assert revisar(datos, " 2,83 ").startswith("¡Correcto!")
    assert "varianza σ²" in revisar(datos, "8")
    assert "n − 1" in revisar(datos, "3.16") and "muestral" in revisar(datos, "3.16")
    assert "varianza muestral" in revisar(datos, "10")
    assert "desviación media" in revisar(datos, "2.4")
    assert "siempre da 0" in revisar(datos, "0")
    assert "mayor" in revisar(datos, "5") and "menor" in revisar(datos, "1")
    assert revisar(datos, "").startswith("Escribe un número")


# --- 02 probabilidad clásica y frecuencia relativa ---------------------------------------------------------

CLASSICAL = {  # counted by hand
    "Un dado: sale 6": (1, 6),
    "Un dado: sale un número par": (3, 6),
    "Una moneda: sale águila": (1, 2),
    "Dos monedas: al menos un águila": (3, 4),
    "Tres monedas: exactamente dos águilas": (3, 8),
    "Dos dados: la suma es 7": (6, 36),
    "Dos dados: sale un par (los dos iguales)": (6, 36),
    "Dos dados: la suma es 10 o más": (6, 36),
}


def test_every_experiment_is_checked(probabilidad):
    assert set(probabilidad["EVENTOS"]) == set(CLASSICAL)


@pytest.mark.parametrize("evento,esperado", CLASSICAL.items())
def test_classical_probability_counts_cases(probabilidad, evento, esperado):
    assert probabilidad["casos"](evento) == esperado
    assert probabilidad["probabilidad_clasica"](evento) == pytest.approx(esperado[0] / esperado[1])


def test_two_dice_sums_by_enumeration(probabilidad):
    for suma in range(2, 13):
        esperado = sum(1 for a, b in product(range(1, 7), repeat=2) if a + b == suma)
        assert len(probabilidad["parejas_que_suman"](suma)) == esperado == 6 - abs(7 - suma)


@pytest.mark.parametrize("evento", CLASSICAL)
def test_simulated_frequency_approaches_probability(probabilidad, evento):
    n = 200_000
    exitos = probabilidad["simular"](evento, n, semilla=7)
    assert exitos.shape == (n,) and exitos.dtype == bool
    p = probabilidad["probabilidad_clasica"](evento)
    sigma = math.sqrt(p * (1 - p) / n)  # ≈ 0.001: the frequency must be within 5 standard errors
    assert abs(exitos.mean() - p) < 5 * sigma + 1e-12
    # with few throws it is usually far: the law of large numbers, not an identity
    frecuencias = probabilidad["frecuencia_relativa_acumulada"](exitos)
    assert abs(frecuencias[-1] - p) < abs(frecuencias[9] - p) + 0.02


def test_seed_repeats_the_throws(probabilidad):
    evento = "Dos dados: la suma es 7"
    a = probabilidad["simular"](evento, 500, semilla=2024)
    b = probabilidad["simular"](evento, 500, semilla=2024)
    c = probabilidad["simular"](evento, 500, semilla=2025)
    assert np.array_equal(a, b) and not np.array_equal(a, c)
    with pytest.raises(ValueError, match="al menos 1"):
        probabilidad["simular"](evento, 0)
    with pytest.raises(ValueError, match="No conozco"):
        probabilidad["simular"]("Tres dados", 10)


def test_running_relative_frequency(probabilidad):
    f = probabilidad["frecuencia_relativa_acumulada"]([True, False, True, True])
    assert f == pytest.approx([1, 1 / 2, 2 / 3, 3 / 4])
    assert np.all((f >= 0) & (f <= 1))
    with pytest.raises(ValueError, match="No hay lanzamientos"):
        probabilidad["frecuencia_relativa_acumulada"]([])


def test_reading_and_checking_a_probability(probabilidad):
    leer = probabilidad["leer_probabilidad"]
    assert leer("5/36") == pytest.approx(5 / 36)
    assert leer("0,139") == pytest.approx(0.139) and leer("13.9%") == pytest.approx(0.139)
    assert leer("1/0") is None and leer("abc") is None
    revisar = probabilidad["revisar_suma_dos_dados"]
    assert revisar(8, "5/36").startswith("¡Correcto!") and revisar(8, "0.139").startswith("¡Correcto!")
    assert "11 sumas posibles" in revisar(8, "1/11")
    assert "(2, 6) y (6, 2)" in revisar(8, "3/36")
    assert "entre 0 y 1" in revisar(8, "5")
    assert revisar(8, "0.5").startswith("Aún no")
    assert revisar(7, "1/6").startswith("¡Correcto!")


# --- 03 distribución binomial --------------------------------------------------------------------------------

CASES = [(1, 0.5), (4, 0.5), (5, 0.25), (10, 0.3), (20, 0.7), (30, 0.01), (6, 0.0), (6, 1.0), (0, 0.4)]


@pytest.mark.parametrize("n,p", CASES)
def test_binomial_probability_closed_form_and_sum(binomial, n, p):
    distribucion = binomial["distribucion_binomial"](n, p)
    assert len(distribucion) == n + 1
    for k in range(n + 1):
        esperado = math.comb(n, k) * p ** k * (1 - p) ** (n - k)
        assert binomial["probabilidad_binomial"](n, p, k) == pytest.approx(esperado, abs=1e-15)
        assert distribucion[k] == pytest.approx(esperado, abs=1e-15)
    assert distribucion.sum() == pytest.approx(1)
    assert binomial["probabilidad_acumulada"](n, p, n) == pytest.approx(1)
    ks = np.arange(n + 1)
    assert (ks * distribucion).sum() == pytest.approx(n * p)  # the mean, from the distribution itself
    assert binomial["media_binomial"](n, p) == pytest.approx(n * p)
    varianza = ((ks - n * p) ** 2 * distribucion).sum()
    assert binomial["desviacion_binomial"](n, p) == pytest.approx(math.sqrt(varianza), abs=1e-12)
    assert binomial["desviacion_binomial"](n, p) == pytest.approx(math.sqrt(n * p * (1 - p)))


def test_binomial_known_values_and_edges(binomial):
    assert binomial["combinaciones"](5, 2) == 10 and binomial["combinaciones"](10, 0) == 1
    assert binomial["combinaciones"](4, 5) == 0 and binomial["combinaciones"](4, -1) == 0
    assert binomial["probabilidad_binomial"](4, 0.5, 2) == pytest.approx(6 / 16)
    assert binomial["probabilidad_binomial"](5, 0.25, 2) == pytest.approx(0.263671875)
    assert binomial["probabilidad_binomial"](4, 0.5, 5) == 0 and binomial["probabilidad_binomial"](4, 0.5, -1) == 0
    assert binomial["probabilidad_binomial"](6, 0.0, 0) == 1 and binomial["probabilidad_binomial"](6, 1.0, 6) == 1
    assert binomial["probabilidad_acumulada"](4, 0.25, 1) == pytest.approx(0.75 ** 4 + 4 * 0.25 * 0.75 ** 3)
    assert binomial["probabilidad_acumulada"](4, 0.25, -1) == 0
    with pytest.raises(ValueError, match="entre 0 y 1"):
        binomial["probabilidad_binomial"](5, 1.2, 2)
    with pytest.raises(ValueError, match="entre 0 y 1"):
        binomial["distribucion_binomial"](5, -0.1)
    with pytest.raises(ValueError, match="entero"):
        binomial["probabilidad_binomial"](-3, 0.5, 1)
    with pytest.raises(ValueError, match="entero"):
        binomial["combinaciones"](2.5, 1)


def test_binomial_challenge_feedback(binomial):
    revisar = binomial["revisar_binomial"]  # n = 5, p = 0.25, k = 2
    assert revisar(5, 0.25, 2, "0.264").startswith("¡Correcto!")
    assert revisar(5, 0.25, 2, "0,2637").startswith("¡Correcto!")
    assert "C(5, 2) = 10" in revisar(5, 0.25, 2, "0.026")  # forgot C(n, k)
    assert "Intercambiaste" in revisar(5, 0.25, 2, "0.088")  # swapped p and 1 − p
    assert "(1 − p)" in revisar(5, 0.25, 2, "0.625")  # forgot the failures
    assert "P(X ≤ 2)" in revisar(5, 0.25, 2, "0.8965")
    assert revisar(5, 0.25, 2, "0.5").startswith("Aún no")
    assert revisar(5, 0.25, 2, "x").startswith("Escribe un número")


# --- 04 regresión lineal ------------------------------------------------------------------------------------

def _cov_var(x, y):
    x, y = np.asarray(x, float), np.asarray(y, float)
    return np.cov(x, y, ddof=0)[0, 1], np.var(x)


@pytest.mark.parametrize("nombre", ["Horas de estudio y calificación", "Temperatura y venta de helados",
                                    "Horas frente a pantallas y horas de sueño", "Puntos alineados: y = 2x + 1"])
def test_least_squares_slope_is_cov_over_var(regresion, nombre):
    x, y = regresion["DATOS"][nombre][:2]
    cov, var = _cov_var(x, y)
    m, b = regresion["minimos_cuadrados"](x, y)
    assert regresion["covarianza"](x, y) == pytest.approx(cov)
    assert regresion["varianza_poblacional"](x) == pytest.approx(var)
    assert m == pytest.approx(cov / var)
    assert b == pytest.approx(np.mean(y) - m * np.mean(x))
    m_np, b_np = np.polyfit(x, y, 1)  # an independent least-squares fit
    assert (m, b) == (pytest.approx(m_np), pytest.approx(b_np))
    r = regresion["coeficiente_correlacion"](x, y)
    assert r == pytest.approx(np.corrcoef(x, y)[0, 1])
    assert -1 <= r <= 1
    # the least-squares line has the smallest sum of squared errors: any nudge makes it larger
    sec = regresion["suma_errores_cuadrados"]
    minimo = sec(x, y, m, b)
    assert minimo == pytest.approx(sum((yi - (m * xi + b)) ** 2 for xi, yi in zip(x, y)), abs=1e-9)
    for dm, db in [(0.01, 0), (-0.01, 0), (0, 0.1), (0, -0.1), (0.05, -0.2)]:
        assert sec(x, y, m + dm, b + db) > minimo
    # and the slider ranges of the lesson contain it
    (m_min, m_max, _), (b_min, b_max, _) = regresion["DATOS"][nombre][6:8]
    assert m_min <= m <= m_max and b_min <= b <= b_max


def test_correlation_bounds_and_collinear_data(regresion):
    r = regresion["coeficiente_correlacion"]
    assert r([0, 1, 2, 3], [1, 3, 5, 7]) == 1.0
    assert r([1, 2, 3, 4], [9, 7, 5, 3]) == -1.0
    assert r([0.1, 0.7, 1.3], [0.3, 2.1, 3.9]) == 1.0  # computed naively this is 1.0000000000000002
    assert r([1, 2, 3, 4, 5], [6, 8, 9, 8, 9]) == pytest.approx(6 / math.sqrt(60))
    generador = np.random.default_rng(1)
    for _ in range(50):
        x, y = generador.normal(size=8), generador.normal(size=8)
        assert -1 <= r(x, y) <= 1
        assert r(x, y) == pytest.approx(np.corrcoef(x, y)[0, 1])
        assert r(x, -3 * x + 2) == pytest.approx(-1) and r(x, 0.5 * x - 7) == pytest.approx(1)
    with pytest.raises(ValueError, match="r no está definido"):
        r([1, 2, 3], [4, 4, 4])
    with pytest.raises(ValueError, match="vertical"):
        regresion["minimos_cuadrados"]([2, 2, 2], [1, 2, 3])
    with pytest.raises(ValueError, match="mismo número"):
        regresion["minimos_cuadrados"]([1, 2, 3], [1, 2])
    with pytest.raises(ValueError, match="al menos dos puntos"):
        regresion["coeficiente_correlacion"]([1], [1])


def test_regression_texts(regresion):
    d = regresion["describir_correlacion"]
    assert d(1.0) == "correlación positiva perfecta" and d(-0.996) == "correlación negativa fuerte"
    assert d(0.6) == "correlación positiva moderada" and d(-0.3) == "correlación negativa débil"
    assert d(0.05).startswith("prácticamente no hay")
    assert regresion["formatear"](-0.42) == "−0.42" and regresion["formatear"](-0.001) == "0.00"
    c = regresion["comparar_con_minimo"]
    assert c(1.01, 1.0).startswith("¡Excelente!") and c(1.1, 1.0).startswith("Muy cerca")
    assert "100 %" in c(2.0, 1.0) and "SEC mínima es 0" in c(3.0, 0.0) and c(0.0, 0.0).startswith("¡Excelente!")


# --- evaluations: each solution recomputed independently ------------------------------------------------------

def _solutions(name):
    """{rK: solution value} from the nbgrader source notebook, and {rK: question text}."""
    nb = nbformat.read(COURSE / f"evaluaciones/{name}/{name}.ipynb", as_version=4)
    values, questions, last_question = {}, {}, ""
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            last_question = cell.source
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("solution"):
            item = meta["grade_id"].removeprefix("respuesta_")
            block = re.search(r"### BEGIN SOLUTION\n(.*?)### END SOLUTION", cell.source, re.S).group(1)
            ns = {}
            exec(block, ns)
            values[item], questions[item] = ns[item], last_question
    return values, questions


def _binom(n, p, k):
    return math.comb(n, k) * p ** k * (1 - p) ** (n - k)


def _dice(condition, count=2):
    cases = list(product(range(1, 7), repeat=count))
    return Fraction(sum(1 for c in cases if condition(c)), len(cases))


def _coins(condition, count):
    cases = list(product((0, 1), repeat=count))
    return Fraction(sum(1 for c in cases if condition(c)), len(cases))


def _fit(x, y):
    m, b = np.polyfit(x, y, 1)
    return m, b, np.corrcoef(x, y)[0, 1]


DIAG_FIT, FINAL_FIT = _fit([1, 2, 3, 4, 5], [6, 8, 9, 8, 9]), _fit([1, 2, 3, 4, 5], [2, 5, 4, 7, 7])

EXPECTED = {
    "diagnostico": {
        "r1": statistics.mean([12, 15, 9, 30, 14]),
        "r2": statistics.median([5, 8, 3, 10, 7, 12]),
        "r3": statistics.pstdev([3, 5, 6, 8, 8]),
        "r4": Fraction(len([c for c in range(1, 7) if c > 4]), 6),
        "r5": _dice(lambda c: sum(c) == 9),
        "r6": 140 / 250,
        "r7": _binom(4, 0.5, 2),
        "r8": _binom(5, 0.1, 1),
        "r9": 1 - _binom(3, 0.25, 0),
        "r10": DIAG_FIT[0], "r11": DIAG_FIT[1], "r12": DIAG_FIT[2],
    },
    "final": {
        "r1": statistics.mean([3, 5, 4, 12, 6]),
        "r2": statistics.median([15, 11, 18, 13, 16, 12]),
        "r3": statistics.pstdev([1, 3, 5, 7, 9]),
        "r4": Fraction(len([c for c in range(1, 11) if c > 7]), 10),
        "r5": _dice(lambda c: sum(c) == 6),
        "r6": 62 / 300,
        "r7": _binom(5, 0.5, 3),
        "r8": _binom(4, 0.2, 1),
        "r9": 1 - _binom(3, 0.3, 0),
        "r10": FINAL_FIT[0], "r11": FINAL_FIT[1], "r12": FINAL_FIT[2],
    },
    "practica-1": {
        "r1": statistics.mode([1, 2, 0, 2, 3, 2, 1, 4, 2]),
        "r2": statistics.variance([140, 160, 180, 200]),
        "r3": max([18, 25, 21, 30, 16, 22, 24]) - min([18, 25, 21, 30, 16, 22, 24]),
        "r4": _dice(lambda c: sum(c) != 7),
        "r5": _coins(lambda c: sum(c) == 2, 3),
        "r6": _binom(4, 0.25, 0) + _binom(4, 0.25, 1),
        "r7": math.sqrt(50 * 0.2 * 0.8),
        "r8": np.corrcoef([1, 2, 3, 4], [9, 7, 5, 3])[0, 1],
        "r9": np.polyval([0.6, 6.2], 4.5),
    },
}


@pytest.mark.parametrize("name", list(EXPECTED))
def test_evaluation_solutions_match_independent_computation(name):
    values, _ = _solutions(name)
    assert set(values) == set(EXPECTED[name])
    for item, expected in EXPECTED[name].items():
        assert float(values[item]) == pytest.approx(float(expected), abs=1e-9), f"{name} {item}"


@pytest.mark.parametrize("name", list(EXPECTED))
def test_hidden_tests_accept_rounded_answers_and_reject_the_plausible_wrong_one(name):
    """The rounding each question asks for passes its hidden test; the declared wrong answer fails it."""
    course = tomllib.loads((COURSE / "course.toml").read_text(encoding="utf-8"))
    evaluation = next(e for e in course["evaluations"] if e["notebook"].endswith(f"{name}.ipynb"))
    wrong = {it["id"]: it["wrong"] for it in evaluation["items"]}
    nb = nbformat.read(COURSE / evaluation["notebook"], as_version=4)
    tests = {c.metadata["nbgrader"]["grade_id"]: c.source for c in nb.cells
             if c.metadata.get("nbgrader", {}).get("grade")}
    values, questions = _solutions(name)

    def passes(item, answer):
        try:
            exec(tests[item], {item: answer})
        except AssertionError:
            return False
        return True

    for item, value in values.items():
        question = questions[item]
        decimals = 3 if "tres decimales" in question else 2
        assert passes(item, value), f"{name} {item}: the solution fails its own test"
        assert passes(item, round(float(value), decimals)), f"{name} {item}: the rounded answer is rejected"
        assert not passes(item, eval(wrong[item])), f"{name} {item}: the plausible wrong answer passes"
        with pytest.raises(AssertionError, match="Falta la respuesta"):
            exec(tests[item], {item: None})


def test_diagnostic_and_final_are_parallel():
    course = tomllib.loads((COURSE / "course.toml").read_text(encoding="utf-8"))
    forms = {e["id"]: {it["id"]: (it["objective"], it["points"]) for it in e["items"]} for e in course["evaluations"]}
    assert forms["diagnostico"] == forms["final"] and len(forms["diagnostico"]) >= 10
    assert len(forms["practica-1"]) >= 5
    objectives = {o["id"] for o in course["objectives"]}
    assert {o for o, _ in forms["diagnostico"].values()} == objectives
    diag, _ = _solutions("diagnostico")
    final, _ = _solutions("final")
    assert all(diag[k] != final[k] for k in diag)  # different numbers, same objective
