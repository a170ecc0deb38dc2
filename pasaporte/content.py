"""The content model: a course (or the teacher training track) is a folder with a
`course.toml` and its notebooks. Everything else (hub groups, nbgrader courses,
landing pages, views) is derived from the `Course` objects loaded here.
"""
from __future__ import annotations

import json
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

ID_RE = re.compile(r"^[a-z0-9][a-z0-9-]{1,40}$")
EVALUATION_KINDS = ("diagnostica", "final", "practica", "checkpoint")


class ContentError(ValueError):
    """A course folder is not valid. `problems` lists every problem found (English)."""

    def __init__(self, where: Path, problems: list[str]):
        self.where = where
        self.problems = problems
        super().__init__(f"{where}: " + "; ".join(problems))


@dataclass(frozen=True)
class Objective:
    id: str
    text: str


@dataclass(frozen=True)
class Lesson:
    id: str
    title: str
    notebook: str  # relative to the course folder
    objectives: tuple[str, ...]
    view: bool
    summary: str = ""


@dataclass(frozen=True)
class Item:
    id: str  # the nbgrader grade_id of the test cell
    objective: str
    points: float
    wrong: str  # a plausible wrong answer (a Python expression); the quality gate checks it loses the points


@dataclass(frozen=True)
class Evaluation:
    id: str
    title: str
    kind: str
    notebook: str  # relative to the course folder: the nbgrader *source* notebook
    items: tuple[Item, ...]

    @property
    def points(self) -> float:
        return sum(item.points for item in self.items)

    @property
    def notebook_name(self) -> str:
        return Path(self.notebook).stem


@dataclass(frozen=True)
class Course:
    id: str
    title: str
    subject: str
    grade: int
    description: str
    folder: Path
    objectives: tuple[Objective, ...]
    lessons: tuple[Lesson, ...]
    evaluations: tuple[Evaluation, ...] = field(default=())

    def evaluation(self, evaluation_id: str) -> Evaluation:
        for ev in self.evaluations:
            if ev.id == evaluation_id:
                return ev
        raise KeyError(f"course {self.id} has no evaluation {evaluation_id!r}")

    def public_dict(self) -> dict:
        """What templates and the landing page need."""
        return {
            "id": self.id,
            "title": self.title,
            "subject": self.subject,
            "grade": self.grade,
            "description": self.description,
            "objectives": [{"id": o.id, "text": o.text} for o in self.objectives],
            "lessons": [
                {"id": l.id, "title": l.title, "summary": l.summary, "path": lesson_home_path(self, l), "view": l.view,
                 "objectives": list(l.objectives)}
                for l in self.lessons
            ],
            "evaluations": [
                {"id": e.id, "title": e.title, "kind": e.kind, "points": e.points, "item_count": len(e.items)}
                for e in self.evaluations
            ],
        }


def lesson_home_path(course: Course, lesson: Lesson) -> str:
    """Where a lesson notebook is placed inside a user's home (relative path)."""
    return f"cursos/{course.id}/{Path(lesson.notebook).name}"


def load_course(folder: Path) -> Course:
    """Load and validate one course folder; raise ContentError listing every problem."""
    folder = Path(folder)
    toml_path = folder / "course.toml"
    try:
        data = tomllib.loads(toml_path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ContentError(folder, ["course.toml is missing"]) from None
    except tomllib.TOMLDecodeError as exc:
        raise ContentError(folder, [f"course.toml is not valid TOML: {exc}"]) from None

    problems: list[str] = []

    def need(table: dict, key: str, kind: type, where: str):
        value = table.get(key)
        if not isinstance(value, kind) or (isinstance(value, str) and not value.strip()):
            problems.append(f"{where}: '{key}' is missing or not a {kind.__name__}")
            return kind() if kind is not bool else False
        return value

    course_id = need(data, "id", str, "course")
    if course_id and not ID_RE.match(course_id):
        problems.append(f"course: id {course_id!r} must be lowercase letters, digits and '-'")
    objectives = []
    for i, o in enumerate(data.get("objectives", [])):
        objectives.append(Objective(need(o, "id", str, f"objectives[{i}]"), need(o, "text", str, f"objectives[{i}]")))
    objective_ids = [o.id for o in objectives]
    if not objectives:
        problems.append("course: no objectives")

    lessons = []
    for i, l in enumerate(data.get("lessons", [])):
        where = f"lessons[{i}]"
        lesson = Lesson(
            id=need(l, "id", str, where),
            title=need(l, "title", str, where),
            notebook=need(l, "notebook", str, where),
            objectives=tuple(l.get("objectives", [])),
            view=bool(l.get("view", True)),
            summary=l.get("summary", ""),
        )
        if lesson.notebook and not (folder / lesson.notebook).is_file():
            problems.append(f"{where}: notebook {lesson.notebook} does not exist")
        for ref in lesson.objectives:
            if ref not in objective_ids:
                problems.append(f"{where}: unknown objective {ref!r}")
        lessons.append(lesson)

    evaluations = []
    for i, e in enumerate(data.get("evaluations", [])):
        where = f"evaluations[{i}]"
        items = []
        for j, it in enumerate(e.get("items", [])):
            points = it.get("points")
            if not isinstance(points, (int, float)) or points <= 0:
                problems.append(f"{where}.items[{j}]: points must be a positive number")
                points = 0
            item = Item(need(it, "id", str, f"{where}.items[{j}]"), need(it, "objective", str, f"{where}.items[{j}]"),
                        float(points), need(it, "wrong", str, f"{where}.items[{j}]"))
            if item.wrong:
                try:
                    compile(item.wrong, "wrong", "eval")
                except SyntaxError:
                    problems.append(f"{where}.items[{j}]: wrong answer {item.wrong!r} is not a Python expression")
            if item.objective and item.objective not in objective_ids:
                problems.append(f"{where}.items[{j}]: unknown objective {item.objective!r}")
            items.append(item)
        ev = Evaluation(
            id=need(e, "id", str, where),
            title=need(e, "title", str, where),
            kind=need(e, "kind", str, where),
            notebook=need(e, "notebook", str, where),
            items=tuple(items),
        )
        if ev.kind and ev.kind not in EVALUATION_KINDS:
            problems.append(f"{where}: kind {ev.kind!r} is not one of {', '.join(EVALUATION_KINDS)}")
        if ev.id and not ID_RE.match(ev.id):
            problems.append(f"{where}: id {ev.id!r} must be lowercase letters, digits and '-'")
        if not items:
            problems.append(f"{where}: no items")
        if ev.notebook:
            problems.extend(f"{where}: {p}" for p in _check_items_against_notebook(folder / ev.notebook, ev))
        evaluations.append(ev)

    for label, ids in (
        ("objective", objective_ids),
        ("lesson", [l.id for l in lessons]),
        ("evaluation", [e.id for e in evaluations]),
    ):
        dupes = sorted({x for x in ids if ids.count(x) > 1})
        if dupes:
            problems.append(f"duplicate {label} ids: {', '.join(dupes)}")
    for ev in evaluations:
        item_ids = [it.id for it in ev.items]
        dupes = sorted({x for x in item_ids if item_ids.count(x) > 1})
        if dupes:
            problems.append(f"evaluation {ev.id}: duplicate item ids: {', '.join(dupes)}")
    used = {ref for l in lessons for ref in l.objectives} | {it.objective for e in evaluations for it in e.items}
    for oid in objective_ids:
        if oid not in used:
            problems.append(f"objective {oid!r} is not referenced by any lesson or item")

    grade = data.get("grade")
    if not isinstance(grade, int) or not 10 <= grade <= 12:
        problems.append("course: grade must be 10, 11 or 12")
        grade = 0
    course = Course(
        id=course_id,
        title=need(data, "title", str, "course"),
        subject=need(data, "subject", str, "course"),
        grade=grade,
        description=need(data, "description", str, "course").strip(),
        folder=folder.resolve(),
        objectives=tuple(objectives),
        lessons=tuple(lessons),
        evaluations=tuple(evaluations),
    )
    if problems:
        raise ContentError(folder, problems)
    return course


def _check_items_against_notebook(path: Path, ev: Evaluation) -> list[str]:
    """The graded cells of the source notebook must be exactly the declared items, with the same points."""
    try:
        nb = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return [f"notebook {path.name} does not exist"]
    except json.JSONDecodeError as exc:
        return [f"notebook {path.name} is not valid JSON: {exc}"]
    graded = {}
    for cell in nb.get("cells", []):
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if meta.get("grade"):
            graded[meta.get("grade_id")] = float(meta.get("points", 0))
    declared = {it.id: it.points for it in ev.items}
    problems = []
    for gid in sorted(set(declared) - set(graded)):
        problems.append(f"item {gid!r} has no graded cell in {path.name}")
    for gid in sorted(set(graded) - set(declared)):
        problems.append(f"graded cell {gid!r} in {path.name} is not declared as an item")
    for gid in sorted(set(declared) & set(graded)):
        if declared[gid] != graded[gid]:
            problems.append(f"item {gid!r}: course.toml says {declared[gid]:g} points, the notebook {graded[gid]:g}")
    return problems


def load_catalogue(content_dir: Path) -> list[Course]:
    """Every course under content_dir/courses, sorted by grade then title. Fails on the first invalid course."""
    courses = []
    for toml_path in sorted((Path(content_dir) / "courses").glob("*/course.toml")):
        courses.append(load_course(toml_path.parent))
    ids = [c.id for c in courses]
    dupes = sorted({x for x in ids if ids.count(x) > 1})
    if dupes:
        raise ContentError(Path(content_dir) / "courses", [f"duplicate course ids: {', '.join(dupes)}"])
    return sorted(courses, key=lambda c: (c.grade, c.subject, c.title))
