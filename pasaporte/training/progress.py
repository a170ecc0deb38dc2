"""A teacher's progress through the ICT track, read from the track's nbgrader gradebook.

Each module ends with a checkpoint evaluation graded by the same pipeline as the students'
evaluations. A module is passed when its checkpoint has been autograded with at least
PASS_FRACTION of its points and nothing waits for manual grading; its date is that of the passing
submission (the exchange service's clock). The certificate is issued only when every module is
passed, dated the day the last one was.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from .certificates import Certificate, Register

PASS_FRACTION = 0.7


@dataclass(frozen=True)
class ModuleResult:
    evaluation: str
    title: str
    score: float | None  # None: not submitted (or not graded yet)
    max_score: float
    passed_on: date | None

    @property
    def passed(self) -> bool:
        return self.passed_on is not None


def module_results(gradebook, checkpoints: list[tuple[str, str]], username: str) -> list[ModuleResult]:
    """checkpoints: (evaluation id, module title), in the track's order."""
    from nbgrader.api import MissingEntry

    results = []
    for evaluation, title in checkpoints:
        try:
            max_score = gradebook.find_assignment(evaluation).max_score
        except MissingEntry:  # not released yet
            results.append(ModuleResult(evaluation, title, None, 0.0, None))
            continue
        try:
            submission = gradebook.find_submission(evaluation, username)
        except MissingEntry:
            results.append(ModuleResult(evaluation, title, None, max_score, None))
            continue
        graded = not submission.needs_manual_grade and any(
            grade.auto_score is not None or grade.manual_score is not None
            for notebook in submission.notebooks for grade in notebook.grades)
        score = submission.score if graded else None
        passed = graded and max_score > 0 and score >= PASS_FRACTION * max_score
        when = (submission.timestamp or datetime.now()).date() if passed else None
        results.append(ModuleResult(evaluation, title, score, max_score, when))
    return results


def certify_if_complete(register: Register, username: str, name: str, school: str, hours: int,
                        results: list[ModuleResult]) -> Certificate | None:
    """The teacher's certificate once every module is passed (issued then, once); otherwise None."""
    if not results or not all(r.passed for r in results):
        return register.of(username)
    return register.issue(username, name, school, hours, max(r.passed_on for r in results))
