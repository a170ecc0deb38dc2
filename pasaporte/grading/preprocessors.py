"""The two nbgrader preprocessors the course configuration swaps in.

- `SandboxExecute` takes the place of nbgrader's `Execute` in autograde (nbgrader's own
  `autograde`, as the formgrader's button runs it): the notebook runs in a sandbox of the grader
  service, never in the grader's own process. The parallel batch (batch.py) runs the same
  sandboxes and merges their results the same way (`with_outcome`).
- `HideHiddenTests` runs before feedback is rendered: hidden tests leave the test cells, their
  outputs become a plain verdict, and any line of a hidden test that student code printed
  anywhere is blanked, so nothing a student can fetch shows a hidden test.
"""
from __future__ import annotations

import os
import re

import nbformat
import requests
from nbformat.notebooknode import NotebookNode
from nbformat.v4.rwbase import rejoin_lines
from nbgrader.preprocessors import NbGraderPreprocessor
from nbgrader.utils import is_grade, is_solution
from traitlets import Unicode, default

from .harness import mark_not_run

# What a student reads when her submission could not run in full (the reason stays in English
# for the instructor, in the pipeline's report and the grader's log).
SPANISH = {
    "timeout": "La entrega tardó más de lo permitido en ejecutarse y se detuvo; las preguntas que no "
               "alcanzaron a revisarse valen 0.",
    "kernel_died": "Tu programa se detuvo antes de terminar (¿demasiada memoria o un error grave?); "
                   "las preguntas que no alcanzaron a revisarse valen 0.",
    "failed": "No pudimos ejecutar tu entrega completa; las preguntas que no se revisaron valen 0. "
              "Tu docente puede ver el motivo.",
    "unreachable": "El servicio de calificación no respondió; tu docente volverá a calificar.",
}


def execute_remotely(url: str, token: str, course: str, body: bytes) -> dict:
    try:
        r = requests.post(url.rstrip("/") + "/api/execute", params={"course": course}, data=body, timeout=3600,
                          headers={"Authorization": f"token {token}", "Content-Type": "application/json"})
    except requests.RequestException as exc:
        return {"status": "unreachable", "notebook": None, "detail": f"grader service unreachable: {exc}"}
    if r.status_code != 200:
        return {"status": "unreachable", "notebook": None, "detail": f"grader service HTTP {r.status_code}: {r.text[:300]}"}
    return r.json()


def with_outcome(nb: NotebookNode, outcome: dict) -> NotebookNode:
    """The prepared notebook with what its run produced. Only outputs and execution counts come
    from the sandbox (student code runs there and could rewrite its result file); sources and
    grading metadata stay those nbgrader restored from the gradebook. A result that does not match
    cell for cell is a failed run, and every cell that did not run gets an error output, so a test
    that never ran never earns its points. `outcome` gets the final status."""
    ran = outcome.get("notebook")
    if ran is not None:
        cells = ran.get("cells") if isinstance(ran, dict) else None
        if (not isinstance(cells, list) or len(cells) != len(nb.cells)
                or any(not isinstance(c, dict) or c.get("cell_type") != m.cell_type for c, m in zip(cells, nb.cells))):
            outcome.update(status="failed", detail="the sandbox gave back a notebook that does not match the one it ran")
        else:
            for mine, theirs in zip(nb.cells, cells):
                if mine.cell_type == "code":
                    outputs = theirs.get("outputs") if isinstance(theirs.get("outputs"), list) else []
                    outputs = [o for o in outputs if isinstance(o, dict) and isinstance(o.get("output_type"), str)]
                    # JSON keeps long texts as lists of lines; nbgrader's steps expect them joined.
                    cell = nbformat.from_dict({"cell_type": "code", "outputs": outputs})
                    mine.outputs = rejoin_lines(NotebookNode(cells=[cell])).cells[0].outputs
                    count = theirs.get("execution_count")
                    mine.execution_count = count if isinstance(count, int) else None
    mark_not_run(nb, SPANISH.get(outcome["status"], SPANISH["failed"]))
    return nb


class SandboxExecute(NbGraderPreprocessor):
    url = Unicode(help="Base URL of the grader service").tag(config=True)
    token = Unicode(help="Hub token of this grader process").tag(config=True)
    course_id = Unicode(help="The course whose evaluations this process grades").tag(config=True)

    @default("url")
    def _url_default(self):
        return os.environ.get("PASAPORTE_GRADER_URL", "")

    @default("token")
    def _token_default(self):
        return os.environ.get("JUPYTERHUB_API_TOKEN", "")

    def preprocess(self, nb, resources):
        outcome = execute_remotely(self.url, self.token, self.course_id, nbformat.writes(nb).encode())
        nb = with_outcome(nb, outcome)
        resources.setdefault("pasaporte", {})["sandbox"] = {k: outcome.get(k) for k in ("status", "detail")}
        if outcome["status"] != "ok":
            self.log.warning("Sandbox %s for %s: %s", outcome["status"], resources["nbgrader"].get("student"),
                             outcome.get("detail"))
        return nb, resources


class DropEmptyGradingMetadata(NbGraderPreprocessor):
    """After nbgrader's DeduplicateIds: a duplicated grade cell is left with `nbgrader: {}`, which
    OverwriteCells(add_missing_cells=True) then trips over (KeyError 'grade_id' in nbgrader 0.9.6).
    Without the empty dict the duplicate is an ordinary cell, and the original is graded."""

    def preprocess_cell(self, cell, resources, index):
        if cell.metadata.get("nbgrader") == {}:
            del cell.metadata["nbgrader"]
        return cell, resources


HIDDEN = re.compile(r"^\s*### BEGIN HIDDEN TESTS\s*$.*?^\s*### END HIDDEN TESTS\s*$\n?", re.M | re.S)


class HideHiddenTests(NbGraderPreprocessor):
    """For feedback: no hidden test may reach the student, whatever her code printed."""

    min_length = 12  # shorter lines (`assert x`) are too common to blank everywhere

    def preprocess(self, nb, resources):
        secret_lines = set()
        for cell in nb.cells:
            for block in HIDDEN.findall(cell.source):
                secret_lines.update(line.strip() for line in block.splitlines()[1:-1]
                                    if len(line.strip()) >= self.min_length)
            if cell.cell_type == "code" and is_grade(cell) and not is_solution(cell) and HIDDEN.search(cell.source):
                cell.source = HIDDEN.sub("# (pruebas ocultas: se aplicaron al calificar)\n", cell.source).rstrip()
                failed = any(o.output_type == "error" for o in cell.outputs)
                cell.outputs = [NotebookNode(output_type="stream", name="stdout",
                                             text="✗ Incorrecta o incompleta.\n" if failed else "✓ Correcta.\n")]
        if secret_lines:
            for cell in nb.cells:
                for output in cell.get("outputs", []):
                    self._blank(output, secret_lines)
        return nb, resources

    @staticmethod
    def _blank(output, secret_lines: set[str]) -> None:
        def clean(text: str) -> str:
            for line in secret_lines:
                text = text.replace(line, "[oculto]")
            return text

        if "text" in output:
            output.text = clean(output.text)
        if "traceback" in output:
            output.traceback = [clean(t) for t in output.traceback]
        if "evalue" in output:
            output.evalue = clean(output.evalue)
        for key, value in list(output.get("data", {}).items()):
            if isinstance(value, str):
                output.data[key] = clean(value)
