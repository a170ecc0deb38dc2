"""Benchmark (not a test): time from a student's login to a rendered, live lesson view.

Starts a real portal on a temporary state dir, then for N different students (default 5):
log in through the form in headless Chromium, click the first lesson on the landing page,
and stop the clock when the lesson's widget output is on screen. Each student's server is
started by that click (cold: spawn + kernel + Voila render). Then the same students open the
lesson again with their server running (warm). Prints every figure and the medians.

    make bench-lesson            # or: python bench/login_to_lesson.py [N]
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

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run"]
STUDENTS = ["ana.garcia", "luis.martinez", "sofia.nunez", "diego.lopez", "valeria.ramirez", "jose.pena"]


def main(n: int = 5) -> None:
    from playwright.sync_api import sync_playwright

    base = Path(tempfile.mkdtemp(prefix="pasaporte-bench-"))
    os.chmod(base, 0o755)
    portal = Portal(state_dir=base / "state", homes_dir=base / "homes", port=free_port_block(),
                    log_path=base / "hub.log")
    t0 = time.perf_counter()
    portal.start()
    print(f"portal ready in {time.perf_counter() - t0:.1f} s (hub + proxy + grader service, empty state)")
    accounts = portal.accounts()
    cold, warm = [], []
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=FLAGS)
            for student in STUDENTS[:n]:
                for label, series in (("cold", cold), ("warm", warm)):
                    context = browser.new_context()
                    page = context.new_page()
                    page.goto(portal.url + "/hub/login")
                    page.fill("#username_input", student)
                    page.fill("#password_input", accounts[student]["password"])
                    start = time.perf_counter()
                    page.click("#login_submit")
                    page.wait_for_url("**/hub/home")
                    page.click("#curso-mate1-funciones a.leccion >> nth=0")
                    page.locator(".widget-html-content b").first.wait_for(timeout=180_000)
                    elapsed = time.perf_counter() - start
                    series.append(elapsed)
                    print(f"{student:16s} {label}: {elapsed:5.2f} s  (login → lesson with live widgets)")
                    context.close()
            browser.close()
    finally:
        portal.stop()
    print(f"median of {len(cold)} cold (server started by the click): {statistics.median(cold):.2f} s")
    print(f"median of {len(warm)} warm (server already running):      {statistics.median(warm):.2f} s")
    print(f"cold/warm ratio: {statistics.median(cold) / statistics.median(warm):.1f}x")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5)
