"""What a student sees, in a real browser (Debian's chromium driven by Playwright):
log in through the Spanish form, land on the course page, open a lesson, move a slider,
and the lesson answers. No request leaves the portal."""
import shutil
from urllib.parse import urlparse

import pytest

pytestmark = pytest.mark.browser

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        yield b
        b.close()


def test_student_moves_a_slider_and_the_lesson_answers(portal, browser, tmp_path):
    password = portal.accounts()["jose.pena"]["password"]
    context = browser.new_context(locale="es-MX")
    page = context.new_page()
    hosts = set()
    page.on("request", lambda req: hosts.add(urlparse(req.url).hostname))

    page.goto(portal.url + "/hub/login")
    assert page.locator("h1").inner_text().startswith("Bienvenida")
    page.fill("#username_input", "jose.pena")
    page.fill("#password_input", password)
    page.click("#login_submit")
    page.wait_for_url("**/hub/home")
    assert "Tus cursos" in page.content()

    page.click("#curso-mate1-funciones a.leccion >> nth=0")
    # spawn page (Spanish) then the Voila view; the first start of a server takes a few seconds
    summary = page.locator(".widget-html-content b").first
    try:
        summary.wait_for(timeout=90_000)
    except Exception:
        # Seen rarely (about once in 40 renders): a view whose widgets never appear; a reload fixes
        # it for the student. Count it loudly, then check that the reload does work.
        print("WARNING: lesson widgets did not appear in 90 s; reloading once")
        page.reload()
        summary.wait_for(timeout=90_000)
    before = summary.inner_text()
    assert before.startswith("y = 1·x + 0")
    # widget-only: no code, no editor, no prompts
    assert "describir_recta" not in page.content()
    assert page.locator(".cm-editor, .jp-InputPrompt, .jp-CodeCell .jp-InputArea").count() == 0

    slider = page.locator(".widget-slider .noUi-handle, .widget-slider .slider-container [role=slider]").first
    slider.focus()
    for _ in range(3):
        page.keyboard.press("ArrowRight")
    page.wait_for_function(
        "() => document.querySelector('.widget-html-content b').innerText.startsWith('y = 2.5·x + 0')", timeout=30_000)
    after = summary.inner_text()
    assert after != before and "sube 2.5" in after and "x = 0." in after, after
    page.screenshot(path=str(portal.state_dir.parent / "lesson.png"), full_page=True)

    assert hosts == {"127.0.0.1"}, f"requests left the portal: {hosts}"
    context.close()
