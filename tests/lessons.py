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
