"""Benchmark (not a test): a classroom burst. N students (default 40) log in at the same
moment and each starts their server; the clock runs from the burst's start to each server
being ready. Run for the `docker` and the `local` profile, one after the other, on the same
machine and the same roster, and printed side by side:

- p50 and p95 time to a ready server, and the slowest;
- the machine's peak memory in use during the burst, above what it used before;
- idle memory per user, 20 s after the last server was ready.

    make bench-burst                       # or: python bench/burst.py [--students N] [--profiles docker,local]
"""
from __future__ import annotations

import argparse
import csv
import os
import shutil
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from portal import Portal, free_port_block, portal_instance, remove_docker_objects  # noqa: E402

COURSE = "mate1-funciones"


def memory_used_mb() -> float:
    info = {}
    for line in Path("/proc/meminfo").read_text().splitlines():
        key, value = line.split(":")
        info[key] = int(value.split()[0])
    return (info["MemTotal"] - info["MemAvailable"]) / 1024


def write_roster(path: Path, n: int) -> list[str]:
    names = [f"burst{i:03d}" for i in range(1, n + 1)]
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["cct", "subsistema", "estado", "grupo", "rol", "nombre", "apellidos", "usuario", "correo", "cursos"])
        w.writerow(["21EBH0001Z", "DGB", "Puebla", "", "admin", "Admin", "Banco", "admin", "", ""])
        w.writerow(["21EBH0001Z", "DGB", "Puebla", "1A", "docente", "Docente", "Banco", "docente.banco", "", COURSE])
        for name in names:
            w.writerow(["21EBH0001Z", "DGB", "Puebla", "1A", "estudiante", "Estudiante", name, name, "", COURSE])
    return names


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def burst(profile: str, n: int, base: Path) -> dict:
    work = base / profile
    work.mkdir()
    roster = work / "roster.csv"
    names = write_roster(roster, n)
    portal = Portal(state_dir=work / "state", homes_dir=work / "homes", port=free_port_block(),
                    log_path=work / "hub.log",
                    extra_env={"PASAPORTE_PROFILE": profile, "PASAPORTE_ROSTER": str(roster),
                               "PASAPORTE_IDLE_TIMEOUT": "0"})
    portal.start(timeout=600)
    try:
        accounts = portal.accounts()
        clients = []
        with ThreadPoolExecutor(8) as pool:  # log everyone in first: the burst is the spawns
            clients = list(pool.map(lambda name: portal.client(name, accounts[name]["password"]), names))
        time.sleep(3)
        baseline = memory_used_mb()
        peak = [baseline]
        done = threading.Event()

        def sample():
            while not done.is_set():
                peak[0] = max(peak[0], memory_used_mb())
                time.sleep(0.25)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        start = time.perf_counter()
        times: dict[str, float] = {}
        failures: dict[str, str] = {}

        def spawn(client):
            try:
                client.start_server(timeout=600)
                times[client.username] = time.perf_counter() - start
            except Exception as exc:  # a failed spawn is a result to report, not a crash
                failures[client.username] = str(exc).splitlines()[0][:200]

        with ThreadPoolExecutor(n) as pool:
            list(pool.map(spawn, clients))
        wall = time.perf_counter() - start
        time.sleep(20)
        idle = memory_used_mb()
        done.set()
        sampler.join()
        ready = list(times.values())
        return {
            "profile": profile, "ready": len(ready), "failed": failures, "wall": wall,
            "p50": percentile(ready, 50) if ready else float("nan"),
            "p95": percentile(ready, 95) if ready else float("nan"),
            "max": max(ready) if ready else float("nan"),
            "peak_mb": peak[0] - baseline, "idle_per_user_mb": (idle - baseline) / max(1, len(ready)),
        }
    finally:
        portal.stop()
        if profile == "docker":
            remove_docker_objects(portal_instance(portal.env))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--students", type=int, default=40)
    parser.add_argument("--profiles", default="docker,local")
    args = parser.parse_args()
    base = Path(tempfile.mkdtemp(prefix="pasaporte-burst-"))
    os.chmod(base, 0o755)
    results = []
    try:
        for profile in args.profiles.split(","):
            print(f"== {profile}: {args.students} students start their servers at once", flush=True)
            r = burst(profile, args.students, base)
            results.append(r)
            print(f"   ready {r['ready']}/{args.students} in {r['wall']:.1f} s; p50 {r['p50']:.1f} s, "
                  f"p95 {r['p95']:.1f} s; peak +{r['peak_mb']:.0f} MB; idle {r['idle_per_user_mb']:.0f} MB/user",
                  flush=True)
            for name, why in sorted(r["failed"].items())[:5]:
                print(f"   FAILED {name}: {why}")
    finally:
        shutil.rmtree(base, ignore_errors=True)
    print()
    print(f"{'profile':8} {'ready':>7} {'p50 s':>7} {'p95 s':>7} {'max s':>7} {'peak MB':>8} {'idle MB/user':>13}")
    for r in results:
        print(f"{r['profile']:8} {r['ready']:>4}/{args.students:<2} {r['p50']:7.1f} {r['p95']:7.1f} {r['max']:7.1f} "
              f"{r['peak_mb']:8.0f} {r['idle_per_user_mb']:13.0f}")
    by = {r["profile"]: r for r in results}
    if "docker" in by and "local" in by:
        d, l = by["docker"], by["local"]
        print(f"docker/local ratios: p50 {d['p50'] / l['p50']:.2f}, p95 {d['p95'] / l['p95']:.2f}, "
              f"peak memory {d['peak_mb'] / l['peak_mb']:.2f}, idle memory per user "
              f"{d['idle_per_user_mb'] / l['idle_per_user_mb']:.2f}")


if __name__ == "__main__":
    main()
