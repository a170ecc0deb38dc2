"""Instructor steps for one evaluation: release → collect → autograde → feedback → scores.

Each step runs in the course directory as the grader account, with the course's formgrader
token: release, collect and feedback are nbgrader's commands speaking to the exchange
service; autograde is the parallel batch (pasaporte.grading.batch) whose notebooks run in the
grader service's sandboxes. One bad submission is reported and never stops the others.
"""
from __future__ import annotations

import csv
import json
import re
import sys
from dataclasses import dataclass
from typing import TextIO

from ..config import Settings
from .courses import course_dir, gradebook_url, grader_command, nbgrader_command


BUSY = 4  # exit code of a batch that found another batch of its course running


class StepFailed(RuntimeError):
    pass


@dataclass
class GradeOutcome:
    student: str
    ok: bool
    score: float | None = None
    max_score: float | None = None
    problem: str = ""


def _nbgrader(settings: Settings, course: str, args: list[str]) -> str:
    proc = nbgrader_command(settings, course, args)
    if proc.returncode != 0:
        raise StepFailed(f"nbgrader {' '.join(args)} failed:\n{proc.stdout}{proc.stderr}")
    return proc.stdout + proc.stderr


def expected_notebooks(settings: Settings, course: str, evaluation: str) -> list[str]:
    return sorted(p.name for p in (course_dir(settings, course) / "source" / evaluation).glob("*.ipynb"))


def submitted_students(settings: Settings, course: str, evaluation: str) -> list[str]:
    submitted = course_dir(settings, course) / "submitted"
    return sorted(p.parent.name for p in submitted.glob(f"*/{evaluation}") if p.is_dir())


def autograde(settings: Settings, course: str, evaluation: str, out: TextIO) -> list[GradeOutcome]:
    """The parallel, sandboxed batch (pasaporte.grading.batch) as the course's grader; its progress
    lines reach `out` as they come."""
    proc = grader_command(settings, course, [str(settings.venv / "bin" / "python"), "-m", "pasaporte.grading.batch",
                                             evaluation], out=out)
    outcomes = [GradeOutcome(**json.loads(line)) for line in proc.stdout.splitlines() if line.startswith("{")]
    if proc.returncode == BUSY:  # its own line has said why, and nothing was done
        raise StepFailed("not started: another autograde batch of this course is running")
    if proc.returncode not in (0, 3):
        raise StepFailed(f"the grading batch failed (exit {proc.returncode}):\n{proc.stdout[-3000:]}")
    return outcomes


def score_rows(settings: Settings, course: str, evaluation: str) -> list[dict]:
    """One row per student of the gradebook: score of every graded item, total and maximum."""
    from nbgrader.api import Gradebook, MissingEntry

    rows = []
    with Gradebook(gradebook_url(settings, course), course_id=course) as gb:
        assignment = gb.find_assignment(evaluation)
        items = [(nb.name, cell.name) for nb in assignment.notebooks for cell in nb.grade_cells]
        for student in gb.students:
            row = {"student": student.id, "first_name": student.first_name or "", "last_name": student.last_name or "",
                   "submitted": False, "items": {}, "total": 0.0, "max": assignment.max_score}
            try:
                submission = gb.find_submission(evaluation, student.id)
            except MissingEntry:
                rows.append(row)
                continue
            row["submitted"] = True
            for nb_name, cell_name in items:
                grade = gb.find_grade(cell_name, nb_name, evaluation, student.id)
                row["items"][cell_name] = grade.score
            row["total"] = submission.score
            rows.append(row)
    return rows


def _natural(text: str) -> list:
    """r2 before r10."""
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", text)]


def write_scores_csv(rows: list[dict], out: TextIO) -> None:
    """One row per student, one column per item; blank where nothing was submitted."""
    item_ids = sorted({item for row in rows for item in row["items"]}, key=_natural)
    writer = csv.writer(out)
    writer.writerow(["usuario", "nombre", "apellidos", "entregada", *item_ids, "total", "maximo"])
    for row in rows:
        done = row["submitted"]
        writer.writerow([row["student"], row["first_name"], row["last_name"], "sí" if done else "no",
                         *[f"{row['items'].get(i, 0):g}" if done else "" for i in item_ids],
                         f"{row['total']:g}" if done else "", f"{row['max']:g}"])


def run_step(settings: Settings, step: str, course: str, evaluation: str, out: TextIO = sys.stdout) -> int:
    if not (course_dir(settings, course) / "source" / evaluation).is_dir():
        courses = sorted(p.parent.name for p in settings.grading_dir.glob("*/source") if p.is_dir())
        if not courses:
            print(f"No course is prepared yet: start the portal once so it prepares {settings.grading_dir}",
                  file=sys.stderr)
        elif course not in courses:
            print(f"Unknown course {course!r}. Known courses: {', '.join(courses)}", file=sys.stderr)
        else:
            known = sorted(p.name for p in (course_dir(settings, course) / "source").iterdir() if p.is_dir())
            print(f"Course {course!r} has no evaluation {evaluation!r}. Its evaluations: {', '.join(known)}",
                  file=sys.stderr)
        return 2
    try:
        if step == "release":
            _nbgrader(settings, course, ["generate_assignment", evaluation, "--force"])
            _nbgrader(settings, course, ["release_assignment", evaluation, "--force"])
            print(f"Released {course}/{evaluation}", file=out)
        elif step == "collect":
            _nbgrader(settings, course, ["collect", evaluation, "--update"])
            students = submitted_students(settings, course, evaluation)
            print(f"Collected {len(students)} submission(s): {', '.join(students) or '-'}", file=out)
        elif step == "autograde":
            outcomes = autograde(settings, course, evaluation, out)  # prints progress and one JSON line each
            return 0 if all(o.ok for o in outcomes) else 3
        elif step == "feedback":
            _nbgrader(settings, course, ["generate_feedback", evaluation, "--force"])
            _nbgrader(settings, course, ["release_feedback", evaluation])
            print(f"Feedback released for {course}/{evaluation}", file=out)
        elif step == "scores":
            write_scores_csv(score_rows(settings, course, evaluation), out)
    except StepFailed as exc:
        print(str(exc), file=sys.stderr)
        return 1
    return 0
