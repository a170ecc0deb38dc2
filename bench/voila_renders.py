"""Probe (not a test): render the course's lessons N times in a row over HTTP from one running
user server, and print the slowest and median server-side render times. Used to look for the
rare lesson view whose widgets never appear (see the closing notes).

    python bench/voila_renders.py [N]      # default 24
"""
from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from portal import Portal, free_port_block  # noqa: E402

LESSONS = ["01-funcion-lineal", "02-leer-graficas", "03-sistemas-de-ecuaciones"]


def main(n: int = 24) -> None:
    base = Path(tempfile.mkdtemp(prefix="pasaporte-bench-"))
    os.chmod(base, 0o755)
    portal = Portal(state_dir=base / "state", homes_dir=base / "homes", port=free_port_block(),
                    log_path=base / "hub.log").start()
    try:
        student = portal.client("ana.garcia")
        student.start_server()
        times, failures = [], 0
        for i in range(n):
            lesson = LESSONS[i % len(LESSONS)]
            start = time.perf_counter()
            try:
                r = student.s.get(student.url(f"/user/ana.garcia/voila/render/cursos/mate1-funciones/{lesson}.ipynb"),
                                  timeout=60)
                ok = r.status_code == 200 and "application/vnd.jupyter.widget-view+json" in r.text
            except Exception:  # noqa: BLE001 - a probe reports, it does not stop
                ok = False
            times.append(time.perf_counter() - start)
            failures += not ok
            if not ok:
                print(f"render {i} of {lesson} failed after {times[-1]:.1f} s (state kept in {base})")
        print(f"{n} renders: median {statistics.median(times):.2f} s, slowest {max(times):.2f} s, failures {failures}")
    finally:
        portal.stop()


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 24)
