"""The content quality gate: what every course must pass before students see it.

`pasaporte check` (and `make content-check`) runs it; the test suite runs the same functions
per course. Findings are English, for authors, and name the file and the place.

- structure: `course.toml` is valid (pasaporte.content), and a STEM course has at least 4
  lesson views, a diagnostic and a final evaluation that are parallel forms (same items, same
  objectives, same points; every objective measured by both) and at least one practice set;
- lessons: every lesson runs top to bottom in a fresh kernel and shows widgets;
- evaluations: each one generates with nbgrader, and stock `nbgrader autograde` gives the
  instructor's solution full marks, the untouched student copy 0, and each item's declared
  plausible wrong answer (`wrong` in `course.toml`) loses exactly that item's points;
- spelling: the Spanish a student reads (course.toml texts, markdown, strings in lesson code)
  passes hunspell's es_MX dictionary, with allow-lists (`courses/palabras.txt` and
  `courses/<id>/palabras.txt`);
- views: every lesson renders through Voila in headless Chromium with its widgets present, and
  no request leaves the machine (no CDN).
"""
from __future__ import annotations

import ast
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Iterable, TextIO
from urllib.parse import urlparse

from .content import Course, Evaluation

MIN_LESSONS = 4
MIN_ITEMS = 10
SOLUTION_RE = re.compile(r"### BEGIN SOLUTION\n(.*?)### END SOLUTION", re.S)
LOOPBACK = ("127.0.0.1", "localhost")
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]


# --- structure -------------------------------------------------------------------------------

def check_structure(course: Course) -> list[str]:
    """What the catalogue asks of a STEM course beyond a valid course.toml."""
    problems = []
    views = [l for l in course.lessons if l.view]
    if len(views) < MIN_LESSONS:
        problems.append(f"{course.id}: {len(views)} lesson views, at least {MIN_LESSONS} are needed")
    by_kind: dict[str, list[Evaluation]] = {}
    for ev in course.evaluations:
        by_kind.setdefault(ev.kind, []).append(ev)
    for kind in ("diagnostica", "final", "practica"):
        if kind not in by_kind:
            problems.append(f"{course.id}: no evaluation of kind {kind!r}")
    for ev in by_kind.get("diagnostica", []) + by_kind.get("final", []):
        if len(ev.items) < MIN_ITEMS:
            problems.append(f"{course.id}/{ev.id}: {len(ev.items)} items, at least {MIN_ITEMS} are needed")
    if by_kind.get("diagnostica") and by_kind.get("final"):
        diag, final = by_kind["diagnostica"][0], by_kind["final"][0]
        form = lambda ev: {it.id: (it.objective, it.points) for it in ev.items}  # noqa: E731
        if form(diag) != form(final):
            differing = sorted(set(form(diag).items()) ^ set(form(final).items()))
            problems.append(f"{course.id}: {diag.id} and {final.id} are not parallel forms "
                            f"(items that differ in id, objective or points: {', '.join(i for i, _ in differing)})")
        measured = {it.objective for it in diag.items}
        for objective in course.objectives:
            if objective.id not in measured:
                problems.append(f"{course.id}: objective {objective.id} is not measured by {diag.id} and {final.id}")
    return problems


# --- lessons -----------------------------------------------------------------------------------

def run_lesson(path: Path, timeout: int = 90) -> list[str]:
    """Run a lesson top to bottom in a fresh kernel; it must not fail and must show widgets."""
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    try:
        NotebookClient(nb, timeout=timeout, kernel_name="python3", allow_errors=True,
                       resources={"metadata": {"path": str(path.parent)}}).execute()
    except Exception as exc:  # a timeout or a dead kernel
        return [f"{path}: did not run to the end: {type(exc).__name__}: {exc}"]
    problems = []
    for index, cell in enumerate(nb.cells):
        for output in cell.get("outputs", []):
            if output.output_type == "error":
                problems.append(f"{path}: cell {index} raised {output.ename}: {output.evalue}")
    widgets = [o for c in nb.cells for o in c.get("outputs", [])
               if "application/vnd.jupyter.widget-view+json" in o.get("data", {})]
    if not widgets:
        problems.append(f"{path}: shows no widgets (a lesson must be interactive)")
    return problems


# --- evaluations -------------------------------------------------------------------------------

GATE_CONFIG = """\
c = get_config()
c.CourseDirectory.course_id = {course_id!r}
c.CourseDirectory.root = {root!r}
c.CourseDirectory.db_url = {db_url!r}
c.ClearSolutions.code_stub = {{"python": ""}}  # as the portal: students answer in place of `rK = None`
c.ExecutePreprocessor.timeout = 60
"""


SCENARIOS = {
    "solucion": "the instructor's solution",
    "sin-responder": "the untouched student copy",
    "errores-impares": "the plausible wrong answers on items 1, 3, 5…",
    "errores-pares": "the plausible wrong answers on items 2, 4, 6…",
}


def scenarios(ev: Evaluation) -> dict[str, tuple[dict[str, str | None], dict[str, float]]]:
    """Student copies to grade, as {student: ({item: answer or None for "untouched"}, {item: expected score})}."""
    ids = [it.id for it in ev.items]
    points = {it.id: it.points for it in ev.items}
    wrong = {it.id: it.wrong for it in ev.items}
    out = {
        "solucion": ({i: "SOLUTION" for i in ids}, dict(points)),
        "sin-responder": ({i: None for i in ids}, {i: 0.0 for i in ids}),
    }
    for parity, name in ((0, "errores-impares"), (1, "errores-pares")):
        answers, expected = {}, {}
        for n, item in enumerate(ids):
            is_wrong = n % 2 == parity  # items 1, 3, 5… then 2, 4, 6…
            answers[item] = wrong[item] if is_wrong else "SOLUTION"
            expected[item] = 0.0 if is_wrong else points[item]
        out[name] = (answers, expected)
    return out


def _student_copy(release_nb, source_nb, answers: dict[str, str | None]):
    """The released notebook as a student would hand it in with these answers."""
    import copy

    nb = copy.deepcopy(release_nb)
    solutions = {}
    for cell in source_nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        match = SOLUTION_RE.search(cell.source) if meta.get("solution") else None
        if match:
            solutions[meta["grade_id"]] = match.group(1).strip()
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        if not meta.get("solution") or cell.cell_type != "code":
            continue
        item = meta["grade_id"].removeprefix("respuesta_")
        answer = answers.get(item)
        if answer is None:
            continue
        cell.source = solutions[meta["grade_id"]] if answer == "SOLUTION" else f"{item} = {answer}"
    return nb


def grade_evaluation(course: Course, ev: Evaluation, workdir: Path) -> list[str]:
    """Generate with nbgrader, then autograde every scenario with stock nbgrader; compare per item."""
    import nbformat
    from nbgrader.apps import NbGraderAPI
    from nbgrader.api import Gradebook
    from traitlets.config import Config

    bin_dir = str(Path(sys.prefix) / "bin")  # nbgrader migrates a new gradebook with this environment's `alembic`
    if bin_dir not in os.environ.get("PATH", "").split(os.pathsep):
        os.environ["PATH"] = f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}"
    root = workdir / f"{course.id}-{ev.id}"
    if root.exists():
        shutil.rmtree(root)
    source = root / "source" / ev.id
    source.mkdir(parents=True)
    shutil.copyfile(course.folder / ev.notebook, source / f"{ev.notebook_name}.ipynb")
    db_url = f"sqlite:///{root / 'gradebook.db'}"
    config = Config()
    exec(GATE_CONFIG.format(course_id=course.id, root=str(root), db_url=db_url), {"get_config": lambda: config})
    plan = scenarios(ev)
    with Gradebook(db_url, course_id=course.id) as gb:
        for student in plan:
            gb.update_or_create_student(student)
    api = NbGraderAPI(config=config)
    where = f"{course.id}/{ev.id}"
    result = api.generate_assignment(ev.id, force=True)
    if not result["success"]:
        return [f"{where}: nbgrader generate_assignment failed: {result['error'] or result['log'][-2000:]}"]
    name = f"{ev.notebook_name}.ipynb"
    release_nb = nbformat.read(root / "release" / ev.id / name, as_version=4)
    source_nb = nbformat.read(source / name, as_version=4)
    for student, (answers, _) in plan.items():
        folder = root / "submitted" / student / ev.id
        folder.mkdir(parents=True)
        nbformat.write(_student_copy(release_nb, source_nb, answers), folder / name)
        (folder / "timestamp.txt").write_text("2026-01-15 10:00:00.000000 UTC")
    problems = []
    for student, (_, expected) in plan.items():
        result = api.autograde(ev.id, student, force=True, create=False)
        if not result["success"]:
            problems.append(f"{where}: nbgrader autograde of {student} failed: {result['error'] or result['log'][-2000:]}")
            continue
        with Gradebook(db_url, course_id=course.id) as gb:
            notebook = gb.find_submission_notebook(ev.notebook_name, ev.id, student)
            got = {grade.name: float(grade.score) for grade in notebook.grades}
        for item, want in expected.items():
            if got.get(item) != want:
                problems.append(f"{where}: item {item} scored {got.get(item)} (expected {want:g}) "
                                f"for {SCENARIOS[student]}")
    return problems


def _grade_one(args: tuple[Path, str, str, str]) -> tuple[str, list[str], float]:
    content_dir, course_id, evaluation_id, workdir = args
    from .content import load_course

    course = load_course(Path(content_dir) / "courses" / course_id)
    # nbgrader's and the kernels' chatter goes to a log; findings come back as the result
    log = os.open(Path(workdir) / f"{course_id}-{evaluation_id}.log", os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    os.dup2(log, 2)
    started = time.monotonic()
    try:
        problems = grade_evaluation(course, course.evaluation(evaluation_id), Path(workdir))
    except Exception as exc:  # one broken evaluation never hides the others
        problems = [f"{course_id}/{evaluation_id}: the gate could not grade it: {type(exc).__name__}: {exc}"]
    return f"{course_id}/{evaluation_id}", problems, time.monotonic() - started


def grade_all(courses: list[Course], content_dir: Path, workers: int | None = None,
              out: TextIO | None = None) -> list[str]:
    """Every evaluation of every course, `workers` at once (default: the number of cores)."""
    with tempfile.TemporaryDirectory(prefix="pasaporte-gate-") as workdir:
        jobs = [(content_dir, c.id, ev.id, workdir) for c in courses for ev in c.evaluations]
        problems = []
        with ProcessPoolExecutor(max_workers=workers or os.cpu_count() or 2) as pool:
            for where, found, seconds in pool.map(_grade_one, jobs):
                problems += found
                if out:
                    print(f"  {where}: {'ok' if not found else f'{len(found)} problems'} ({seconds:.1f} s)", file=out)
        return problems


# --- spelling ----------------------------------------------------------------------------------

WORD_RE = re.compile(r"[A-Za-zÁÉÍÓÚÜÑáéíóúüñ]+(?:'[A-Za-z]+)?")
MARKUP_RES = [re.compile(p, re.S) for p in (
    r"```.*?```", r"`[^`]*`", r"\$\$.*?\$\$", r"\$[^$]*\$", r"<[^>]+>", r"https?://\S+", r"&[a-z]+;",
    r"\\[a-zA-Z]+")]


def _plain(text: str) -> str:
    for pattern in MARKUP_RES:
        text = pattern.sub(" ", text)
    return text


CODE_LIKE_RE = re.compile(r"://|\d+px|[;{]\s*$|^\s*[#.]?[\w-]+\s*:\s*[\w#-]+;|\.(py|ipynb|png|csv)\b|^[\w.]+$")
FORMAT_RE = re.compile(r"\{[^{}]*\}|%%|%(?:\([^)]*\))?[-+0#]*\d*(?:\.\d+)?[diouxXeEfFgGcrs]")


def _code_strings(source: str) -> Iterable[str]:
    """String constants in lesson code that a student may read (labels, messages, HTML): those of
    two words or more, with format fields taken out; paths, CSS and identifiers are left alone."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return []
    docstrings = {id(n.body[0].value) for n in ast.walk(tree)  # for authors, not students
                  if isinstance(n, (ast.Module, ast.FunctionDef, ast.ClassDef)) and n.body
                  and isinstance(n.body[0], ast.Expr) and isinstance(n.body[0].value, ast.Constant)}
    texts = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings:
            value = FORMAT_RE.sub(" ", node.value)
            if " " in value.strip() and not CODE_LIKE_RE.search(value):
                texts.append(value)
    return texts


def student_texts(course: Course) -> Iterable[tuple[str, str]]:
    """(where, text) for everything a student reads in a course."""
    import nbformat

    yield "course.toml", " ".join([course.title, course.description]
                                  + [o.text for o in course.objectives]
                                  + [f"{l.title} {l.summary}" for l in course.lessons]
                                  + [e.title for e in course.evaluations])
    notebooks = [l.notebook for l in course.lessons] + [e.notebook for e in course.evaluations]
    for rel in notebooks:
        nb = nbformat.read(course.folder / rel, as_version=4)
        for cell in nb.cells:
            if cell.cell_type == "markdown":
                yield rel, _plain(cell.source)
            elif cell.cell_type == "code":
                for text in _code_strings(cell.source):
                    yield rel, _plain(text)


def allow_list(content_dir: Path, course: Course) -> set[str]:
    words = set()
    for path in (Path(content_dir) / "courses" / "palabras.txt", course.folder / "palabras.txt"):
        if path.is_file():
            words |= {w.strip() for w in path.read_text(encoding="utf-8").splitlines()
                      if w.strip() and not w.startswith("#")}
    return words


def unknown_words(texts: Iterable[tuple[str, str]], allowed: set[str], dictionary: str = "es_MX") -> list[tuple[str, str]]:
    """(word, where) for every word of the texts ((where, text) pairs) that hunspell does not know and
    `allowed` does not list (case-insensitively)."""
    hunspell = shutil.which("hunspell")
    if not hunspell:
        raise RuntimeError("hunspell is not installed (Debian: hunspell hunspell-es; `make install` installs them)")
    allowed_lower = {w.lower() for w in allowed}
    places: dict[str, set[str]] = {}
    for where, text in texts:
        for word in WORD_RE.findall(_plain(text)):
            if len(word) > 1 and word not in allowed and word.lower() not in allowed_lower:
                places.setdefault(word, set()).add(where)
    if not places:
        return []
    proc = subprocess.run([hunspell, "-d", dictionary, "-l"], input="\n".join(places), capture_output=True,
                          text=True, env={**os.environ, "LC_ALL": "C.UTF-8"}, check=True)
    return [(word, where) for word in sorted(set(proc.stdout.split())) for where in sorted(places.get(word, ()))]


def check_spelling(course: Course, content_dir: Path, dictionary: str = "es_MX") -> list[str]:
    """Words hunspell does not know and the allow-lists do not list, with where they are."""
    try:
        unknown = unknown_words(student_texts(course), allow_list(content_dir, course), dictionary)
    except RuntimeError as exc:
        return [str(exc)]
    return [f"{course.id}/{where}: unknown word {word!r} (fix it, or add it to palabras.txt)" for word, where in unknown]


# --- views -------------------------------------------------------------------------------------

def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class VoilaServer:
    """Voila in server mode over a folder, on loopback, with the portal's template and settings."""

    def __init__(self, root: Path, log: Path):
        self.root, self.log, self.port = Path(root), Path(log), _free_port()
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> "VoilaServer":
        voila = Path(sys.prefix) / "bin" / "voila"
        self.proc = subprocess.Popen(
            [str(voila), "--no-browser", f"--port={self.port}", "--Voila.ip=127.0.0.1", str(self.root)],
            stdout=self.log.open("wb"), stderr=subprocess.STDOUT, cwd=self.root)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return self
            except OSError:
                if self.proc.poll() is not None:
                    break
                time.sleep(0.3)
        raise RuntimeError(f"Voila did not start; see {self.log}")

    def __exit__(self, *exc) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()


def render_view(page, url: str, timeout_ms: int = 90_000) -> list[str]:
    """Open one lesson view; its widgets must appear, with no error output and no request off the machine."""
    hosts: set[str] = set()

    def only_loopback(route):  # record every host asked for; nothing leaves the machine, even in the gate
        host = urlparse(route.request.url).hostname or ""
        hosts.add(host)
        route.continue_() if host in LOOPBACK else route.abort()
    page.route("**/*", only_loopback)
    widgets = page.locator(".jupyter-widgets").first
    try:
        # Voila sends the page while the notebook runs: wait for the widgets, not for "load".
        page.goto(url, wait_until="commit", timeout=timeout_ms)
        widgets.wait_for(timeout=timeout_ms)
    except Exception:
        # Seen rarely: a first view whose widgets never appear; a reload fixes it for a student.
        print(f"WARNING: widgets of {url} did not appear in {timeout_ms // 1000} s; reloading once", file=sys.stderr)
        try:
            page.reload(wait_until="commit", timeout=timeout_ms)
            widgets.wait_for(timeout=timeout_ms)
        except Exception:
            return [f"{url}: no widgets appeared"]
    problems = []
    try:
        page.wait_for_load_state("networkidle", timeout=timeout_ms)
    except Exception:
        problems.append(f"{url}: the page never finished loading")
    errors = page.locator(".jp-RenderedText[data-mime-type='application/vnd.jupyter.stderr']").all_inner_texts()
    if any("Traceback" in e or "Error" in e for e in errors):
        problems.append(f"{url}: the view shows an error: {errors[0][:300]}")
    if page.locator(".cm-editor, .jp-InputPrompt").count():
        problems.append(f"{url}: the view shows code")
    outside = sorted(h for h in hosts if h not in LOOPBACK)
    if outside:
        problems.append(f"{url}: requests left the machine (CDN?): {', '.join(outside)}")
    return problems


def render_views(courses: list[Course], content_dir: Path, out: TextIO | None = None,
                 timeout_ms: int = 90_000) -> list[str]:
    from playwright.sync_api import sync_playwright

    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    problems = []
    root = Path(content_dir) / "courses"
    with tempfile.TemporaryDirectory(prefix="pasaporte-views-") as tmp, \
            VoilaServer(root, Path(tmp) / "voila.log") as server, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_FLAGS, headless=True)
        try:
            for course in courses:
                for lesson in course.lessons:
                    if not lesson.view:
                        continue
                    rel = (course.folder / lesson.notebook).relative_to(root.resolve())
                    context = browser.new_context(locale="es-MX")
                    started = time.monotonic()
                    found = render_view(context.new_page(), f"{server.url}/voila/render/{rel.as_posix()}", timeout_ms)
                    context.close()
                    problems += found
                    if out:
                        print(f"  {course.id}/{lesson.id}: {'ok' if not found else 'FAILED'} "
                              f"({time.monotonic() - started:.1f} s)", file=out)
        finally:
            browser.close()
    return problems


# --- the whole gate ----------------------------------------------------------------------------

PARTS = ("structure", "spelling", "lessons", "evaluations", "views")


def run_gate(courses: list[Course], content_dir: Path, parts: Iterable[str] = PARTS, out: TextIO = sys.stdout) -> int:
    """Run the chosen parts over the courses, print findings and timings; return the number of problems."""
    total = 0
    for part in parts:
        started = time.monotonic()
        print(f"== {part}", file=out, flush=True)
        if part == "structure":
            problems = [p for c in courses for p in check_structure(c)]
        elif part == "spelling":
            problems = [p for c in courses for p in check_spelling(c, content_dir)]
        elif part == "lessons":
            problems = []
            for c in courses:
                for lesson in c.lessons:
                    t = time.monotonic()
                    found = run_lesson(c.folder / lesson.notebook)
                    problems += found
                    print(f"  {c.id}/{lesson.id}: {'ok' if not found else 'FAILED'} ({time.monotonic() - t:.1f} s)",
                          file=out, flush=True)
        elif part == "evaluations":
            problems = grade_all(courses, content_dir, out=out)
        elif part == "views":
            problems = render_views(courses, content_dir, out=out)
        else:
            raise ValueError(f"unknown part {part!r}; choose from {', '.join(PARTS)}")
        for problem in problems:
            print(f"  PROBLEM {problem}", file=out)
        print(f"   {part}: {len(problems)} problems, {time.monotonic() - started:.1f} s", file=out, flush=True)
        total += len(problems)
    return total
