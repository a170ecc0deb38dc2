"""Química I — Materia, mol y estequiometría: the lessons' computations against closed forms (PV = nRT,
molar masses, atom conservation, limiting reagent), and the evaluations' keys against an independent
computation of each item (R = 0.082 atm·L/(mol·K), Nₐ = 6.022 × 10²³, standard atomic masses)."""
import re
from pathlib import Path

import nbformat
import pytest

from lessons import course_items as lessons_course_items, evaluation_cells, run_definitions

REPO = Path(__file__).resolve().parent.parent
COURSE = REPO / "courses" / "quimica1-materia-estequiometria"
LESSONS = COURSE / "lecciones"
R = 0.082
NA = 6.022e23
# standard atomic masses (g/mol) the course states; rounded ones as many textbooks use
H, C, N, O, NA_, MG, AL, S, CL, K, CA, FE = (1.008, 12.011, 14.007, 15.999, 22.990, 24.305, 26.982, 32.06, 35.45,
                                             39.098, 40.078, 55.845)
STANDARD = {"H": H, "C": C, "N": N, "O": O, "Na": NA_, "Mg": MG, "Al": AL, "S": S, "Cl": CL, "K": K, "Ca": CA,
            "Fe": FE}
M_H2 = 2 * H
M_O2 = 2 * O
M_H2O = 2 * H + O
M_CO2 = C + 2 * O
M_CH4 = C + 4 * H
M_NACL = NA_ + CL
M_CL2 = 2 * CL
M_CAOH2 = CA + 2 * (O + H)


@pytest.fixture(scope="module")
def gas():
    return run_definitions(LESSONS / "01-gas-ideal.ipynb")


@pytest.fixture(scope="module")
def mol():
    return run_definitions(LESSONS / "02-mol-masa-molar.ipynb")


@pytest.fixture(scope="module")
def bal():
    return run_definitions(LESSONS / "03-balanceo.ipynb")


@pytest.fixture(scope="module")
def est():
    return run_definitions(LESSONS / "04-estequiometria.ipynb")


def markdown(name):
    nb = nbformat.read(LESSONS / name, as_version=4)
    return " ".join(c.source for c in nb.cells if c.cell_type == "markdown")


# --- constants are the ones the course states -------------------------------------------------------

def test_constants_are_stated_and_used(gas, mol, est):
    assert gas["R"] == R and "R = 0.082 atm·L/(mol·K)" in markdown("01-gas-ideal.ipynb")
    assert "T(K) = T(°C) + 273.15" in markdown("01-gas-ideal.ipynb")
    assert mol["NA"] == NA and "6.022 × 10²³" in markdown("02-mol-masa-molar.ipynb")
    for ns, name in ((mol, "02-mol-masa-molar.ipynb"), (est, "04-estequiometria.ipynb")):
        assert ns["MASAS_ATOMICAS"] == STANDARD
        text = markdown(name)
        for symbol in ("H", "C", "N", "O", "Na", "S", "Cl", "Ca"):
            assert "%s = %s" % (symbol, {"S": "32.06", "Cl": "35.45"}.get(symbol, "%.3f" % STANDARD[symbol])) in text


# --- 1. states of matter and the ideal gas ------------------------------------------------------------

@pytest.mark.parametrize("c,k", [(0, 273.15), (25, 298.15), (100, 373.15), (-273.15, 0.0), (-40, 233.15)])
def test_celsius_to_kelvin(gas, c, k):
    assert gas["celsius_a_kelvin"](c) == pytest.approx(k)
    assert gas["kelvin_a_celsius"](k) == pytest.approx(c)


def test_below_absolute_zero_is_refused_in_spanish(gas):
    with pytest.raises(ValueError, match="cero absoluto"):
        gas["celsius_a_kelvin"](-274)
    with pytest.raises(ValueError, match="kelvin no puede ser negativa"):
        gas["kelvin_a_celsius"](-1)
    with pytest.raises(ValueError, match="cero absoluto"):
        gas["estado_del_agua"](-300)


@pytest.mark.parametrize("t,estado", [(-10, "sólido"), (0, "sólido y líquido (se funde)"), (0.5, "líquido"),
                                      (50, "líquido"), (100, "líquido y gas (hierve)"), (120, "gas")])
def test_state_of_water_at_1_atm(gas, t, estado):
    assert gas["estado_del_agua"](t) == estado


@pytest.mark.parametrize("n,T,V", [(1.0, 273.15, 22.4), (2.0, 300.15, 10.0), (0.5, 400.0, 3.0), (10.0, 1000.0, 1.0),
                                   (0.1, 50.0, 100.0)])
def test_ideal_gas_each_unknown(gas, n, T, V):
    P = n * R * T / V
    assert gas["presion_gas"](n, T, V) == pytest.approx(P)
    assert gas["volumen_gas"](n, T, P) == pytest.approx(V)
    assert gas["temperatura_gas"](P, V, n) == pytest.approx(T)
    assert gas["moles_gas"](P, V, T) == pytest.approx(n)
    resolver = gas["resolver_gas_ideal"]
    assert resolver("P", V=V, T=T, n=n) == pytest.approx(P)
    assert resolver("V", P=P, T=T, n=n) == pytest.approx(V)
    assert resolver("T", P=P, V=V, n=n) == pytest.approx(T)
    assert resolver("n", P=P, V=V, T=T) == pytest.approx(n)


def test_ideal_gas_known_values(gas):
    assert gas["volumen_gas"](1, 273.15, 1) == pytest.approx(22.40, abs=0.01)  # molar volume at 0 °C and 1 atm
    assert gas["presion_gas"](2.0, 300.15, 10.0) == pytest.approx(4.92, abs=0.01)
    assert gas["temperatura_gas"](1.5, 8.2, 0.5) == pytest.approx(300.0)
    assert gas["moles_gas"](2.0, 5.0, 350) == pytest.approx(0.3484, abs=1e-4)
    # doubling T doubles V; doubling P halves V
    v = gas["volumen_gas"](1, 300, 1)
    assert gas["volumen_gas"](1, 600, 1) == pytest.approx(2 * v)
    assert gas["volumen_gas"](1, 300, 2) == pytest.approx(v / 2)


def test_boyle(gas):
    assert gas["ley_de_boyle"](1.0, 4.0, 2.5) == pytest.approx(1.6)
    assert gas["ley_de_boyle"](2.0, 3.0, 2.0) == pytest.approx(3.0)
    P1, V1, P2 = 1.3, 7.0, 0.4
    assert P2 * gas["ley_de_boyle"](P1, V1, P2) == pytest.approx(P1 * V1)


def test_gas_bad_input_in_spanish(gas):
    with pytest.raises(ValueError, match="kelvin"):
        gas["presion_gas"](1, 0, 10)
    with pytest.raises(ValueError, match="El volumen"):
        gas["presion_gas"](1, 300, -1)
    with pytest.raises(ValueError, match="La cantidad de sustancia"):
        gas["volumen_gas"](0, 300, 1)
    with pytest.raises(ValueError, match="P, V, T o n"):
        gas["resolver_gas_ideal"]("x", P=1, V=1, T=1)
    with pytest.raises(ValueError, match="Falta el dato"):
        gas["resolver_gas_ideal"]("P", V=1, T=300)


def test_gas_description_has_units(gas):
    texto = gas["describir_gas"]("P", 0, 22.4, 273.15, 1)
    assert texto.startswith("P = nRT/V") and texto.endswith("= 1 atm")
    assert gas["describir_gas"]("T", 1.5, 8.2, 0, 0.5).endswith("= 300 K (26.85 °C)")
    assert gas["describir_gas"]("V", 1, 0, 273.15, 1).endswith("= 22.4 L")
    assert gas["describir_gas"]("n", 2, 5, 350, 0).endswith("= 0.348 mol")


def test_volume_self_check(gas):
    revisar = lambda texto: gas["revisar_volumen"](texto, n=2.0, t_celsius=27, P=1.5)  # noqa: E731
    correcto = 2.0 * R * 300.15 / 1.5  # 32.82 L
    assert revisar("%.2f" % correcto).startswith("¡Correcto!")
    assert revisar(("%.2f" % correcto).replace(".", ",")).startswith("¡Correcto!")
    assert "°C" in revisar("%.2f" % (2.0 * R * 27 / 1.5))
    assert "273.15, no 273" in revisar("%.2f" % (2.0 * R * 300 / 1.5))
    assert "la presión divide" in revisar("%.2f" % (2.0 * R * 300.15 * 1.5))
    assert "n = 2 mol" in revisar("%.2f" % (R * 300.15 / 1.5))
    assert "Invertiste" in revisar("%.4f" % (1.5 / (2.0 * R * 300.15)))
    assert "mayor" in revisar("100") and "menor" in revisar("1")
    assert revisar("").startswith("Escribe un número")


# --- 2. the mole and molar mass ----------------------------------------------------------------------

@pytest.mark.parametrize("formula,expected", [("H2O", 18.02), ("CO2", 44.01), ("NaCl", 58.44), ("Ca(OH)2", 74.09),
                                              ("H2SO4", 98.07), ("C6H12O6", 180.16), ("Na2CO3", 105.99),
                                              ("Mg(OH)2", 58.32), ("NH3", 17.03), ("CaCO3", 100.09)])
def test_molar_masses(mol, formula, expected):
    assert mol["masa_molar"](formula) == pytest.approx(expected, abs=0.01)


def test_molar_masses_against_hand_sums(mol):
    assert mol["masa_molar"]("H2O") == pytest.approx(M_H2O)
    assert mol["masa_molar"]("Ca(OH)2") == pytest.approx(M_CAOH2)
    assert mol["masa_molar"]("Al2(SO4)3") == pytest.approx(2 * AL + 3 * (S + 4 * O))
    assert mol["masa_molar"]("H₂O") == pytest.approx(M_H2O)  # subscripts as students see them
    assert mol["masa_molar"]({"H": 2, "O": 1}) == pytest.approx(M_H2O)
    rounded = {"H": 1.0, "O": 16.0}
    assert mol["masa_molar"]("H2O", rounded) == 18.0


@pytest.mark.parametrize("formula,counts", [
    ("H2O", {"H": 2, "O": 1}), ("H2SO4", {"H": 2, "S": 1, "O": 4}), ("Ca(OH)2", {"Ca": 1, "O": 2, "H": 2}),
    ("Al2(SO4)3", {"Al": 2, "S": 3, "O": 12}), ("K4[Fe(CN)6]", {"K": 4, "Fe": 1, "C": 6, "N": 6}),
    ("CuSO4·5H2O", {"Cu": 1, "S": 1, "O": 9, "H": 10}), ("CH3COOH", {"C": 2, "H": 4, "O": 2}),
    ("Fe2O3", {"Fe": 2, "O": 3}), ("(NH4)2SO4", {"N": 2, "H": 8, "S": 1, "O": 4}), ("C₆H₁₂O₆", {"C": 6, "H": 12, "O": 6}),
    ("Cl2", {"Cl": 2}), ("Co", {"Co": 1}), ("CO", {"C": 1, "O": 1}),
])
def test_formula_parser(mol, bal, est, formula, counts):
    for ns in (mol, bal, est):  # the three lessons carry the same parser
        assert ns["parsear_formula"](formula) == counts


@pytest.mark.parametrize("formula,message", [
    ("Ca(OH", "Falta cerrar"), ("CO)2", "no están bien cerrados"), ("Ca(OH]2", "no están bien cerrados"),
    ("Xx2", "no es el símbolo"), ("h2o", "mayúscula"), ("2H2O", "coeficiente va separado"), ("", "Escribe una fórmula"),
    ("H0", "no puede ser 0"), ("H2O$", "No entiendo"), ("()2", "paréntesis vacío"), ("CuSO4··5H2O", "Sobra un punto"),
])
def test_formula_parser_errors_in_spanish(mol, formula, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        mol["parsear_formula"](formula)


def test_molar_mass_errors(mol):
    with pytest.raises(ValueError, match="masa atómica de Cu"):
        mol["masa_molar"]("CuSO4")
    with pytest.raises(ValueError, match="vacía"):
        mol["masa_molar"]({"H": 0})


def test_formula_from_counts(mol):
    escribir, leer = mol["formula_desde_conteos"], mol["parsear_formula"]
    assert escribir({"H": 2, "O": 1}) == "H2O"
    assert escribir({"O": 2, "C": 1}) == "CO2"
    assert escribir({"Cl": 1, "Na": 1}) == "NaCl"
    assert escribir({"O": 4, "S": 1, "H": 2}) == "H2SO4"
    assert escribir({"C": 0, "H": 0}) == ""
    for counts in ({"Ca": 1, "O": 2, "H": 2}, {"C": 6, "H": 12, "O": 6}, {"Na": 2, "C": 1, "O": 3}, {"Cu": 1, "S": 1}):
        assert leer(escribir(counts)) == counts


def test_percent_composition(mol):
    p = mol["composicion_porcentual"]("H2O")
    assert p["H"] == pytest.approx(100 * 2 * H / M_H2O) and p["O"] == pytest.approx(100 * O / M_H2O)
    for f in ("CO2", "Ca(OH)2", "C6H12O6"):
        assert sum(mol["composicion_porcentual"](f).values()) == pytest.approx(100)


def test_grams_moles_particles(mol):
    assert mol["gramos_a_moles"](36.0, M_H2O) == pytest.approx(36.0 / M_H2O)
    assert mol["moles_a_gramos"](1.5, M_CAOH2) == pytest.approx(1.5 * M_CAOH2)
    assert mol["moles_a_particulas"](0.5) == pytest.approx(3.011e23)
    assert mol["particulas_a_moles"](6.022e23) == pytest.approx(1.0)
    r = mol["convertir_cantidad"](88.0, "g", "CO2")
    assert r["mol"] == pytest.approx(88.0 / M_CO2) and r["partículas"] == pytest.approx(88.0 / M_CO2 * NA)
    r = mol["convertir_cantidad"](2.0, "mol", "NaCl")
    assert r["g"] == pytest.approx(2 * M_NACL) and r["partículas"] == pytest.approx(2 * NA)
    r = mol["convertir_cantidad"](3.011e23, "partículas", "O2")
    assert r["g"] == pytest.approx(0.5 * M_O2) and r["mol"] == pytest.approx(0.5)
    assert mol["convertir_cantidad"](0, "g", "H2O") == {"g": 0, "mol": 0, "partículas": 0}


def test_conversion_bad_input_in_spanish(mol):
    with pytest.raises(ValueError, match="La masa no puede ser negativa"):
        mol["gramos_a_moles"](-1, 18)
    with pytest.raises(ValueError, match="negativa"):
        mol["convertir_cantidad"](-2, "mol", "H2O")
    with pytest.raises(ValueError, match="g, mol o partículas"):
        mol["convertir_cantidad"](2, "kg", "H2O")


def test_scientific_notation(mol):
    assert mol["notacion_cientifica"](1.2041536e24) == "1.204 × 10²⁴"
    assert mol["notacion_cientifica"](4.15e-25) == "4.150 × 10⁻²⁵"
    assert mol["notacion_cientifica"](18.015) == "18.015"
    assert mol["notacion_cientifica"](0) == "0"


def test_moles_self_check(mol):
    revisar = lambda texto: mol["revisar_moles"](texto, gramos=90.0, formula="H2O")  # noqa: E731
    assert revisar("5.00").startswith("¡Correcto!") and revisar("4,996").startswith("¡Correcto!")
    assert "Multiplicaste" in revisar("%.2f" % (90.0 * M_H2O))
    assert "Invertiste" in revisar("%.3f" % (M_H2O / 90.0))
    assert "subíndices" in revisar("%.2f" % (90.0 / (H + O)))
    assert "partículas" in revisar("3.01e24") and "partículas" in revisar("3.01×10^24")
    assert revisar("7").startswith("No es correcto. Calcula la masa molar")
    assert revisar("cinco").startswith("Escribe un número")


# --- 3. balancing equations --------------------------------------------------------------------------

BALANCED = [
    (["CH4", "O2"], ["CO2", "H2O"], (1, 2, 1, 2)),
    (["H2", "O2"], ["H2O"], (2, 1, 2)),
    (["N2", "H2"], ["NH3"], (1, 3, 2)),
    (["Fe", "O2"], ["Fe2O3"], (4, 3, 2)),
    (["C3H8", "O2"], ["CO2", "H2O"], (1, 5, 3, 4)),
    (["Ca(OH)2", "HCl"], ["CaCl2", "H2O"], (1, 2, 1, 2)),
    (["H2SO4", "NaOH"], ["Na2SO4", "H2O"], (1, 2, 1, 2)),
    (["Al2(SO4)3", "Ca(OH)2"], ["Al(OH)3", "CaSO4"], (1, 3, 2, 3)),
    (["C2H6", "O2"], ["CO2", "H2O"], (2, 7, 4, 6)),
    (["KMnO4", "HCl"], ["KCl", "MnCl2", "Cl2", "H2O"], (2, 16, 2, 2, 5, 8)),
    (["CO2", "H2O"], ["C6H12O6", "O2"], (6, 6, 1, 6)),
]


@pytest.mark.parametrize("reactivos,productos,coef", BALANCED, ids=[" + ".join(r) for r, _, _ in BALANCED])
def test_balanced_equations_are_accepted_and_any_single_change_is_rejected(bal, reactivos, productos, coef):
    verificar = bal["verificar_coeficientes"]
    assert verificar(reactivos, productos, list(coef))
    assert verificar(reactivos, productos, [2 * c for c in coef])  # still balanced (not the smallest)
    for i in range(len(coef)):
        changed = list(coef)
        changed[i] += 1
        assert not verificar(reactivos, productos, changed), changed


@pytest.mark.parametrize("reactivos,productos,coef", [
    (["CH4", "O2"], ["CO2", "H2O"], (1, 1, 1, 1)), (["H2", "O2"], ["H2O"], (1, 1, 1)),
    (["N2", "H2"], ["NH3"], (1, 3, 3)), (["Fe", "O2"], ["Fe2O3"], (2, 3, 2)),
    (["Ca(OH)2", "HCl"], ["CaCl2", "H2O"], (1, 2, 1, 1)), (["H2", "O2"], ["H2O2"], (2, 1, 2)),
])
def test_unbalanced_equations_are_rejected(bal, reactivos, productos, coef):
    assert not bal["verificar_coeficientes"](reactivos, productos, list(coef))


def test_atom_table_counts_each_side(bal):
    lado = bal["leer_lado"]
    tabla = bal["tabla_atomos"](lado("CH4 + O2"), lado("CO2 + H2O"))
    assert tabla == {"C": (1, 1), "H": (4, 2), "O": (2, 3)}
    tabla = bal["tabla_atomos"](lado("3 Ca(OH)2"), lado("Ca3(OH)6"))
    assert tabla == {"Ca": (3, 3), "O": (6, 6), "H": (6, 6)}
    assert bal["elementos_desbalanceados"](lado("CH4 + O2"), lado("CO2 + H2O")) == [("H", 4, 2), ("O", 2, 3)]


def test_balance_description_says_which_element(bal):
    describir, leer = bal["describir_balance"], bal["leer_ecuacion"]
    texto = describir(*leer("CH4 + O2 -> CO2 + H2O"))
    assert texto.startswith("No está balanceada.")
    assert "H tiene 4 átomos a la izquierda y 2 a la derecha" in texto
    assert "O tiene 2 átomos a la izquierda y 3 a la derecha" in texto and "C tiene" not in texto
    assert "divídelos todos entre 2" in describir(*leer("2 CH4 + 4 O2 -> 2 CO2 + 4 H2O"))
    assert describir(*leer("CH4 + 2 O2 -> CO2 + 2 H2O")).startswith("¡Balanceada!")
    assert "solo de un lado" in describir(*leer("H2 + O2 -> H2O + NaCl"))


@pytest.mark.parametrize("reactivos,productos,coef", BALANCED[:9] + BALANCED[10:],
                         ids=[" + ".join(r) for r, _, _ in BALANCED[:9] + BALANCED[10:]])
def test_trial_balancing_finds_the_smallest_coefficients(bal, reactivos, productos, coef):
    assert bal["balancear"](reactivos, productos) == coef


def test_every_lesson_reaction_can_be_balanced(bal):
    for nombre, (reactivos, productos) in bal["REACCIONES"].items():
        coef = bal["balancear"](reactivos, productos)
        assert coef is not None and bal["verificar_coeficientes"](reactivos, productos, list(coef)), nombre
    assert bal["balancear"](["H2"], ["O2"]) is None


def test_reading_equations(bal):
    leer = bal["leer_ecuacion"]
    assert leer("2 H2 + O2 -> 2 H2O") == ([(2, "H2"), (1, "O2")], [(2, "H2O")])
    assert leer("2H2 + O2 → 2H₂O") == ([(2, "H2"), (1, "O2")], [(2, "H2O")])
    assert leer("N2 + 3 H2 = 2 NH3") == ([(1, "N2"), (3, "H2")], [(2, "NH3")])
    assert leer("C2H6 + 7 O2 -> 2 CO2 + 3 H2O")[0] == [(1, "C2H6"), (7, "O2")]
    for texto, message in (("H2 + O2", "flecha"), ("C2H6 + 3.5 O2 -> 2 CO2 + 3 H2O", "enteros positivos"),
                           ("0 H2 + O2 -> H2O", "enteros positivos"), ("H2 + -> H2O", "Falta una sustancia"),
                           ("H2 + O2 -> H2o", "mayúscula")):
        with pytest.raises(ValueError, match=message):
            leer(texto)
    with pytest.raises(ValueError, match="enteros positivos"):
        bal["contar_atomos"]([(1.5, "O2")])


def test_equation_self_check(bal):
    revisar = lambda texto: bal["revisar_ecuacion"](texto, ["C2H6", "O2"], ["CO2", "H2O"])  # noqa: E731
    assert revisar("2 C2H6 + 7 O2 -> 4 CO2 + 6 H2O").startswith("¡Correcto!")
    assert revisar("7 O2 + 2 C2H6 → 6 H₂O + 4 CO₂").startswith("¡Correcto!")  # order does not matter
    assert "divídelos todos entre 2" in revisar("4 C2H6 + 14 O2 -> 8 CO2 + 12 H2O")
    assert "nunca los subíndices" in revisar("C2H6 + O7 -> 2 CO2 + 3 H2O")
    assert revisar("C2H6 + O2 -> CO2 + H2O").startswith("No está balanceada.")
    assert "los productos deben ser" in revisar("2 C2H6 + 7 O2 -> 4 CO2")
    assert revisar("C2H6 + 3.5 O2 -> 2 CO2 + 3 H2O").startswith("No pude leer tu ecuación")


def test_equation_text_with_subscripts(bal):
    assert bal["ecuacion_texto"]([(2, "H2"), (1, "O2")], [(2, "H2O")]) == "2 H₂ + O₂ → 2 H₂O"
    assert bal["ecuacion_texto"]([(1, "Ca(OH)2")], [(1, "CaO"), (1, "H2O")]) == "Ca(OH)₂ → CaO + H₂O"


# --- 4. stoichiometry and limiting reagent -----------------------------------------------------------

AGUA = ([(2, "H2"), (1, "O2")], [(2, "H2O")])


def test_water_with_rounded_masses(est):
    """The textbook case: H = 1, O = 16. 4.0 g H₂ + 32.0 g O₂ → exactly 36.0 g H₂O, nothing left."""
    redondeadas = est["MASAS_REDONDEADAS"]
    assert est["rendimiento_teorico"](*AGUA, [4.0, 32.0], "H2O", redondeadas) == pytest.approx(36.0)
    assert est["reactivo_limitante"](*AGUA, [4.0, 32.0], redondeadas) is None
    assert est["sobrantes"](*AGUA, [4.0, 32.0], redondeadas) == {"H2": pytest.approx(0), "O2": pytest.approx(0)}
    # more O₂: H₂ limits, 36.0 g water, 8.0 g O₂ left
    assert est["reactivo_limitante"](*AGUA, [4.0, 40.0], redondeadas) == "H2"
    assert est["rendimiento_teorico"](*AGUA, [4.0, 40.0], "H2O", redondeadas) == pytest.approx(36.0)
    assert est["sobrantes"](*AGUA, [4.0, 40.0], redondeadas)["O2"] == pytest.approx(8.0)
    # less O₂: the limiting reagent flips to O₂, 27.0 g water, 1.0 g H₂ left
    assert est["reactivo_limitante"](*AGUA, [4.0, 24.0], redondeadas) == "O2"
    assert est["rendimiento_teorico"](*AGUA, [4.0, 24.0], "H2O", redondeadas) == pytest.approx(27.0)
    assert est["sobrantes"](*AGUA, [4.0, 24.0], redondeadas)["H2"] == pytest.approx(1.0)
    assert est["masa_para_reaccionar"](AGUA[0], 4.0, redondeadas) == pytest.approx(32.0)


def test_water_with_standard_masses(est):
    """With H = 1.008 and O = 15.999, 4.0 g of H₂ is 1.984 mol: H₂ limits by a hair and 35.74 g form."""
    assert est["reactivo_limitante"](*AGUA, [4.0, 32.0]) == "H2"
    assert est["rendimiento_teorico"](*AGUA, [4.0, 32.0], "H2O") == pytest.approx(4.0 / M_H2 * M_H2O)
    assert est["rendimiento_teorico"](*AGUA, [4.0, 32.0], "H2O") == pytest.approx(35.74, abs=0.01)
    assert est["reactivo_limitante"](*AGUA, [5.0, 32.0]) == "O2"
    assert est["rendimiento_teorico"](*AGUA, [5.0, 32.0], "H2O") == pytest.approx(32.0 / M_O2 * 2 * M_H2O)


def test_limiting_reagent_flips_across_the_stoichiometric_point(est):
    exacta = est["masa_para_reaccionar"](AGUA[0], 4.0)
    assert exacta == pytest.approx(4.0 / M_H2 / 2 * M_O2)
    assert est["reactivo_limitante"](*AGUA, [4.0, exacta * 0.99]) == "O2"
    assert est["reactivo_limitante"](*AGUA, [4.0, exacta * 1.01]) == "H2"
    assert est["reactivo_limitante"](*AGUA, [4.0, exacta]) is None


@pytest.mark.parametrize("nombre", ["Formación del agua", "Combustión del metano", "Síntesis del amoniaco",
                                    "Formación de la sal", "Neutralización", "Combustión del propano"])
@pytest.mark.parametrize("gramos", [[10.0, 10.0], [3.0, 50.0], [50.0, 3.0]])
def test_mass_is_conserved(est, bal, nombre, gramos):
    reactivos, productos = est["REACCIONES"][nombre]
    # the lesson's reaction is balanced by the balancing lesson's own check
    assert bal["verificar_coeficientes"]([f for _, f in reactivos], [f for _, f in productos],
                                         [c for c, _ in reactivos + productos])
    quedan = est["sobrantes"](reactivos, productos, gramos)
    consumido = sum(m - quedan[f] for (_, f), m in zip(reactivos, gramos))
    formado = sum(est["rendimiento_teorico"](reactivos, productos, gramos, f) for _, f in productos)
    assert formado == pytest.approx(consumido)
    assert quedan[est["reactivo_limitante"](reactivos, productos, gramos)] == pytest.approx(0, abs=1e-9)


def test_methane_and_neutralization_closed_forms(est):
    metano = est["REACCIONES"]["Combustión del metano"]
    assert est["reactivo_limitante"](*metano, [16.0, 48.0]) == "O2"  # fewer grams of CH₄, but O₂ limits
    assert est["rendimiento_teorico"](*metano, [16.0, 48.0], "CO2") == pytest.approx(48.0 / M_O2 / 2 * M_CO2)
    assert est["rendimiento_teorico"](*metano, [16.0, 48.0], "H2O") == pytest.approx(48.0 / M_O2 * M_H2O)
    assert est["sobrantes"](*metano, [16.0, 48.0])["CH4"] == pytest.approx(16.0 - 48.0 / M_O2 / 2 * M_CH4)
    neutral = est["REACCIONES"]["Neutralización"]
    m_hcl, m_cacl2 = H + CL, CA + 2 * CL
    assert est["reactivo_limitante"](*neutral, [7.41, 7.30]) == "Ca(OH)2"
    assert est["rendimiento_teorico"](*neutral, [7.41, 7.30], "CaCl2") == pytest.approx(7.41 / M_CAOH2 * m_cacl2)
    assert est["reactivo_limitante"](*neutral, [7.41, 7.0]) == "HCl"
    assert est["rendimiento_teorico"](*neutral, [7.41, 7.0], "CaCl2") == pytest.approx(7.0 / m_hcl / 2 * m_cacl2)


def test_percent_yield(est):
    assert est["rendimiento_porcentual"](9.0, 11.0) == pytest.approx(100 * 9 / 11)
    assert est["rendimiento_porcentual"](0, 5.0) == 0
    with pytest.raises(ValueError, match="teórica"):
        est["rendimiento_porcentual"](1, 0)
    with pytest.raises(ValueError, match="negativa"):
        est["rendimiento_porcentual"](-1, 5)


def test_stoichiometry_bad_input_in_spanish(est):
    with pytest.raises(ValueError, match="no está balanceada"):
        est["reactivo_limitante"]([(1, "H2"), (1, "O2")], [(1, "H2O")], [1.0, 1.0])
    with pytest.raises(ValueError, match="negativa"):
        est["rendimiento_teorico"](*AGUA, [-1.0, 1.0], "H2O")
    with pytest.raises(ValueError, match="no es un producto"):
        est["rendimiento_teorico"](*AGUA, [1.0, 1.0], "H2O2")
    with pytest.raises(ValueError, match="cada uno de los 2 reactivos"):
        est["sobrantes"](*AGUA, [1.0])


def test_limiting_reagent_self_check(est):
    metano = est["REACCIONES"]["Combustión del metano"]
    assert est["revisar_limitante"]("O2", *metano, [16.0, 48.0]).startswith("¡Correcto!")
    trap = est["revisar_limitante"]("CH4", *metano, [16.0, 48.0])
    assert trap.startswith("No. Tienes menos gramos de CH₄") and "El menor es el de O₂" in trap
    assert est["revisar_limitante"](None, *metano, [16.0, 48.0]) == "Elige un reactivo."
    assert est["revisar_limitante"]("CH4", *metano, [16.0, 200.0]).startswith("¡Correcto!")


def test_theoretical_yield_self_check(est):
    metano = est["REACCIONES"]["Combustión del metano"]
    revisar = lambda texto: est["revisar_rendimiento"](texto, *metano, [16.0, 48.0], "CO2")  # noqa: E731
    correcto = 48.0 / M_O2 / 2 * M_CO2  # 33.01 g
    assert revisar("%.2f" % correcto).startswith("¡Correcto!")
    assert "reactivo en exceso" in revisar("%.2f" % (16.0 / M_CH4 * M_CO2))
    assert "proporción de coeficientes" in revisar("%.2f" % (48.0 / M_O2 * M_CO2))
    assert "está en mol" in revisar("%.2f" % (48.0 / M_O2 / 2))
    assert revisar("10").startswith("No es correcto. Encuentra el limitante")
    assert revisar("").startswith("Escribe un número")


# --- evaluations: the keys against an independent computation -----------------------------------------

TEST_RE = re.compile(r"assert abs\(float\((r\d+)\) - \(([^)]+)\)\) <= (0\.01(?: \* abs\(([^)]+)\))?)\n")


def molecules(grams, molar_mass):
    return grams / molar_mass * NA


EXPECTED = {
    "diagnostico": {
        "r1": 25 + 273.15, "r2": 2.0 * R * 300.15 / 10.0, "r3": 0.5 * R * 273.15 / 1.0, "r4": 1.5 * 8.2 / (0.5 * R),
        "r5": 2 * H + S + 4 * O, "r6": 36.0 / M_H2O, "r7": molecules(88.0, M_CO2), "r8": 1.5 * M_CAOH2,
        "r9": 2, "r10": 5, "r11": 4, "r12": 3.0 * 2, "r13": 32.0 / M_CH4 * M_CO2,
        "r14": min(10.0 / NA_ / 2, 20.0 / M_CL2) * 2 * M_NACL,
    },
    "final": {
        "r1": 37 + 273.15, "r2": 1.5 * R * 320.15 / 6.0, "r3": 1.5 * R * 273.15 / 1.0, "r4": 2.0 * 4.1 / (0.25 * R),
        "r5": 2 * NA_ + C + 3 * O, "r6": 66.0 / M_CO2, "r7": molecules(54.0, M_H2O), "r8": 2.0 * (MG + 2 * (O + H)),
        "r9": 2, "r10": 3, "r11": 4, "r12": 2.5 * 2, "r13": 24.0 / C * M_CO2,
        "r14": min(5.0 / M_H2 / 2, 32.0 / M_O2) * 2 * M_H2O,
    },
    "practica-1": {
        "r1": 2.0 * 5.0 / (R * 350), "r2": 1.0 * 4.0 / 2.5, "r3": 6 * C + 12 * H + 6 * O, "r4": 3.011e23 / NA * M_O2,
        "r5": 2, "r6": 2, "r7": min(8.0 / M_CH4, 16.0 / M_O2 / 2) * M_CO2,
        "r8": 100 * 9.0 / (min(8.0 / M_CH4, 16.0 / M_O2 / 2) * M_CO2),
    },
}
# the balancing items, checked with the lesson's own atom counter: (reactants, products, coefficients with the key)
BALANCE_ITEMS = {
    ("diagnostico", "r9"): (["N2", "H2"], ["NH3"], lambda a: [1, 3, a]),
    ("diagnostico", "r10"): (["C3H8", "O2"], ["CO2", "H2O"], lambda b: [1, b, 3, 4]),
    ("diagnostico", "r11"): (["Fe", "O2"], ["Fe2O3"], lambda a: [a, 3, 2]),
    ("final", "r9"): (["SO2", "O2"], ["SO3"], lambda a: [2, 1, a]),
    ("final", "r10"): (["C2H4", "O2"], ["CO2", "H2O"], lambda b: [1, b, 2, 2]),
    ("final", "r11"): (["Al", "O2"], ["Al2O3"], lambda a: [a, 3, 2]),
    ("practica-1", "r5"): (["CH4", "O2"], ["CO2", "H2O"], lambda a: [1, a, 1, 2]),
    ("practica-1", "r6"): (["Ca(OH)2", "HCl"], ["CaCl2", "H2O"], lambda a: [1, a, 1, 2]),
}


def evaluation_keys(eid):
    """{item: (solution value, value in the hidden test, tolerance)} read from the source notebook."""
    solutions, sources = evaluation_cells(COURSE / "evaluaciones" / eid / f"{eid}.ipynb")
    tests = {}
    for source in sources.values():
        item, value, tolerance, relative_to = TEST_RE.search(source).groups()
        assert relative_to is None or relative_to == value, item
        tests[item] = (float(value), eval(tolerance))
    return {item: (solutions[item], *tests[item]) for item in solutions}


def course_items():
    return lessons_course_items(COURSE)


def rounded(x):
    """The answer a student gives: two decimals, or three significant figures for very large numbers."""
    return float("%.2e" % x) if abs(x) > 1e6 else round(x, 2)


@pytest.mark.parametrize("eid", sorted(EXPECTED))
def test_evaluation_keys_match_an_independent_computation(eid):
    keys = evaluation_keys(eid)
    assert set(keys) == set(EXPECTED[eid])
    for item, (solution, tested, tolerance) in keys.items():
        want = EXPECTED[eid][item]
        assert solution == pytest.approx(want, rel=1e-9), item
        assert tested == pytest.approx(want, rel=1e-8), item
        assert abs(rounded(want) - tested) <= tolerance, item  # the correctly rounded answer passes


def test_balancing_keys_conserve_atoms(bal):
    for (eid, item), (reactivos, productos, coefs) in BALANCE_ITEMS.items():
        key = evaluation_keys(eid)[item][0]
        assert bal["verificar_coeficientes"](reactivos, productos, coefs(key)), (eid, item)
        wrong = eval(course_items()[eid][item]["wrong"], {})
        assert not bal["verificar_coeficientes"](reactivos, productos, coefs(wrong)), (eid, item)


def test_stoichiometry_keys_match_the_lesson(est):
    sal = est["REACCIONES"]["Formación de la sal"]
    assert evaluation_keys("diagnostico")["r14"][0] == pytest.approx(est["rendimiento_teorico"](*sal, [10.0, 20.0], "NaCl"))
    assert est["reactivo_limitante"](*sal, [10.0, 20.0]) == "Na"
    assert evaluation_keys("final")["r14"][0] == pytest.approx(est["rendimiento_teorico"](*AGUA, [5.0, 32.0], "H2O"))
    metano = est["REACCIONES"]["Combustión del metano"]
    teorico = est["rendimiento_teorico"](*metano, [8.0, 16.0], "CO2")
    assert evaluation_keys("practica-1")["r7"][0] == pytest.approx(teorico)
    assert evaluation_keys("practica-1")["r8"][0] == pytest.approx(est["rendimiento_porcentual"](9.0, teorico))


def test_gas_and_mole_keys_match_the_lessons(gas, mol):
    diag, final = evaluation_keys("diagnostico"), evaluation_keys("final")
    assert diag["r2"][0] == pytest.approx(gas["presion_gas"](2.0, gas["celsius_a_kelvin"](27), 10.0))
    assert final["r4"][0] == pytest.approx(gas["temperatura_gas"](2.0, 4.1, 0.25))
    assert diag["r8"][0] == pytest.approx(mol["moles_a_gramos"](1.5, mol["masa_molar"]("Ca(OH)2")))
    assert final["r7"][0] == pytest.approx(mol["convertir_cantidad"](54.0, "g", "H2O")["partículas"])


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
    assert len(items["practica-1"]) >= 5
    diag, final = evaluation_keys("diagnostico"), evaluation_keys("final")
    same_on_purpose = {"r9", "r11"}  # balancing: a different reaction with the same coefficient
    assert all(diag[i][0] != final[i][0] for i in diag if i not in same_on_purpose), "same numbers in both forms"


def test_evaluations_state_the_data():
    for eid in EXPECTED:
        nb = nbformat.read(COURSE / "evaluaciones" / eid / f"{eid}.ipynb", as_version=4)
        intro = nb.cells[0].source
        assert "R = 0.082 atm·L/(mol·K)" in intro and "T(K) = T(°C) + 273.15" in intro
        assert "6.022 × 10²³" in intro
        for symbol in ("H", "C", "N", "O", "Na", "Mg", "S", "Cl", "Ca"):
            value = {"S": "32.06", "Cl": "35.45"}.get(symbol, "%.3f" % STANDARD[symbol])
            assert "%s = %s" % (symbol, value) in intro, (eid, symbol)
