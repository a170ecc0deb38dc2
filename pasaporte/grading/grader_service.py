"""The grader: a hub service that executes prepared evaluation notebooks in sandboxes.

`POST …/api/execute?course=<id>` with a notebook (JSON) runs it in a sandbox of this profile
(pasaporte.grading.sandbox) and answers {"status", "detail", "seconds", "notebook"}. At most
N run at once (PASAPORTE_GRADING_WORKERS, default: the number of cores); more wait their turn.
Only a course's formgrader service and its teachers may ask, for that course. The callers are
nbgrader itself (the `SandboxExecute` preprocessor, in place of nbgrader's Execute) and the
parallel pipeline (`pasaporte grade autograde`), which keep the gradebook: this service never
touches it. Runs as root under the hub: it alone can switch to the sandbox accounts or reach
the Docker engine.
"""
from __future__ import annotations

import asyncio
import json
import os
import queue
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict
from pathlib import Path

from .hubservice import AuthenticatedHandler, Refused, serve
from .sandbox import DockerSandbox, LocalSandbox, SandboxLimits


class Pool:
    """N sandbox slots; a job takes a free slot, runs in a worker thread, gives it back."""

    def __init__(self, sandbox, slots: int):
        self.sandbox = sandbox
        self.free: queue.Queue[int] = queue.Queue()
        for slot in range(slots):
            self.free.put(slot)
        self.executor = ThreadPoolExecutor(max_workers=slots, thread_name_prefix="sandbox")

    def _run(self, notebook: bytes, limits: SandboxLimits):
        slot = self.free.get()
        try:
            return self.sandbox.run(notebook, limits, slot)
        finally:
            self.free.put(slot)

    async def run(self, notebook: bytes, limits: SandboxLimits):
        return await asyncio.get_running_loop().run_in_executor(self.executor, self._run, notebook, limits)


class ExecuteHandler(AuthenticatedHandler):
    async def post(self):
        course = self.get_argument("course", "")
        self.must_teach(course)
        try:
            json.loads(self.request.body)
        except ValueError:
            raise Refused(400, "El cuaderno no es JSON válido.", "body is not JSON") from None
        outcome = await self.settings["pool"].run(self.request.body, self.settings["limits"])
        self.reply(asdict(outcome))


def limits_from_env(env=os.environ) -> SandboxLimits:
    defaults = SandboxLimits()
    names = {"wall_seconds": "PASAPORTE_GRADING_WALL_SECONDS", "cell_timeout": "PASAPORTE_GRADING_CELL_TIMEOUT",
             "mem_bytes": "PASAPORTE_GRADING_MEM_BYTES", "processes": "PASAPORTE_GRADING_PROCESSES"}
    return SandboxLimits(**{field: int(env.get(var, getattr(defaults, field))) for field, var in names.items()})


def main() -> None:
    slots = int(os.environ.get("PASAPORTE_GRADING_WORKERS") or os.cpu_count() or 1)
    if os.environ.get("PASAPORTE_PROFILE") == "docker":
        sandbox = DockerSandbox(os.environ["PASAPORTE_SINGLEUSER_IMAGE"], Path(os.environ["PASAPORTE_SANDBOX_DIR"]))
    else:
        sandbox = LocalSandbox(slots)
    serve("grader", [(r"/api/execute", ExecuteHandler)], 32 * 1024 * 1024, pool=Pool(sandbox, slots),
          limits=limits_from_env())


if __name__ == "__main__":
    sys.exit(main())
