"""Tamper-proof submissions and sandboxed, parallel autograding, against the real hub, the
exchange and grader services, nbgrader and real sandboxes (slot accounts in a private network
namespace on `local`, throwaway containers on `docker`).

Every bad submission below is a small notebook made here from the released evaluation, with its
expected outcome; the whole batch is graded at once, and each is graded correctly or rejected
with a reason, while the good ones keep their full scores."""
from __future__ import annotations

import csv
import io
import json
import os
import shutil
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

import pytest
import requests

from portal import CORRECT, REPO, Exchange, Portal, answered, free_port_block, portal_instance, remove_docker_objects, tar_gz, untar

COURSE, EVAL = "mate1-funciones", "diagnostico"
HIDDEN_LINE = "assert abs(float(r1) - (2)) <= 0.01"  # a line of a hidden test of the evaluation

# username -> (given name, family name): the students of this test's roster, one per case.
CASES = {
    "correcta": ("Ana", "Correcta"),
    "errores": ("José", "Núñez, Castañeda"),  # accents and a comma survive the CSV
    "borra-prueba": ("Beto", "Borra"),
    "duplica-prueba": ("Dora", "Duplica"),
    "cambia-tipo": ("Tito", "Tipo"),
    "cambia-puntos": ("Pía", "Puntos"),
    "cambia-kernel": ("Quique", "Kernel"),
    "bucle": ("Lupe", "Bucle"),
    "memoria": ("Memo", "Memoria"),
    "salida": ("Sal", "Salida"),
    "fork": ("Flor", "Fork"),
    "espia": ("Eva", "Espía"),
    "renombra": ("René", "Renombra"),
    "json-roto": ("Jacinto", "Roto"),
}


def roster(path: Path) -> None:
    rows = [["cct", "subsistema", "estado", "grupo", "rol", "nombre", "apellidos", "usuario", "correo", "cursos"],
            ["21EBH0001Z", "DGB", "Puebla", "", "admin", "Admin", "Pasaporte", "admin", "", ""],
            ["21EBH0001Z", "DGB", "Puebla", "1A", "docente", "Doc", "Ente", "docente1", "", COURSE],
            ["21EBH0001Z", "DGB", "Puebla", "1A", "estudiante", "Otra", "Escuela", "fuera", "", ""]]
    rows += [["21EBH0001Z", "DGB", "Puebla", "1A", "estudiante", given, family, user, "", COURSE]
             for user, (given, family) in CASES.items()]
    with open(path, "w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows(rows)


def cell_of(nb: dict, grade_id: str) -> dict:
    return next(c for c in nb["cells"] if c.get("metadata", {}).get("nbgrader", {}).get("grade_id") == grade_id)


def retype_test_cell(nb: dict) -> None:
    """The test of r3 becomes a markdown cell (so, the student hopes, it never runs)."""
    cell = cell_of(nb, "r3")
    cell.update(cell_type="markdown", source="sin prueba")
    cell.pop("outputs", None)
    cell.pop("execution_count", None)


def make_cases(released: dict, hub_port: int, secrets: list[str]) -> dict[str, dict[str, bytes]]:
    """username -> files of the submission (name -> bytes)."""
    good = answered(released, CORRECT)

    def nb(x: dict) -> dict[str, bytes]:
        return {f"{EVAL}.ipynb": json.dumps(x).encode()}

    def tweak(fn) -> dict:
        x = json.loads(json.dumps(good))
        fn(x)
        return x

    def code_answer(number: str, code: str) -> dict:
        x = json.loads(json.dumps(good))
        cell_of(x, f"respuesta_r{number}")["source"] = code
        return x

    spy = f"""
import socket
for path in {secrets!r}:
    try:
        open(path, 'rb').read(10)
        print('READ', path)
    except OSError as e:
        print('DENIED', path, type(e).__name__)
try:
    socket.create_connection(('127.0.0.1', {hub_port}), timeout=3)
    print('NET reached the hub')
except OSError as e:
    print('NET refused', type(e).__name__)
get_ipython().events.register('pre_run_cell', lambda info: print('LEAK', info.raw_cell))
r8 = 5"""
    return {
        "correcta": nb(good),
        "errores": nb(answered(released, {**CORRECT, "r8": "6", "r10": "5"})),
        "borra-prueba": nb(tweak(lambda x: x["cells"].remove(cell_of(x, "r1")))),
        "duplica-prueba": nb(tweak(lambda x: x["cells"].insert(x["cells"].index(cell_of(x, "r2")), dict(cell_of(x, "r2"), source="pass")))),
        "cambia-tipo": nb(tweak(retype_test_cell)),
        "cambia-puntos": nb(tweak(lambda x: cell_of(x, "r4")["metadata"]["nbgrader"].update(points=100, locked=False))),
        "cambia-kernel": nb(tweak(lambda x: x["metadata"]["kernelspec"].update(name="bash", display_name="Bash"))),
        "bucle": nb(code_answer("5", "while True:\n    pass")),
        "memoria": nb(code_answer("6", "x = 'x' * (8 * 1024 ** 3)\nr6 = 115")),
        "salida": nb(code_answer("7", "for _ in range(100):\n    print('x' * 1_000_000)\nr7 = 4")),
        "fork": nb(code_answer("9", "import os\nwhile True:\n    os.fork()")),
        "espia": nb(code_answer("8", spy)),
        "renombra": {"mi-diagnostico.ipynb": json.dumps(good).encode()},
        "json-roto": {f"{EVAL}.ipynb": b'{"cells": [ esto no es JSON'},
    }


@pytest.fixture(scope="module", params=["local", "docker"])
def graded(request):
    """A portal on each profile; the evaluation released; every case submitted through the
    exchange; one batch collected and autograded; feedback released."""
    if os.geteuid() != 0:
        pytest.skip("sandboxes need root (make test runs as root)")
    profile = request.param
    base = Path(tempfile.mkdtemp(prefix=f"pasaporte-grading-{profile}-"))
    os.chmod(base, 0o755)
    roster(base / "roster.csv")
    env = {"PASAPORTE_PROFILE": profile, "PASAPORTE_ROSTER": str(base / "roster.csv"),
           "PASAPORTE_GRADING_CELL_TIMEOUT": "5", "PASAPORTE_GRADING_WALL_SECONDS": "60",
           "PASAPORTE_SUBMISSION_MAX_BYTES": "1500000",
           "PASAPORTE_SUBMISSION_MAX_FILES": "20", "PASAPORTE_IDLE_TIMEOUT": "0"}
    portal = Portal(state_dir=base / "state", homes_dir=base / "homes", port=free_port_block(),
                    log_path=base / "hub.log", extra_env=env)
    try:
        portal.start(timeout=600)
        r = portal.pasaporte("grade", "release", COURSE, EVAL)
        assert r.returncode == 0, r.stdout + r.stderr
        exchanges = {user: Exchange(portal, user) for user in [*CASES, "fuera", "docente1"]}
        release = exchanges["correcta"]("GET", f"release/{COURSE}/{EVAL}")
        assert release.status_code == 200, release.text
        released = json.loads(untar(release.content)[f"{EVAL}.ipynb"])
        receipts = {}
        grading = portal.state_dir / "grading" / COURSE
        secrets = [str(grading / "gradebook.db"), str(grading / "submitted" / "correcta" / EVAL / f"{EVAL}.ipynb"),
                   str(grading / "source" / EVAL / f"{EVAL}.ipynb"), str(portal.state_dir / "exchange" / "exchange.sqlite"),
                   str(portal.state_dir / "jupyterhub.sqlite"), str(REPO / "courses" / COURSE / "evaluaciones" / EVAL /
                                                                  f"{EVAL}.ipynb")]
        for user, files in make_cases(released, portal.port + 1, secrets).items():
            r = exchanges[user]("POST", f"submit/{COURSE}/{EVAL}", data=tar_gz(files))
            assert r.status_code == 201, r.text
            receipts[user] = r.json()
        collect = portal.pasaporte("grade", "collect", COURSE, EVAL)
        assert collect.returncode == 0, collect.stdout + collect.stderr
        started = time.monotonic()
        batch = portal.pasaporte("grade", "autograde", COURSE, EVAL)
        seconds = time.monotonic() - started
        (base / "batch.log").write_text(batch.stdout + batch.stderr)  # kept with PASAPORTE_KEEP_TEST_STATE
        outcomes = {o["student"]: o for o in map(json.loads, [l for l in batch.stdout.splitlines() if l.startswith("{")])}
        feedback = portal.pasaporte("grade", "feedback", COURSE, EVAL)
        assert feedback.returncode == 0, feedback.stdout + feedback.stderr
        state = {"portal": portal, "ex": exchanges, "receipts": receipts, "batch": batch, "outcomes": outcomes,
                 "profile": profile, "seconds": seconds, "released": released}
        yield state
        portal = state["portal"]  # a test may have restarted it
    finally:
        portal.stop()
        if profile == "docker":
            remove_docker_objects(portal_instance(portal.env))
        if not os.environ.get("PASAPORTE_KEEP_TEST_STATE"):
            shutil.rmtree(base, ignore_errors=True)


def test_every_submission_is_graded_or_rejected_with_a_reason(graded):
    o, batch = graded["outcomes"], graded["batch"]
    assert batch.returncode == 3, batch.stdout + batch.stderr  # some had problems, none stopped the batch
    assert set(o) == set(CASES), o  # zero lost
    full = {"correcta", "borra-prueba", "duplica-prueba", "cambia-tipo", "cambia-puntos", "cambia-kernel",
            "salida", "espia"}
    for user in full:  # tampered cells restored from the gradebook; noise and snooping change nothing
        assert o[user]["ok"] and o[user]["score"] == 10 and o[user]["max_score"] == 10, (user, batch.stdout)
    assert o["errores"]["ok"] and o["errores"]["score"] == 8
    assert o["bucle"]["score"] == 9, o["bucle"]  # the endless cell timed out; the rest was graded
    assert o["renombra"]["ok"] is False and "missing notebook diagnostico.ipynb" in o["renombra"]["problem"]
    assert o["json-roto"]["ok"] is False and "cannot be graded" in o["json-roto"]["problem"]
    assert o["json-roto"]["score"] in (None, 0)
    # In the gradebook: a notebook never submitted scores 0; one that could not be read waits for a person.
    from nbgrader.api import Gradebook

    db = graded["portal"].state_dir / "grading" / COURSE / "gradebook.db"
    with Gradebook(f"sqlite:///{db}", course_id=COURSE) as gb:
        for user, expected in (("renombra", (0, False)), ("json-roto", (None, True))):
            grades = gb.find_submission_notebook(EVAL, EVAL, user).grades
            assert grades and {(g.auto_score, g.needs_manual_grade) for g in grades} == {expected}, user
    # Memory: on local the allocation fails (rlimit) and only that answer is lost; in a container the
    # kernel is killed, what did not run scores 0 and the reason is given.
    if graded["profile"] == "local":
        assert o["memoria"]["ok"] and o["memoria"]["score"] == 9, o["memoria"]
    else:
        assert o["memoria"]["score"] is not None and o["memoria"]["score"] < 10, o["memoria"]
    # A fork bomb meets the process limit; whatever happens to it, it is told and scores below full.
    assert o["fork"]["score"] is None or o["fork"]["score"] < 10, o["fork"]
    assert f"[{len(CASES)}/{len(CASES)}]" in batch.stdout  # progress, one line per submission


def test_sandbox_let_nothing_out(graded):
    portal = graded["portal"]
    autograded = portal.state_dir / "grading" / COURSE / "autograded"
    spy = json.loads((autograded / "espia" / EVAL / f"{EVAL}.ipynb").read_text())
    text = json.dumps(cell_of(spy, "respuesta_r8")["outputs"])
    assert text.count("DENIED") == 6 and "READ" not in text, text
    assert "NET refused" in text and "NET reached" not in text, text
    # 100 MB of output were cut down to the budget; the notebook stays small.
    assert (autograded / "salida" / EVAL / f"{EVAL}.ipynb").stat().st_size < 5 * 1024 * 1024
    assert "Salida recortada" in (autograded / "salida" / EVAL / f"{EVAL}.ipynb").read_text()
    if graded["profile"] == "local":  # nothing of the fork bomb (or anyone) outlives its job
        import pwd

        slots = [p.pw_uid for p in pwd.getpwall() if p.pw_name.startswith("pasaporte-sbx")]
        assert slots
        left = [d for d in os.listdir("/proc") if d.isdigit() and os.stat(f"/proc/{d}").st_uid in slots]
        assert left == []
    else:
        import subprocess

        r = subprocess.run(["docker", "ps", "-aq", "--filter", "label=org.pasaporte.sandbox"], capture_output=True,
                           text=True)
        assert r.stdout.strip() == ""  # every sandbox container was thrown away


def test_feedback_never_shows_hidden_tests(graded):
    ex = graded["ex"]
    for user in ("correcta", "errores", "espia"):
        subs = ex[user]("GET", "submissions", params={"course_id": COURSE}).json()["submissions"]
        assert len(subs) == 1 and subs[0]["feedback"], subs
        html = untar(ex[user]("GET", f"feedback/{subs[0]['id']}").content)[f"{EVAL}.html"].decode()
        assert HIDDEN_LINE not in html and "BEGIN HIDDEN TESTS" not in html, user
        assert "abs(float(r" not in html, user  # not even what the spy printed of them
    errores = untar(ex["errores"]("GET", f"feedback/{graded['receipts']['errores']['id']}").content)
    assert "Incorrecta" in errores[f"{EVAL}.html"].decode()
    # The released notebook a student fetches never had them either.
    assert "HIDDEN" not in json.dumps(graded["released"]) and "abs(float(r1)" not in json.dumps(graded["released"])


def test_scores_csv_keeps_names_with_commas_and_accents(graded):
    r = graded["portal"].pasaporte("grade", "scores", COURSE, EVAL)
    assert r.returncode == 0, r.stderr
    rows = {row["usuario"]: row for row in csv.DictReader(io.StringIO(r.stdout))}
    assert rows["errores"]["nombre"] == "José" and rows["errores"]["apellidos"] == "Núñez, Castañeda"
    assert rows["errores"]["total"] == "8" and rows["errores"]["r8"] == "0" and rows["errores"]["r1"] == "1"
    assert rows["correcta"]["total"] == "10"


def test_identity_and_time_come_from_the_server(graded):
    ex, portal = graded["ex"], graded["portal"]
    before = datetime.now(timezone.utc)
    # Claims of another identity and a forged timestamp inside the upload change nothing.
    files = {f"{EVAL}.ipynb": json.dumps(answered(graded["released"], CORRECT)).encode(),
             "timestamp.txt": b"2020-01-01 00:00:00.000000 UTC"}
    r = ex["errores"]("POST", f"submit/{COURSE}/{EVAL}", params={"student_id": "correcta"},
                      headers={"X-Student": "correcta"}, data=tar_gz(files))
    assert r.status_code == 201 and r.json()["student_id"] == "errores", r.text
    stamp = datetime.strptime(r.json()["timestamp"], "%Y-%m-%d %H:%M:%S.%f %Z").replace(tzinfo=timezone.utc)
    assert abs((stamp - before).total_seconds()) < 60
    mine = ex["errores"]("GET", "submissions", params={"course_id": COURSE}).json()["submissions"]
    assert [s["student_id"] for s in mine] == ["errores", "errores"]
    stored = portal.pasaporte("grade", "collect", COURSE, EVAL)
    assert stored.returncode == 0
    collected = portal.state_dir / "grading" / COURSE / "submitted" / "errores" / EVAL
    assert not (collected / "timestamp.txt").read_text().startswith("2020")
    assert (portal.state_dir / "grading" / COURSE / "submitted" / "correcta" / EVAL / f"{EVAL}.ipynb").exists()


def test_students_see_only_their_own_courses_and_work(graded):
    ex, receipts = graded["ex"], graded["receipts"]
    other = receipts["correcta"]["id"]
    assert ex["errores"]("GET", f"submission/{other}").status_code == 403  # not a teacher
    r = ex["errores"]("GET", f"feedback/{other}")
    assert r.status_code == 404 and "no existe" in r.json()["message"]
    listed = ex["errores"]("GET", "submissions").json()["submissions"]
    assert {s["student_id"] for s in listed} == {"errores"}
    # A student of no course sees no evaluation and cannot fetch or submit one.
    assert ex["fuera"]("GET", "assignments").json()["assignments"] == []
    assert ex["fuera"]("GET", f"release/{COURSE}/{EVAL}").status_code == 404
    r = ex["fuera"]("POST", f"submit/{COURSE}/{EVAL}", data=tar_gz({"x.ipynb": b"{}"}))
    assert r.status_code == 404 and r.json()["message"]
    # Students cannot release or withdraw; the course's teacher sees everyone's work.
    assert ex["correcta"]("PUT", f"release/{COURSE}/{EVAL}", data=tar_gz({"x.ipynb": b"{}"})).status_code == 403
    assert ex["correcta"]("DELETE", f"release/{COURSE}/{EVAL}").status_code == 403
    teacher = ex["docente1"]("GET", "submissions", params={"course_id": COURSE}).json()["submissions"]
    assert set(CASES) <= {s["student_id"] for s in teacher}
    assert ex["docente1"]("GET", f"submission/{other}").status_code == 200
    # No token, no entry.
    assert requests.get(ex["errores"].base + "assignments", timeout=30).status_code == 403


def test_size_and_file_limits_refuse_with_a_clear_message_and_keep_nothing(graded):
    ex = graded["ex"]
    count = len(ex["salida"]("GET", "submissions").json()["submissions"])
    big = ex["salida"]("POST", f"submit/{COURSE}/{EVAL}", data=tar_gz({f"{EVAL}.ipynb": os.urandom(1_600_000)}))
    assert big.status_code == 413 and "el máximo es" in big.json()["message"], big.text
    many = ex["salida"]("POST", f"submit/{COURSE}/{EVAL}", data=tar_gz({f"f{i}.txt": b"x" for i in range(21)}))
    assert many.status_code == 413 and "archivos" in many.json()["message"], many.text
    evil = ex["salida"]("POST", f"submit/{COURSE}/{EVAL}", data=tar_gz({"../../fuera.txt": b"x"}))
    assert evil.status_code == 400 and "no permitidos" in evil.json()["message"]
    broken = ex["salida"]("POST", f"submit/{COURSE}/{EVAL}", data=b"not a tar")
    assert broken.status_code == 400 and "dañado" in broken.json()["message"]
    assert len(ex["salida"]("GET", "submissions").json()["submissions"]) == count
    assert not list((graded["portal"].state_dir / "exchange" / "incoming").iterdir())


def test_exchange_keeps_everything_across_a_restart(graded):
    portal, ex = graded["portal"], graded["ex"]
    before = ex["docente1"]("GET", "submissions", params={"course_id": COURSE}).json()["submissions"]
    portal.stop()
    again = portal.again(extra_env=portal.extra_env)
    again.start(timeout=300)
    graded["portal"] = again
    after = ex["docente1"]("GET", "submissions", params={"course_id": COURSE}).json()["submissions"]
    assert after == before and len(after) >= len(CASES)
    assert ex["correcta"]("GET", f"release/{COURSE}/{EVAL}").status_code == 200
