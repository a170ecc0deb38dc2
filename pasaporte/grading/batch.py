"""Parallel autograde of one evaluation, run as the course's grader account in its course folder:
`python -m pasaporte.grading.batch ASSIGNMENT`.

1. Prepare (this process, in order): each submitted notebook is read and sanitized with
   nbgrader's own preprocessors (outputs cleared, ids deduplicated, kernel and protected cells
   restored from the gradebook, deleted test cells added back). A notebook that cannot be read
   is a problem of that submission only.
2. Execute (the grader service, N at once): each prepared notebook runs in its own sandbox.
3. Record (this process, one at a time, the gradebook's only writer): nbgrader's own autograde
   runs per student with `SandboxExecute`, which takes the result of step 2, so scores, late
   penalties and the autograded notebooks are exactly nbgrader's.
Each finished student prints a progress line; the last lines are one JSON outcome per student.
"""
from __future__ import annotations

import json
import os
import sys
import time
import warnings
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from .preprocessors import SandboxExecute, cells_digest, execute_remotely

# English for the instructor's report; the student reads the Spanish note in the feedback.
REASONS = {"timeout": "ran past the submission's time limit", "kernel_died": "the kernel died (memory, crash)",
           "failed": "the sandbox could not run it", "unreachable": "the grader service did not answer"}


def load(assignment: str):
    from nbgrader.apps.api import NbGraderAPI
    from nbgrader.apps.nbgraderapp import NbGrader
    from nbgrader.coursedir import CourseDirectory

    app = NbGrader()
    app.config_file_paths.append(os.getcwd())
    app.load_config_file()
    config = app.config
    coursedir = CourseDirectory(config=config)
    coursedir.assignment_id = assignment
    return config, coursedir, NbGraderAPI(coursedir=coursedir, config=config)


def sanitize(config, coursedir, sanitizers: list, student: str, assignment: str, path: Path):
    """What nbgrader's autograde does to a submitted notebook before it runs (same preprocessors)."""
    import nbformat

    nb = nbformat.read(path, as_version=4)
    resources = {"unique_key": path.stem, "nbgrader": {"student": student, "assignment": assignment,
                                                       "notebook": path.stem, "db_url": coursedir.db_url}}
    for cls in sanitizers:
        nb, resources = cls(config=config)(nb, resources)
    return nb


def main(assignment: str) -> int:
    import nbformat
    from nbgrader.converters import Autograde

    # Notebooks from students are often odd (missing or duplicated cell ids…): nbformat and
    # SQLAlchemy say so on every one; the report below says what matters.
    warnings.filterwarnings("ignore")
    config, coursedir, api = load(assignment)
    sanitizers = Autograde(coursedir=coursedir, config=config).sanitize_preprocessors
    course = coursedir.course_id
    source = Path(coursedir.format_path(coursedir.source_directory, ".", assignment))
    expected = sorted(p.name for p in source.glob("*.ipynb"))
    students = sorted(p.parent.name for p in Path(coursedir.root, coursedir.submitted_directory).glob(f"*/{assignment}")
                      if p.is_dir())
    workers = int(os.environ.get("PASAPORTE_GRADING_WORKERS") or os.cpu_count() or 1)
    url, token = os.environ.get("PASAPORTE_GRADER_URL", ""), os.environ.get("JUPYTERHUB_API_TOKEN", "")
    started = time.monotonic()
    print(f"Autograding {len(students)} submission(s) of {course}/{assignment}, {workers} at a time", flush=True)

    pool = ThreadPoolExecutor(max_workers=workers * 2)  # the service queues beyond its N slots
    plan: dict[str, dict] = {}
    for student in students:
        folder = Path(coursedir.format_path(coursedir.submitted_directory, student, assignment))
        entry = plan[student] = {"problems": [], "jobs": []}
        for name in expected:
            path = folder / name
            if not path.exists():
                entry["problems"].append(f"missing notebook {name}")
                continue
            try:
                prepared = sanitize(config, coursedir, sanitizers, student, assignment, path)
            except Exception as exc:  # invalid JSON, impossible metadata: this submission only
                entry["problems"].append(f"{name} cannot be graded: {type(exc).__name__}: {str(exc)[:200]}")
                continue
            body = nbformat.writes(prepared).encode()
            entry["jobs"].append((cells_digest(prepared), pool.submit(execute_remotely, url, token, course, body)))

    prepared_at = time.monotonic()
    waited = recording = 0.0
    outcomes = []
    for n, student in enumerate(students, start=1):
        entry = plan[student]
        for digest, job in entry["jobs"]:
            t = time.monotonic()
            result = job.result()
            waited += time.monotonic() - t
            SandboxExecute.precomputed[digest] = result
            if result["status"] != "ok":
                entry["problems"].append(f"{REASONS.get(result['status'], result['status'])}: {result.get('detail', '')}")
        # Even a submission that cannot run goes through nbgrader: it is recorded as submitted, with
        # zeros where nothing could be graded.
        t = time.monotonic()
        graded = api.autograde(assignment, student, force=True, create=True)
        recording += time.monotonic() - t
        if not graded["success"] and not entry["problems"]:
            last = [l for l in (graded.get("log") or graded.get("error") or "").splitlines() if l.strip()][-3:]
            entry["problems"].append("nbgrader autograde failed: " + " | ".join(last))
        score = max_score = None
        if graded["success"]:
            submission = api.get_submission(assignment, student)
            score, max_score = submission.get("score"), submission.get("max_score")
        outcome = {"student": student, "ok": not entry["problems"], "score": score, "max_score": max_score,
                   "problem": "; ".join(entry["problems"])}
        outcomes.append(outcome)
        state = f"graded {score:g}/{max_score:g}" if score is not None else "NOT GRADED"
        extra = f" — PROBLEM: {outcome['problem']}" if outcome["problem"] else ""
        print(f"[{n}/{len(students)}] {student}: {state}{extra}", flush=True)
    SandboxExecute.precomputed.clear()
    pool.shutdown()
    elapsed = time.monotonic() - started
    bad = sum(not o["ok"] for o in outcomes)
    print(f"Autograded {len(outcomes) - bad} of {len(outcomes)}; {bad} with problems ({elapsed:.1f} s: preparing "
          f"{prepared_at - started:.1f} s, waiting for sandboxes {waited:.1f} s, recording {recording:.1f} s)", flush=True)
    for outcome in outcomes:
        print(json.dumps(outcome, ensure_ascii=False), flush=True)
    return 3 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
