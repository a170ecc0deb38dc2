"""An IPython extension loaded into every kernel of a user container (docker profile).

When a kernel is killed for using more memory than the container's limit, Jupyter restarts
it and the student loses their variables without being told why. On start, this extension
compares the container's count of out-of-memory kills with the count the previous kernel
saw; if it grew, the first cell the student runs explains what happened, in Spanish.
"""
from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

MESSAGE = ("⚠ Tu programa anterior se detuvo porque usó más memoria de la permitida ({limit}). "
           "El kernel se reinició y las variables se perdieron: vuelve a ejecutar las celdas desde el "
           "principio, con datos más pequeños.")
# cgroup v1 and v2 files that count the kills of this container's memory controller.
COUNTERS = (Path("/sys/fs/cgroup/memory/memory.oom_control"), Path("/sys/fs/cgroup/memory.events"))


def oom_kills() -> int | None:
    for path in COUNTERS:
        try:
            for line in path.read_text().splitlines():
                key, _, value = line.partition(" ")
                if key == "oom_kill":
                    return int(value)
        except (OSError, ValueError):
            continue
    return None


def new_kills(marker: Path) -> bool:
    """True when the container killed something for memory since the last kernel looked."""
    count = oom_kills()
    if count is None:
        return False
    try:
        seen = int(marker.read_text())
    except (OSError, ValueError):
        seen = 0
    marker.write_text(str(count))
    return count > seen


def load_ipython_extension(ip) -> None:
    limit = os.environ.get("PASAPORTE_MEM_LIMIT")
    if not limit:  # only user containers set it; elsewhere the counters are not the user's own
        return
    if not new_kills(Path(tempfile.gettempdir()) / f"pasaporte-oom-seen-{os.getuid()}"):
        return

    def warn(*_):
        ip.events.unregister("pre_run_cell", warn)
        print(MESSAGE.format(limit=limit.replace("M", " MB").replace("G", " GB")), file=sys.stderr)

    ip.events.register("pre_run_cell", warn)
