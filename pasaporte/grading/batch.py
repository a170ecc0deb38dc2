"""Parallel autograde of one evaluation, run as the course's grader account in its course folder:
`python -m pasaporte.grading.batch ASSIGNMENT`.

1. Prepare (this process): each submitted notebook is read and sanitized with nbgrader's own
   preprocessors (outputs cleared, ids deduplicated, kernel and protected cells restored from
   the gradebook, deleted test cells added back). A notebook that cannot be read is a problem of
   that submission only. Preparation runs a few students ahead of recording, so the sandboxes
   never wait and memory stays flat however many students there are.
2. Execute (the grader service, N at once): each prepared notebook runs in its own sandbox; only
   its outputs come back into the prepared notebook (`with_outcome`).
3. Record (this process, one student at a time, the gradebook's only writer; a student's grades
   in one transaction): nbgrader's autograde steps after execution — its output preprocessors,
   its scoring rule (`determine_grade`), its "No response." comments and its late-penalty
   plugin — on one gradebook session for the whole batch; the autograded folder is laid out as
   nbgrader's.
Each finished student prints a progress line; the last lines are one JSON outcome per student.
"""
from __future__ import annotations

import json
import os
import shutil
import sys
import time
import warnings
from collections import deque
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from .pipeline import BUSY
from .preprocessors import execute_remotely, with_outcome

# English for the instructor's report; the student reads the Spanish note in the feedback.
REASONS = {"timeout": "ran past the submission's time limit", "kernel_died": "the kernel died (memory, crash)",
           "failed": "the sandbox could not run it", "unreachable": "the grader service did not answer"}


def lighten_nbgrader() -> None:
    """Two costs nbgrader pays again for every notebook, paid once per batch here, with the same
    results (about half of preparing and recording a submission):
    - each preprocessor that reads the gradebook opens it with a new SQLAlchemy engine, so every
      query is compiled again: here they share one engine per database;
    - before validating each cell's grading metadata, nbgrader checks its own schema file again
      (`jsonschema.validate`): here every cell is validated by one validator built from that schema."""
    import types

    import jsonschema
    import nbgrader.api
    from nbgrader.nbgraderformat import common

    engines, create_engine = {}, nbgrader.api.create_engine

    def shared_engine(url, *args, **kwargs):
        if url not in engines:
            engines[url] = create_engine(url, *args, **kwargs)
        return engines[url]

    validators = {}

    def validate(instance, schema):
        key = json.dumps(schema, sort_keys=True)
        if key not in validators:
            validators[key] = jsonschema.validators.validator_for(schema)(schema)
        error = jsonschema.exceptions.best_match(validators[key].iter_errors(instance))
        if error is not None:
            raise error

    nbgrader.api.create_engine = shared_engine
    common.jsonschema = types.SimpleNamespace(validate=validate)


def load(assignment: str):
    from nbgrader.apps.nbgraderapp import NbGrader
    from nbgrader.coursedir import CourseDirectory

    app = NbGrader()
    app.config_file_paths.append(os.getcwd())
    app.load_config_file()
    coursedir = CourseDirectory(config=app.config)
    coursedir.assignment_id = assignment
    return app.config, coursedir


class Recorder:
    """Writes one student's autograde into the gradebook and the autograded folder, as nbgrader's
    Autograde does after execution (IgnorePattern … AssignLatePenalties), on a shared session."""

    def __init__(self, config, coursedir, gradebook, assignment: str):
        from nbgrader.converters import Autograde
        from nbgrader.preprocessors import AssignLatePenalties

        self.config, self.coursedir, self.gb, self.assignment = config, coursedir, gradebook, assignment
        converter = Autograde(coursedir=coursedir, config=config)
        self.sanitizers = [cls(config=config) for cls in converter.sanitize_preprocessors]
        # After execution: the output preprocessors (IgnorePattern, LimitOutput, …). Scores, comments
        # and late penalties are written below on the shared session, not by their per-notebook sessions.
        skip = {"SandboxExecute", "Execute", "SaveAutoGrades", "AssignLatePenalties", "CheckCellMetadata"}
        self.finishers = [cls(config=config) for cls in converter.autograde_preprocessors if cls.__name__ not in skip]
        penalties = AssignLatePenalties(config=config)
        penalties.init_plugin()
        self.late_plugin, self.log = penalties.plugin_inst, penalties.log
        self.exclude = converter.exclude_overwriting.get(assignment, [])
        self.permissions = int(str(converter.permissions), 8)  # nbgrader's: 444, or 664 when group-shared
        self.notebooks = [nb.name for nb in gradebook.find_assignment(assignment).notebooks]

    def resources(self, student: str, name: str) -> dict:
        return {"unique_key": name, "nbgrader": {"student": student, "assignment": self.assignment, "notebook": name,
                                                 "db_url": self.coursedir.db_url}}

    def submitted(self, student: str) -> Path:
        return Path(self.coursedir.format_path(self.coursedir.submitted_directory, student, self.assignment))

    def prepare(self, student: str, name: str):
        """What nbgrader's autograde does to a submitted notebook before it runs (same preprocessors)."""
        import nbformat

        nb = nbformat.read(self.submitted(student) / f"{name}.ipynb", as_version=4)
        resources = self.resources(student, name)
        for pp in self.sanitizers:
            nb, resources = pp(nb, resources)
        return nb

    def record(self, student: str, graded: dict) -> tuple[float, float]:
        """graded: notebook name -> executed notebook, or None for a notebook that was submitted but
        could not be prepared (its items get no automatic score and wait for a person). A notebook
        not in `graded` was not submitted: its items score 0, as in nbgrader. The gradebook changes
        in one transaction, and the autograded folder is swapped in whole once it has been written:
        a failure leaves both as they were. Returns (score, max score)."""
        import nbformat
        from nbgrader.utils import compute_checksum, determine_grade, find_all_files, is_grade, is_solution, is_task

        gb, cd = self.gb, self.coursedir
        dest = Path(cd.format_path(cd.autograded_directory, student, self.assignment))
        build = dest.with_name(f".{dest.name}.nuevo")
        shutil.rmtree(build, ignore_errors=True)
        try:
            gb.update_or_create_student(student)
            source = self.submitted(student)
            timestamp = cd.get_existing_timestamp(str(source))
            submission = gb.update_or_create_submission(self.assignment, student,
                                                        **({"timestamp": timestamp} if timestamp else {}))
            build.mkdir(parents=True)
            # Other files: the student's, then the course's own (except those it lets students change).
            origin = Path(cd.format_path(cd.source_directory, ".", self.assignment))
            ours = [f for f in find_all_files(str(origin), cd.ignore + ["*.ipynb"])
                    if os.path.relpath(f, origin) not in self.exclude]
            for folder, files in ((source, find_all_files(str(source), cd.ignore + ["*.ipynb"])), (origin, ours)):
                for f in files:
                    target = build / os.path.relpath(f, folder)
                    target.parent.mkdir(parents=True, exist_ok=True)
                    target.unlink(missing_ok=True)
                    shutil.copy(f, target)
            graded_rows = []
            for row in submission.notebooks:
                grades = {g.name: g for g in row.grades}
                if row.name not in graded or graded[row.name] is None:
                    missing = row.name not in graded
                    for grade in grades.values():
                        grade.auto_score, grade.needs_manual_grade = (0, False) if missing else (None, True)
                    continue
                nb, resources = graded[row.name], self.resources(student, row.name)
                for pp in self.finishers:
                    nb, resources = pp(nb, resources)
                comments = {c.name: c for c in row.comments}
                for cell in nb.cells:
                    grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
                    if is_grade(cell) and grade_id in grades:
                        grade = grades[grade_id]
                        grade.auto_score = determine_grade(cell, self.log)[0]
                        grade.needs_manual_grade = grade.manual_score is not None or grade.auto_score is None
                    if (is_solution(cell) or is_task(cell)) and grade_id in comments:
                        unchanged = cell.metadata.nbgrader.get("checksum") == compute_checksum(cell)
                        comments[grade_id].auto_comment = "No response." if unchanged and not is_task(cell) else None
                nbformat.write(nb, build / f"{row.name}.ipynb")
                row.late_submission_penalty = None
                graded_rows.append(row)
            for folder, _, files in os.walk(build):
                for name in files:
                    os.chmod(os.path.join(folder, name), self.permissions)
            gb.db.flush()
            late = submission.total_seconds_late
            if late > 0:
                for row in graded_rows:
                    gb.db.expire(row, ["score"])  # computed again from the grades just written
                    penalty = self.late_plugin.late_submission_penalty(student, row.score, late)
                    if penalty is not None:
                        row.late_submission_penalty = min(max(penalty, 0), row.score)
            gb.db.commit()
        except BaseException:
            gb.db.rollback()
            shutil.rmtree(build, ignore_errors=True)
            raise
        shutil.rmtree(dest, ignore_errors=True)
        build.rename(dest)
        return submission.score, submission.max_score


LOCK = ".autograde.lock"


def hold_course_lock(folder: Path):
    """The course's gradebook has one writer: a batch holds this lock until it ends (the kernel
    drops it if the process dies). Returns the open lock file, or None if another batch holds it."""
    import fcntl

    handle = open(folder / LOCK, "a+")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.close()
        return None
    return handle


def main(assignment: str) -> int:
    lock = hold_course_lock(Path.cwd())
    if lock is None:
        print("Another autograde batch of this course is running; nothing was done. Run this one again "
              "when it has finished (its progress lines say how far it is).", flush=True)
        return BUSY
    with lock:
        return grade(assignment)


def grade(assignment: str) -> int:
    import nbformat
    from nbgrader.api import Gradebook

    # Notebooks from students are often odd (missing or duplicated cell ids…): nbformat and
    # SQLAlchemy say so on every one; the report below says what matters.
    warnings.filterwarnings("ignore")
    lighten_nbgrader()
    config, coursedir = load(assignment)
    course = coursedir.course_id
    students = sorted(p.parent.name for p in Path(coursedir.root, coursedir.submitted_directory).glob(f"*/{assignment}")
                      if p.is_dir())
    workers = int(os.environ.get("PASAPORTE_GRADING_WORKERS") or os.cpu_count() or 1)
    url, token = os.environ.get("PASAPORTE_GRADER_URL", ""), os.environ.get("JUPYTERHUB_API_TOKEN", "")
    started = time.monotonic()
    print(f"Autograding {len(students)} submission(s) of {course}/{assignment}, {workers} at a time", flush=True)
    clock = {"preparing": 0.0, "waiting for sandboxes": 0.0, "recording": 0.0}
    outcomes = []
    with Gradebook(coursedir.db_url, course_id=course) as gb, \
            ThreadPoolExecutor(max_workers=workers * 2) as pool:  # the service queues beyond its N slots
        recorder = Recorder(config, coursedir, gb, assignment)

        def prepare(student: str) -> tuple[str, list[str], list, list[str]]:
            t = time.monotonic()
            problems, jobs, unreadable = [], [], []
            for name in recorder.notebooks:
                if not (recorder.submitted(student) / f"{name}.ipynb").exists():
                    problems.append(f"missing notebook {name}.ipynb")
                    continue
                try:
                    nb = recorder.prepare(student, name)
                except Exception as exc:  # invalid JSON, impossible metadata: this submission only
                    problems.append(f"{name}.ipynb cannot be graded: {type(exc).__name__}: {str(exc)[:200]}")
                    unreadable.append(name)
                    continue
                jobs.append((name, nb, pool.submit(execute_remotely, url, token, course, nbformat.writes(nb).encode())))
            clock["preparing"] += time.monotonic() - t
            return student, problems, jobs, unreadable

        queue, ahead = deque(), iter(students)
        while True:
            while len(queue) < workers * 3 and (student := next(ahead, None)) is not None:
                queue.append(prepare(student))
            if not queue:
                break
            student, problems, jobs, unreadable = queue.popleft()
            outcomes_of = {}
            for name, nb, job in jobs:
                t = time.monotonic()
                outcomes_of[name] = (nb, job.result())
                clock["waiting for sandboxes"] += time.monotonic() - t
            # Even a submission that cannot run is recorded as submitted, with zeros where nothing
            # could be graded.
            t = time.monotonic()
            score = max_score = None
            try:
                graded = {name: with_outcome(nb, outcome) for name, (nb, outcome) in outcomes_of.items()}
                graded.update(dict.fromkeys(unreadable))
                problems += [f"{REASONS.get(o['status'], o['status'])}: {o.get('detail', '')}"
                             for _, o in outcomes_of.values() if o["status"] != "ok"]
                score, max_score = recorder.record(student, graded)
            except Exception as exc:  # anything odd in what came back: this submission only
                problems.append(f"could not be recorded: {type(exc).__name__}: {str(exc)[:200]}")
            clock["recording"] += time.monotonic() - t
            outcome = {"student": student, "ok": not problems, "score": score, "max_score": max_score,
                       "problem": "; ".join(problems)}
            outcomes.append(outcome)
            state = f"graded {score:g}/{max_score:g}" if score is not None else "NOT GRADED"
            extra = f" — PROBLEM: {outcome['problem']}" if outcome["problem"] else ""
            print(f"[{len(outcomes)}/{len(students)}] {student}: {state}{extra}", flush=True)
    elapsed = time.monotonic() - started
    bad = sum(not o["ok"] for o in outcomes)
    parts = ", ".join(f"{k} {v:.1f} s" for k, v in clock.items())
    print(f"Autograded {len(outcomes) - bad} of {len(outcomes)}; {bad} with problems ({elapsed:.1f} s: {parts})",
          flush=True)
    for outcome in outcomes:
        print(json.dumps(outcome, ensure_ascii=False), flush=True)
    return 3 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
