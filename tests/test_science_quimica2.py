"""Química II — Reacciones, equilibrio y pH: the lessons' computations against closed forms, and the
evaluations' solutions against an independent computation of each item."""
import math
import re
from pathlib import Path

import nbformat
import pytest

from lessons import run_definitions
from pasaporte.content import load_course

REPO = Path(__file__).resolve().parent.parent
COURSE = REPO / "courses/quimica2-reacciones-ph"
LECCIONES = COURSE / "lecciones"
LN2 = math.log(2)


@pytest.fixture(scope="module")
def rapidez_ns():
    return run_definitions(LECCIONES / "01-tipos-y-rapidez.ipynb")


@pytest.fixture(scope="module")
def vida_ns():
    return run_definitions(LECCIONES / "02-vida-media.ipynb")


@pytest.fixture(scope="module")
def eq_ns():
    return run_definitions(LECCIONES / "03-equilibrio-le-chatelier.ipynb")


@pytest.fixture(scope="module")
def mol_ns():
    return run_definitions(LECCIONES / "04-molaridad-dilucion.ipynb")


@pytest.fixture(scope="module")
def ph_ns():
    return run_definitions(LECCIONES / "05-acidos-bases-ph.ipynb")


@pytest.fixture(scope="module")
def tit_ns():
    return run_definitions(LECCIONES / "06-titulacion.ipynb")


# --- 1. tipos de reacción y rapidez ------------------------------------------------------------

def test_every_reaction_is_classified_and_wrong_types_are_explained(rapidez_ns):
    reacciones, tipos, revisar = rapidez_ns["REACCIONES"], rapidez_ns["TIPOS"], rapidez_ns["revisar_clasificacion"]
    for i, (ecuacion, correcto, n_r, n_p, _) in enumerate(reacciones):
        reactivos, productos = ecuacion.split("→")
        assert len(reactivos.split(" + ")) == n_r and len(productos.split(" + ")) == n_p, ecuacion
        assert revisar(i, correcto).startswith("¡Correcto!")
        for otro in tipos:
            if otro != correcto:
                mensaje = revisar(i, otro)
                assert mensaje.startswith("No es de " + tipos[otro][0]) and "reactivo" in mensaje
    # the hint says why: a single element that replaces another, or O₂ as a reactant
    zn = next(i for i, r in enumerate(reacciones) if r[0].startswith("Zn"))
    assert "Zn es un elemento sin combinar" in revisar(zn, "doble_sustitucion")
    caco3 = next(i for i, r in enumerate(reacciones) if r[0].startswith("CaCO"))
    assert "tiene 1 reactivo y 2 productos" in revisar(caco3, "sintesis")
    assert "no reacciona con O₂" in revisar(caco3, "combustion")


def test_arrhenius_rate_constant(rapidez_ns):
    k = rapidez_ns["constante_rapidez"]
    assert k(25) == pytest.approx(0.010)
    for temp, ea in [(35, 50), (0, 50), (100, 80), (60, 20)]:
        esperado = 0.010 * math.exp(ea * 1000 / 8.314 * (1 / 298.15 - 1 / (temp + 273.15)))
        assert k(temp, Ea_kJ=ea) == pytest.approx(esperado)
    assert k(35) / k(25) == pytest.approx(1.924, abs=0.001)  # about twice as fast for +10 °C
    assert k(50, Ea_kJ=0) == pytest.approx(0.010)  # no activation energy: no temperature effect
    assert k(80) > k(60) > k(25) > k(0)
    with pytest.raises(ValueError, match="cero absoluto"):
        rapidez_ns["kelvin"](-300)
    assert rapidez_ns["kelvin"](25) == pytest.approx(298.15)


def test_rate_law(rapidez_ns):
    v = rapidez_ns["rapidez"]
    assert v(0.5, 2.0, 2) == pytest.approx(2.0)
    assert v(0.01, 1.5, 1) == pytest.approx(0.015)
    assert v(0.01, 1.5, 0) == pytest.approx(0.01)
    assert v(0.3, 0.8, 2) * 4 == pytest.approx(v(0.3, 1.6, 2))  # doubling [A] at order 2 quadruples v
    assert v(0.3, 0.8, 1) * 3 == pytest.approx(v(0.3, 2.4, 1))
    assert v(0.01, 0, 0) == 0.0  # no reactant, no reaction (even at order 0)
    with pytest.raises(ValueError, match="negativa"):
        v(0.01, -1, 1)
    assert rapidez_ns["unidades_k"](0) == "mol/(L·s)" and rapidez_ns["unidades_k"](2) == "L/(mol·s)"


def test_comparison_with_25_degrees(rapidez_ns):
    comparar = rapidez_ns["comparar_con_25"]
    factor = math.exp(50000 / 8.314 * (1 / 298.15 - 1 / 308.15))  # 1.924
    assert comparar(35) == "A 35 °C la reacción es %.2f veces más rápida que a 25 °C." % factor == (
        "A 35 °C la reacción es 1.92 veces más rápida que a 25 °C.")
    assert "veces más lenta" in comparar(5)
    assert comparar(25) == "A 25 °C la rapidez es la misma que a 25 °C."


# --- 2. vida media -----------------------------------------------------------------------------

@pytest.mark.parametrize("k", [0.02, 0.0231, 0.1, 0.5, 3.0])
def test_half_life_is_ln2_over_k(vida_ns, k):
    th = vida_ns["vida_media"](k)
    assert th == pytest.approx(LN2 / k)
    c = vida_ns["concentracion_primer_orden"]
    for a0 in (0.1, 0.8, 2.0):
        assert float(c(a0, k, 0)) == pytest.approx(a0)
        assert float(c(a0, k, th)) == pytest.approx(a0 / 2)
        assert float(c(a0, k, 3 * th)) == pytest.approx(a0 / 8)
        assert float(c(a0, k, 7.5)) == pytest.approx(a0 * math.exp(-k * 7.5))
    assert vida_ns["numero_vidas_medias"](k, 2 * th) == pytest.approx(2)


def test_first_order_decay_rejects_bad_input(vida_ns):
    c = vida_ns["concentracion_primer_orden"]
    assert list(c(1.0, 0.1, [0, 10])) == pytest.approx([1.0, math.exp(-1)])
    with pytest.raises(ValueError, match="positiva"):
        vida_ns["vida_media"](0)
    with pytest.raises(ValueError, match="positiva"):
        c(1.0, -0.1, 5)
    with pytest.raises(ValueError, match="negativo"):
        c(1.0, 0.1, -5)
    with pytest.raises(ValueError, match="negativa"):
        c(-1.0, 0.1, 5)


def test_half_life_challenge_feedback(vida_ns):
    revisar = vida_ns["revisar_restante"]
    assert revisar(1.0, 3, "0.125").startswith("¡Correcto!")
    assert revisar(0.8, 3, "0,100").startswith("¡Correcto!")
    assert "Dividiste [A]₀ entre 3" in revisar(0.8, 3, "0.267")
    assert "2·3" in revisar(1.2, 3, "0.2")
    assert "una sola vida media" in revisar(1.0, 3, "0.5")
    assert revisar(1.0, 3, "0.9").startswith("Tu valor es mayor")
    assert revisar(1.0, 3, "0.01").startswith("Tu valor es menor")
    assert revisar(1.0, 3, "").startswith("Escribe un número")


# --- 3. equilibrio -----------------------------------------------------------------------------

CASOS_EQ = [
    (1.0, 1.0, 0.0, 0.0, 4.0),
    (0.8, 0.8, 0.0, 0.0, 9.0),
    (1.0, 0.5, 0.0, 0.0, 2.0),
    (1.0, 1.0, 0.0, 0.0, 1.0),      # K = 1: the equation is linear
    (0.5, 1.5, 0.3, 0.2, 1.0),
    (0.0, 0.0, 1.0, 1.0, 4.0),      # only products: it goes backwards
    (1.0, 1.0, 1.0, 1.0, 0.25),     # Q = 1 > K: backwards
    (0.2, 1.7, 0.0, 0.4, 100.0),
    (1.9, 0.05, 0.1, 0.0, 0.01),
    (2.0, 2.0, 0.0, 0.0, 0.01),
]


@pytest.mark.parametrize("a0,b0,c0,d0,K", CASOS_EQ)
def test_equilibrium_satisfies_K(eq_ns, a0, b0, c0, d0, K):
    a, b, c, d = eq_ns["equilibrio"](a0, b0, c0, d0, K)
    assert min(a, b, c, d) >= 0
    assert c * d == pytest.approx(K * a * b, rel=1e-6, abs=1e-12)
    # the same x for every species (stoichiometry 1:1:1:1)
    assert a0 - a == pytest.approx(b0 - b) == pytest.approx(c - c0) == pytest.approx(d - d0)
    # the direction agrees with Q versus K
    Q = eq_ns["cociente_reaccion"](a0, b0, c0, d0)
    x = eq_ns["avance_equilibrio"](a0, b0, c0, d0, K)
    assert (x > 0) == (Q < K)


def test_equilibrium_closed_forms(eq_ns):
    eq = eq_ns["equilibrio"]
    # K = 4, [A]₀ = [B]₀ = 1: x/(1 − x) = 2, x = 2/3
    assert eq(1, 1, 0, 0, 4) == pytest.approx((1 / 3, 1 / 3, 2 / 3, 2 / 3))
    # K = 1 with [A]₀ = 1, [B]₀ = 0.5: x² = (1 − x)(0.5 − x) → x = 1/3
    assert eq(1, 0.5, 0, 0, 1)[2] == pytest.approx(1 / 3)
    assert eq(0, 1, 0, 1, 3) == (0, 1, 0, 1)  # nothing can react
    assert eq_ns["avance_equilibrio"](0, 0, 0, 0, 2) == 0.0
    with pytest.raises(ValueError, match="positiva"):
        eq(1, 1, 0, 0, 0)
    with pytest.raises(ValueError, match="negativas"):
        eq(-1, 1, 0, 0, 1)


def test_quotient_and_direction_texts(eq_ns):
    q, sentido = eq_ns["cociente_reaccion"], eq_ns["sentido"]
    assert q(0.5, 0.5, 1.0, 0.5) == pytest.approx(2.0)
    assert q(0, 1, 1, 1) == math.inf and math.isnan(q(0, 1, 0, 1))
    assert "productos" in sentido(1.0, 4.0)
    assert "reactivos" in sentido(8.0, 4.0)
    assert "ya está en equilibrio" in sentido(4.0, 4.0)
    assert "no puede avanzar" in sentido(math.nan, 4.0)


@pytest.mark.parametrize("especie,cambio,hacia", [("C", 0.5, "reactivos"), ("D", 0.3, "reactivos"),
                                                  ("A", 0.5, "productos"), ("B", 1.0, "productos"),
                                                  ("C", -0.2, "productos"), ("A", -0.1, "reactivos")])
def test_le_chatelier(eq_ns, especie, cambio, hacia):
    K = 4.0
    eq1 = eq_ns["equilibrio"](1, 1, 0, 0, K)
    despues = eq_ns["perturbar"](eq1, especie, cambio)
    x = eq_ns["avance_equilibrio"](*despues, K)
    assert (x > 0) == (hacia == "productos")
    assert eq_ns["explicar_le_chatelier"](especie, cambio).endswith("hacia los %s (%s)." % (hacia, "→" if x > 0 else "←"))
    eq2 = eq_ns["equilibrio"](*despues, K)
    assert eq2[2] * eq2[3] == pytest.approx(K * eq2[0] * eq2[1])
    i = "ABCD".index(especie)
    # the system counteracts the change only in part
    assert min(eq1[i], despues[i]) < eq2[i] < max(eq1[i], despues[i])


def test_perturbation_cannot_remove_more_than_present(eq_ns):
    with pytest.raises(ValueError, match="No se puede retirar"):
        eq_ns["perturbar"]((0.3, 0.3, 0.7, 0.7), "C", -1.0)
    assert eq_ns["explicar_le_chatelier"]("A", 0) == "Sin perturbación: el sistema sigue en equilibrio."


@pytest.mark.parametrize("c0,K", [(0.10, 0.36), (1.0, 0.0046), (0.01, 0.5), (0.5, 1.0)])
def test_n2o4_equilibrium(eq_ns, c0, K):
    n2o4, no2 = eq_ns["equilibrio_n2o4"](c0, K)
    assert no2 ** 2 / n2o4 == pytest.approx(K)
    assert n2o4 + no2 / 2 == pytest.approx(c0)  # nitrogen is conserved
    x = (-K + math.sqrt(K * K + 16 * K * c0)) / 8  # the quadratic formula
    assert no2 == pytest.approx(2 * x)


def test_n2o4_dilution_dissociates_more(eq_ns):
    assert eq_ns["equilibrio_n2o4"](0.10, 0.36) == pytest.approx((0.04, 0.12))
    pct = eq_ns["porcentaje_disociado"]
    assert pct(0.10, 0.36) == pytest.approx(60.0)
    assert pct(0.05, 0.36) > pct(0.10, 0.36) > pct(1.0, 0.36)
    assert pct(0, 0.36) == 0.0


# --- 4. molaridad y dilución -------------------------------------------------------------------

def test_molarity_is_n_over_V(mol_ns):
    assert mol_ns["moles"](5.85, 58.5) == pytest.approx(0.1)
    assert mol_ns["molaridad"](0.1, 0.25) == pytest.approx(0.4)
    assert mol_ns["molaridad"](2.0, 4.0) == pytest.approx(0.5)
    assert mol_ns["molaridad_desde_masa"](5.85, 58.5, 250) == pytest.approx(0.4)
    assert mol_ns["molaridad_desde_masa"](4.0, 40.0, 500) == pytest.approx(0.2)
    assert mol_ns["molaridad_desde_masa"](0, 58.44, 100) == 0
    assert mol_ns["masa_necesaria"](0.5, 250, 58.44) == pytest.approx(7.305)
    assert mol_ns["masa_necesaria"](0.1, 500, 40.0) == pytest.approx(2.0)
    for nombre, (M, _) in mol_ns["SOLUTOS"].items():
        assert mol_ns["molaridad_desde_masa"](M, M, 1000) == pytest.approx(1.0), nombre
    x, y = mol_ns["puntos_soluto"](0.1, 1, 0.25)  # the drawing: one dot per 0.005 mol
    assert len(x) == len(y) == 20 and max(y) <= 0.25
    with pytest.raises(ValueError, match="mayor que cero"):
        mol_ns["molaridad"](0.1, 0)
    with pytest.raises(ValueError, match="negativa"):
        mol_ns["moles"](-1, 58.44)
    with pytest.raises(ValueError, match="positiva"):
        mol_ns["moles"](1, 0)


@pytest.mark.parametrize("C1,V1,V2", [(2.0, 50, 500), (6.0, 25, 250), (0.5, 10, 10), (1.2, 30, 90)])
def test_dilution_conserves_moles(mol_ns, C1, V1, V2):
    C2 = mol_ns["dilucion"](C1, V1, V2)
    assert C1 * V1 == pytest.approx(C2 * V2)
    assert mol_ns["volumen_para_diluir"](C1, C2, V2) == pytest.approx(V1)


def test_dilution_rejects_impossible_cases(mol_ns):
    assert mol_ns["dilucion"](2.0, 50, 500) == pytest.approx(0.2)
    assert mol_ns["volumen_para_diluir"](2.0, 0.10, 500) == pytest.approx(25.0)
    with pytest.raises(ValueError, match="solo se agrega agua"):
        mol_ns["dilucion"](1.0, 100, 50)
    with pytest.raises(ValueError, match="mayor que la inicial"):
        mol_ns["volumen_para_diluir"](0.1, 0.5, 100)


def test_mass_challenge_feedback(mol_ns):
    revisar = lambda texto: mol_ns["revisar_masa"](texto, 0.50, 250, 58.44)  # noqa: E731
    assert revisar("7.31").startswith("¡Correcto!")
    assert revisar("7,305").startswith("¡Correcto!")
    assert "mL" in revisar("7305") and "L" in revisar("7305")
    assert "moles" in revisar("0.125")
    assert "multiplica" in revisar("0.00214")
    assert revisar("9").startswith("Tu valor es mayor")
    assert revisar("abc").startswith("Escribe un número")


# --- 5. ácidos, bases y pH ---------------------------------------------------------------------

@pytest.mark.parametrize("C", [1.0, 0.1, 0.01, 0.001, 2.5e-4, 1e-5])
def test_strong_acid_and_base_closed_forms(ph_ns, C):
    assert ph_ns["ph_acido_fuerte"](C) == pytest.approx(-math.log10(C), abs=1e-4)
    assert ph_ns["ph_base_fuerte"](C) == pytest.approx(14 + math.log10(C), abs=1e-4)
    for ph in (ph_ns["ph_acido_fuerte"](C), ph_ns["ph_base_fuerte"](C)):
        h, oh = ph_ns["concentraciones_desde_ph"](ph)
        assert ph + ph_ns["poh_desde_ph"](ph) == pytest.approx(14)
        assert h * oh == pytest.approx(1e-14)


def test_ph_reference_values(ph_ns):
    ph = ph_ns["ph_disolucion"]
    assert round(ph("HCl (ácido clorhídrico)", 0.01), 2) == 2.00
    assert round(ph("HCl (ácido clorhídrico)", 0.001), 2) == 3.00
    assert round(ph("HNO₃ (ácido nítrico)", 0.001), 2) == 3.00
    assert round(ph("NaOH (hidróxido de sodio)", 0.01), 2) == 12.00
    assert round(ph("KOH (hidróxido de potasio)", 0.020), 2) == 12.30
    # as stated in the lesson: H₂SO₄ releases 2 H⁺ and Ca(OH)₂ 2 OH⁻ completely
    assert ph("H₂SO₄ (ácido sulfúrico)", 0.005) == pytest.approx(2.0, abs=1e-6)
    assert ph("H₂SO₄ (ácido sulfúrico)", 0.01) == pytest.approx(-math.log10(0.02), abs=1e-6)
    assert ph("Ca(OH)₂ (hidróxido de calcio)", 0.005) == pytest.approx(12.0, abs=1e-6)
    assert ph_ns["poh_desde_ph"](3.4) == pytest.approx(10.6)


def test_very_dilute_and_edge_cases(ph_ns):
    acido, base = ph_ns["ph_acido_fuerte"], ph_ns["ph_base_fuerte"]
    assert 6.9 < acido(1e-8) < 7.0  # water's own H⁺: an acid never goes above pH 7
    assert 7.0 < base(1e-8) < 7.1
    assert acido(0) == pytest.approx(7.0) and base(0) == pytest.approx(7.0)
    assert acido(1.0) == pytest.approx(0.0, abs=1e-9)
    assert acido(2.0) < 0  # very concentrated acids have negative pH
    with pytest.raises(ValueError, match="negativa"):
        acido(-0.1)
    assert ph_ns["clasificar"](2.0) == "ácida" and ph_ns["clasificar"](7.0) == "neutra"
    assert ph_ns["clasificar"](6.999) == "neutra" and ph_ns["clasificar"](12) == "básica"


def test_ph_colors(ph_ns):
    color = ph_ns["color_ph"]
    rojo, verde, morado = color(0), color(7), color(14)
    assert rojo[0] > rojo[1] and rojo[0] > rojo[2]
    assert verde[1] > verde[0] and verde[1] > verde[2]
    assert morado[2] > morado[1]
    assert color(-1) == rojo and color(20) == morado
    assert all(0 <= v <= 1 for p in range(15) for v in color(p + 0.5 if p < 14 else p))


def test_ph_challenge_feedback(ph_ns):
    revisar = ph_ns["revisar_ph"]
    h2so4, koh, cacl = "H₂SO₄ (ácido sulfúrico)", "KOH (hidróxido de potasio)", "Ca(OH)₂ (hidróxido de calcio)"
    assert revisar("2.00", h2so4, 0.005).startswith("¡Correcto!")
    assert "2 iones" in revisar("2.30", h2so4, 0.005)
    assert "2 iones" in revisar("11.70", cacl, 0.005)
    assert "Restaste de 14" in revisar("12", h2so4, 0.005)
    assert "pOH" in revisar("1.70", koh, 0.020)
    assert revisar("12,30", koh, 0.020).startswith("¡Correcto!")
    assert "signo" in revisar("-2", h2so4, 0.005)
    assert "logaritmo natural" in revisar("4.61", h2so4, 0.005)
    assert revisar("", koh, 0.02).startswith("Escribe un número")
    assert revisar("5", koh, 0.02).startswith("No es ese valor")


# --- 6. titulación -----------------------------------------------------------------------------

@pytest.mark.parametrize("Ca,Va,Cb", [(0.10, 25, 0.10), (0.10, 25, 0.20), (0.15, 20, 0.10), (0.2, 30, 0.25)])
def test_equivalence_point_is_ph_7(tit_ns, Ca, Va, Cb):
    veq = tit_ns["volumen_equivalencia"](Ca, Va, Cb)
    assert veq == pytest.approx(Ca * Va / Cb)
    assert tit_ns["ph_titulacion"](Ca, Va, Cb, veq) == pytest.approx(7.0, abs=1e-9)
    assert tit_ns["etapa_titulacion"](Ca, Va, Cb, veq) == "equivalencia"
    assert tit_ns["ph_titulacion"](Ca, Va, Cb, 0) == pytest.approx(-math.log10(Ca), abs=1e-6)
    antes, despues = 0.5 * veq, 1.5 * veq
    exceso_h = (Ca * Va - Cb * antes) / (Va + antes)
    exceso_oh = (Cb * despues - Ca * Va) / (Va + despues)
    assert tit_ns["ph_titulacion"](Ca, Va, Cb, antes) == pytest.approx(-math.log10(exceso_h), abs=1e-6)
    assert tit_ns["ph_titulacion"](Ca, Va, Cb, despues) == pytest.approx(14 + math.log10(exceso_oh), abs=1e-6)
    assert tit_ns["etapa_titulacion"](Ca, Va, Cb, antes) == "antes"
    assert tit_ns["etapa_titulacion"](Ca, Va, Cb, despues) == "después"
    curva = [tit_ns["ph_titulacion"](Ca, Va, Cb, v) for v in [veq * f / 50 for f in range(101)]]
    assert all(b > a for a, b in zip(curva, curva[1:]))  # the pH always rises as base is added


def test_titration_reference_values(tit_ns):
    ph = tit_ns["ph_titulacion"]
    assert round(ph(0.10, 25, 0.10, 10), 2) == 1.37
    assert round(ph(0.10, 20, 0.10, 15), 2) == 1.85
    assert round(ph(0.10, 25, 0.10, 30), 2) == 11.96
    assert round(ph(0.20, 30, 0.25, 10), 2) == 1.06
    assert tit_ns["volumen_equivalencia"](0.10, 25, 0.20) == pytest.approx(12.5)
    assert "Sobra ácido" in tit_ns["describir_titulacion"](0.10, 25, 0.10, 10)
    assert "Sobra base" in tit_ns["describir_titulacion"](0.10, 25, 0.10, 30)
    assert "pH = 7.00" in tit_ns["describir_titulacion"](0.10, 25, 0.10, 25)
    with pytest.raises(ValueError, match="negativo"):
        ph(0.1, 25, 0.1, -1)
    with pytest.raises(ValueError, match="positivas"):
        ph(0, 25, 0.1, 1)


def test_phenolphthalein(tit_ns):
    color = tit_ns["color_fenolftaleina"]
    assert color(3) == (1.0, 1.0, 1.0) and color(8.0) == (1.0, 1.0, 1.0)
    assert color(12)[1] < 0.5  # pink
    assert color(9)[1] > color(10)[1]


def test_titration_challenge_feedback(tit_ns):
    rv = lambda t: tit_ns["revisar_volumen"](t, 0.20, 30.0, 0.25)  # noqa: E731
    rp = lambda t: tit_ns["revisar_ph_titulacion"](t, 0.20, 30.0, 0.25, 10.0)  # noqa: E731
    assert rv("24.0").startswith("¡Correcto!") and rv("24").startswith("¡Correcto!")
    assert "Invertiste" in rv("37.5")
    assert "iguales" in rv("30")
    assert rp("1.06").startswith("¡Correcto!")
    assert "volumen total" in rp("0.93")
    assert "antes de agregar base" in rp("0.70")
    assert "pOH" in rp("12.94")
    assert rp("x").startswith("Escribe un número")


# --- evaluations -------------------------------------------------------------------------------

from pasaporte.quality import SOLUTION_RE  # noqa: E402


def notebook(name):
    return nbformat.read(COURSE / "evaluaciones" / name / f"{name}.ipynb", as_version=4)


def solutions(name):
    ns = {}
    for cell in notebook(name).cells:
        match = SOLUTION_RE.search(cell.source)
        if match:
            exec(match.group(1), ns)
    return {k: v for k, v in ns.items() if re.fullmatch(r"r\d+", k)}


def tolerances(name):
    """The tolerance of each numeric hidden test: `assert abs(float(rK) - (A)) <= tol`."""
    found = {}
    for cell in notebook(name).cells:
        match = re.search(r"assert abs\(float\((r\d+)\) - \(([^)]*)\)\) <= ([0-9.e-]+)", cell.source)
        if match:
            found[match.group(1)] = (float(match.group(2)), float(match.group(3)))
    return found


def ph_mezcla(Ca, Va, Cb, Vb):
    """Independent: excess H⁺ or OH⁻ over the total volume (no water autoionization)."""
    exceso = (Ca * Va - Cb * Vb) / (Va + Vb)
    return -math.log10(exceso) if exceso > 0 else 14 + math.log10(-exceso)


def equilibrio_simetrico(K, c0):
    """A + B ⇌ C + D from [A]₀ = [B]₀ = c0: x/(c0 − x) = √K."""
    return c0 * math.sqrt(K) / (1 + math.sqrt(K))


EXPECTED = {
    "diagnostico": {
        "r1": "c", "r2": 3 ** 2, "r3": LN2 / 0.0231, "r4": 0.90 ** 2 / (0.10 * 0.20),
        "r5": equilibrio_simetrico(4.0, 1.00), "r6": "b", "r7": 5.85 / 58.5 / 0.250, "r8": 2.0 * 50.0 / 500,
        "r9": -math.log10(0.01), "r10": 14 + math.log10(0.01), "r11": 0.10 * 25.0 / 0.20,
        "r12": ph_mezcla(0.10, 25.0, 0.10, 10.0),
    },
    "final": {
        "r1": "d", "r2": 2 ** 2, "r3": LN2 / 0.0139, "r4": 1.50 ** 2 / (0.20 * 0.25),
        "r5": equilibrio_simetrico(9.0, 0.80), "r6": "a", "r7": 4.00 / 40.0 / 0.500, "r8": 6.0 * 25.0 / 250,
        "r9": -math.log10(0.001), "r10": 14 + math.log10(0.001), "r11": 0.15 * 20.0 / 0.10,
        "r12": ph_mezcla(0.10, 20.0, 0.10, 15.0),
    },
    "practica-1": {
        "r1": 0.80 * 0.5 ** (30 / 10), "r2": 2 * (-0.36 + math.sqrt(0.36 ** 2 + 16 * 0.36 * 0.10)) / 8,
        "r3": 0.10 * 0.500 * 40.0, "r4": -math.log10(2 * 0.005), "r5": 14 + math.log10(0.020),
        "r6": ph_mezcla(0.10, 25.0, 0.10, 30.0),
    },
}


@pytest.mark.parametrize("name", list(EXPECTED))
def test_evaluation_solutions_match_independent_computation(name):
    got, tests = solutions(name), tolerances(name)
    assert set(got) == set(EXPECTED[name])
    for item, want in EXPECTED[name].items():
        if isinstance(want, str):
            assert got[item] == want, item
            continue
        answer, tol = tests[item]
        assert answer == pytest.approx(want, rel=1e-5), (name, item)  # the hidden test checks the right value
        assert tol in (0.01, 0.05, 0.1)  # stated rounding: two decimals, or one decimal
        # the solution is the correctly rounded value and the test accepts it
        assert abs(float(got[item]) - want) <= (0.005 if tol == 0.01 else 0.05) + 1e-9, (name, item)
        assert abs(float(got[item]) - answer) <= tol, (name, item)


def test_evaluations_agree_with_the_lessons(eq_ns, ph_ns, tit_ns, vida_ns, mol_ns):
    diag, final, prac = solutions("diagnostico"), solutions("final"), solutions("practica-1")
    assert diag["r5"] == pytest.approx(eq_ns["equilibrio"](1.0, 1.0, 0, 0, 4.0)[2], abs=0.005)
    assert final["r5"] == pytest.approx(eq_ns["equilibrio"](0.8, 0.8, 0, 0, 9.0)[2], abs=0.005)
    assert prac["r2"] == pytest.approx(eq_ns["equilibrio_n2o4"](0.10, 0.36)[1], abs=0.005)
    assert diag["r3"] == pytest.approx(vida_ns["vida_media"](0.0231), abs=0.05)
    assert prac["r1"] == pytest.approx(float(vida_ns["concentracion_primer_orden"](0.80, LN2 / 10, 30)), abs=0.005)
    assert diag["r7"] == pytest.approx(mol_ns["molaridad_desde_masa"](5.85, 58.5, 250), abs=0.005)
    assert final["r8"] == pytest.approx(mol_ns["dilucion"](6.0, 25.0, 250), abs=0.005)
    assert prac["r3"] == pytest.approx(mol_ns["masa_necesaria"](0.10, 500, 40.0), abs=0.05)
    assert diag["r9"] == pytest.approx(ph_ns["ph_acido_fuerte"](0.01), abs=0.005)
    assert final["r10"] == pytest.approx(ph_ns["ph_base_fuerte"](0.001), abs=0.005)
    assert prac["r4"] == pytest.approx(ph_ns["ph_disolucion"]("H₂SO₄ (ácido sulfúrico)", 0.005), abs=0.005)
    assert diag["r11"] == pytest.approx(tit_ns["volumen_equivalencia"](0.10, 25.0, 0.20), abs=0.05)
    assert diag["r12"] == pytest.approx(tit_ns["ph_titulacion"](0.10, 25.0, 0.10, 10.0), abs=0.005)
    assert final["r12"] == pytest.approx(tit_ns["ph_titulacion"](0.10, 20.0, 0.10, 15.0), abs=0.005)
    assert prac["r6"] == pytest.approx(tit_ns["ph_titulacion"](0.10, 25.0, 0.10, 30.0), abs=0.005)


def test_diagnostic_and_final_are_parallel_and_wrong_answers_lose():
    course = load_course(COURSE)
    diag, final = course.evaluation("diagnostico"), course.evaluation("final")
    assert [(i.id, i.objective, i.points) for i in diag.items] == [(i.id, i.objective, i.points) for i in final.items]
    assert {o.id for o in course.objectives} == {i.objective for i in diag.items}
    for ev in course.evaluations:
        want, tests = EXPECTED[ev.id], tolerances(ev.id)
        for item in ev.items:
            wrong = eval(item.wrong)
            if isinstance(want[item.id], str):
                assert str(wrong).strip().lower() != want[item.id]
            else:
                answer, tol = tests[item.id]
                assert abs(float(wrong) - answer) > tol, (ev.id, item.id)
