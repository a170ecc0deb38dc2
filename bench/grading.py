"""Benchmark (not a test): grade N submissions (default 40) of a real evaluation with stock
`nbgrader autograde` (serial, in the grader's own process) and with the Pasaporte pipeline
(`pasaporte grade autograde`: sandboxed, parallel), in the same run, on the same collected
submissions. Prints submissions per minute for each and their ratio, whether every submission
got the same score both ways, and how far the pipeline is from pure execution (the same
notebooks run with nbclient alone, one after another, divided by the number of workers).

    make bench-grading                      # BENCH_ARGS="--students 40 --profile local"

Run as root (the sandboxes need it). The last line states the ratio.
"""
from __future__ import annotations

import argparse
import csv
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from portal import (CORRECT, Exchange, Portal, answered, free_port_block, portal_instance,  # noqa: E402
                    remove_docker_objects, tar_gz, untar)

COURSE, EVAL = "mate1-funciones", "diagnostico"
WRONG = {"r1": "3", "r2": "-4", "r3": "2", "r4": "11", "r5": "7", "r6": "100", "r7": "5", "r8": "6", "r9": "7",
         "r10": "5"}
STOCK_CONFIG = """c = get_config()
c.CourseDirectory.course_id = {course!r}
c.CourseDirectory.root = {root!r}
c.CourseDirectory.db_url = {db!r}
"""


def roster(path: Path, n: int) -> list[str]:
    users = [f"alumno{i:02d}" for i in range(1, n + 1)]
    rows = [["cct", "subsistema", "estado", "grupo", "rol", "nombre", "apellidos", "usuario", "correo", "cursos"],
            ["21EBH0001Z", "DGB", "Puebla", "", "admin", "Admin", "Pasaporte", "admin", "", ""]]
    rows += [["21EBH0001Z", "DGB", "Puebla", "1A", "estudiante", "Alumno", f"Número {u[-2:]}", u, "", COURSE]
             for u in users]
    with open(path, "w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows(rows)
    return users


def totals_from(db: Path) -> dict[str, float]:
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{db}", course_id=COURSE) as gb:
        return {s.student.id: s.score for s in gb.find_assignment(EVAL).submissions}


def pure_execution(notebooks: list[Path]) -> float:
    """Seconds to run the notebooks with nbclient alone (fresh kernel each), one after another."""
    code = ("import sys, time, nbformat\nfrom nbclient import NotebookClient\nt = time.monotonic()\n"
            "for p in sys.argv[1:]:\n    NotebookClient(nbformat.read(p, 4), timeout=30, allow_errors=True,"
            " kernel_name='python3').execute()\nprint(time.monotonic() - t)")
    out = subprocess.run([sys.executable, "-c", code, *map(str, notebooks)], capture_output=True, text=True,
                         check=True)
    return float(out.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--students", type=int, default=40)
    ap.add_argument("--profile", default="local", choices=["local", "docker"])
    ap.add_argument("--keep", action="store_true", help="keep the state folder (to profile or inspect)")
    args = ap.parse_args()
    if os.geteuid() != 0:
        sys.exit("run as root: the sandboxes need it")
    base = Path(tempfile.mkdtemp(prefix="pasaporte-bench-grading-"))
    os.chmod(base, 0o755)
    users = roster(base / "roster.csv", args.students)
    workers = int(os.environ.get("PASAPORTE_GRADING_WORKERS") or os.cpu_count())
    portal = Portal(state_dir=base / "state", homes_dir=base / "homes", port=free_port_block(),
                    log_path=base / "hub.log", extra_env={"PASAPORTE_PROFILE": args.profile,
                                                         "PASAPORTE_ROSTER": str(base / "roster.csv"),
                                                         "PASAPORTE_IDLE_TIMEOUT": "0"})
    try:
        portal.start(timeout=900)
        assert portal.pasaporte("grade", "release", COURSE, EVAL).returncode == 0
        rng = random.Random(7)
        released = None
        for user in users:
            ex = Exchange(portal, user)
            if released is None:
                released = json.loads(untar(ex("GET", f"release/{COURSE}/{EVAL}").content)[f"{EVAL}.ipynb"])
            answers = {k: (WRONG[k] if rng.random() < 0.3 else v) for k, v in CORRECT.items()}
            r = ex("POST", f"submit/{COURSE}/{EVAL}", data=tar_gz({f"{EVAL}.ipynb": json.dumps(answered(released, answers)).encode()}))
            assert r.status_code == 201, r.text
        assert portal.pasaporte("grade", "collect", COURSE, EVAL).returncode == 0
        course = portal.state_dir / "grading" / COURSE

        # Stock: nbgrader autograde on a copy of the course folder, its own gradebook, default config.
        stock = base / "stock"
        shutil.copytree(course, stock, ignore=shutil.ignore_patterns("autograded", "feedback"))
        (stock / "nbgrader_config.py").write_text(STOCK_CONFIG.format(course=COURSE, root=str(stock),
                                                                      db=f"sqlite:///{stock / 'gradebook.db'}"))
        env = {**os.environ, "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}"}
        t = time.monotonic()
        done = subprocess.run([str(Path(sys.executable).parent / "nbgrader"), "autograde", EVAL, "--force"],
                              cwd=stock, env=env, capture_output=True, text=True)
        stock_s = time.monotonic() - t
        assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]

        t = time.monotonic()
        ours = portal.pasaporte("grade", "autograde", COURSE, EVAL)
        ours_s = time.monotonic() - t
        assert ours.returncode in (0, 3), ours.stdout[-2000:] + ours.stderr[-2000:]

        stock_scores, our_scores = totals_from(stock / "gradebook.db"), totals_from(course / "gradebook.db")
        same = sum(1 for u in users if stock_scores.get(u) == our_scores.get(u) and u in stock_scores)
        notebooks = sorted((course / "submitted").glob(f"*/{EVAL}/{EVAL}.ipynb"))
        pure = pure_execution(notebooks)
        n = len(users)
        print(f"\nGrading {n} submissions of {COURSE}/{EVAL} on {os.cpu_count()} cores "
              f"({args.profile} sandboxes, {workers} workers)")
        print(f"  stock nbgrader autograde (serial): {stock_s:6.1f} s  {n / stock_s * 60:6.1f} submissions/min")
        print(f"  pasaporte pipeline (sandboxed):    {ours_s:6.1f} s  {n / ours_s * 60:6.1f} submissions/min")
        print(f"  same total score both ways: {same}/{n}"
              + ("" if same == n else f"  DIFFERENT: {[u for u in users if stock_scores.get(u) != our_scores.get(u)]}"))
        print(f"  pure execution (nbclient alone, serial): {pure:.1f} s; over {workers} workers: {pure / workers:.1f} s; "
              f"pipeline / that: {ours_s / (pure / workers):.2f}x")
        summary = [l for l in ours.stdout.splitlines() if l.startswith("Autograded ")]
        print(f"  the batch's own account: {summary[-1] if summary else '(missing)'}")
        print(f"pipeline vs stock: {stock_s / ours_s:.2f}x faster (target 4x)")
    finally:
        portal.stop()
        if args.profile == "docker":
            remove_docker_objects(portal_instance(portal.env))
        if args.keep:
            print(f"kept: {base}")
        else:
            shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
