"""Load a lesson's computations without its widgets, so tests can check them against closed forms."""
from pathlib import Path

import nbformat


def run_definitions(path: Path) -> dict:
    """Execute the lesson's definition cells (those with a `def`; they display nothing) and return the namespace."""
    nb = nbformat.read(path, as_version=4)
    ns: dict = {}
    for cell in nb.cells:
        if cell.cell_type == "code" and "def " in cell.source:
            exec(cell.source, ns)
    return ns


def evaluation_cells(path: Path) -> tuple[dict, dict]:
    """({item: the value its solution computes}, {item: its test cell's source}) of an nbgrader source notebook."""
    from pasaporte.quality import SOLUTION_RE

    nb = nbformat.read(path, as_version=4)
    solutions, tests = {}, {}
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("solution"):
            ns: dict = {}
            exec(SOLUTION_RE.search(cell.source).group(1), ns)
            item = meta["grade_id"].removeprefix("respuesta_")
            solutions[item] = ns[item]
        elif meta.get("grade"):
            tests[meta["grade_id"]] = cell.source
    return solutions, tests


def course_items(course_dir: Path) -> dict:
    """{evaluation id: {item id: the item's table in course.toml}}."""
    import tomllib

    data = tomllib.loads((Path(course_dir) / "course.toml").read_text(encoding="utf-8"))
    return {e["id"]: {it["id"]: it for it in e["items"]} for e in data["evaluations"]}
