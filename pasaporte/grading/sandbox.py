"""Grading sandboxes: one prepared notebook executed where student code can reach nothing else.

Both kinds run `python -m pasaporte.grading.harness JOB` on a job folder that holds only that
notebook, and give back an `Outcome`:
- `LocalSandbox` (local profile, as root): a separate process under one of N unprivileged slot
  accounts (`pasaporte-sbx<i>`, one per concurrent job, so a fork bomb only meets its own
  limit), in a network namespace of its own with no interface up, with rlimits (address
  space, processes, file size, open files, CPU) and a wall-clock limit; afterwards every
  process of the slot account is killed. Jobs are forked from a per-slot fork server
  (zygote.py) that has the harness and the kernel already imported. Not as root: a plain
  child process with rlimits only, and the log says so.
- `DockerSandbox` (docker profile): a throwaway container from the single-user image with no
  network, an unprivileged uid, memory/CPU/pids limits, a read-only root and a wall clock.
"""
from __future__ import annotations

import json
import logging
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from .zygote import apply_rlimits

log = logging.getLogger("pasaporte.sandbox")
SLOT_PREFIX = "pasaporte-sbx"
SANDBOX_ROOT = Path("/var/lib/pasaporte/sandbox")


@dataclass(frozen=True)
class SandboxLimits:
    wall_seconds: int = 120  # the whole submission
    cell_timeout: int = 30  # each cell (nbgrader's own default)
    mem_bytes: int = 1024 * 1024 * 1024
    processes: int = 64
    file_bytes: int = 64 * 1024 * 1024
    max_output_bytes: int = 2 * 1024 * 1024
    max_result_bytes: int = 16 * 1024 * 1024  # what is read back of out.ipynb
    cpus: float = 1.0


@dataclass
class Outcome:
    status: str  # ok | kernel_died | timeout | failed
    notebook: dict | None = None
    detail: str = ""  # English, for the instructor and the log
    seconds: float = 0.0
    extra: dict = field(default_factory=dict)


HARNESS_ENV = {
    "LANG": "C.UTF-8", "PYTHONDONTWRITEBYTECODE": "1", "MPLBACKEND": "Agg", "OPENBLAS_NUM_THREADS": "1",
    "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "NBGRADER_EXECUTION": "autograde",
    "MALLOC_ARENA_MAX": "2",  # address space is limited: no 64 MB malloc arena per kernel thread
    "NBFORMAT_VALIDATOR": "fastjsonschema",  # see grading.courses.grader_environment
    "PYDEVD_DISABLE_FILE_VALIDATION": "1",  # the kernel's debugger module, preloaded, would warn on every job
}


def rlimits(limits: SandboxLimits) -> dict:
    """The rlimits of a job's processes (applied by zygote.apply_rlimits)."""
    return {"mem_bytes": limits.mem_bytes, "cpu_seconds": limits.wall_seconds + 5, "file_bytes": limits.file_bytes,
            "processes": limits.processes}


def _write_job(job: Path, notebook: bytes, limits: SandboxLimits) -> None:
    (job / "work").mkdir(parents=True)
    (job / "in.ipynb").write_bytes(notebook)
    (job / "job.json").write_text(json.dumps({"cell_timeout": limits.cell_timeout,
                                              "max_output_bytes": limits.max_output_bytes}))


def _read_job(job: Path, limits: SandboxLimits, started: float) -> Outcome:
    seconds = time.monotonic() - started
    out, result = job / "out.ipynb", job / "result.json"
    if not out.is_file() or not result.is_file():
        return Outcome("failed", detail="the sandbox ended without a result (killed for memory or processes?)",
                       seconds=seconds)
    if out.stat().st_size > limits.max_result_bytes:
        return Outcome("failed", detail=f"the executed notebook is larger than {limits.max_result_bytes} bytes",
                       seconds=seconds)
    try:
        info = json.loads(result.read_text())
        notebook = json.loads(out.read_text(encoding="utf-8"))
    except (ValueError, OSError) as exc:
        return Outcome("failed", detail=f"unreadable sandbox result: {exc}", seconds=seconds)
    return Outcome(info.get("status", "failed"), notebook, info.get("detail", ""), seconds,
                   {"not_run": info.get("not_run", 0)})


class LocalSandbox:
    def __init__(self, slots: int, python: str = sys.executable, root: Path = SANDBOX_ROOT):
        self.python = python
        self.zygotes: list[subprocess.Popen | None] = [None] * slots
        self.isolated = os.geteuid() == 0
        self.root = root if self.isolated else Path(tempfile.gettempdir()) / f"pasaporte-sandbox-{os.getuid()}"
        self.root.mkdir(parents=True, exist_ok=True)
        os.chmod(self.root, 0o711 if self.isolated else 0o700)
        self.accounts = [self._account(i) for i in range(slots)] if self.isolated else [None] * slots
        if not self.isolated:
            log.warning("Not running as root: graded code runs as %s with rlimits only (no separate account, "
                        "no private network). Run the portal as root for real sandboxes.", os.getuid())

    @staticmethod
    def _account(slot: int) -> tuple[int, int]:
        from ..system import ensure_account

        entry = ensure_account(f"{SLOT_PREFIX}{slot}", Path("/nonexistent"), system=True,
                               comment="Pasaporte grading sandbox")
        return entry.pw_uid, entry.pw_gid

    def env(self, job: Path) -> dict:
        return {**HARNESS_ENV, "PATH": f"{Path(self.python).parent}:/usr/bin:/bin", "HOME": str(job / "work"),
                "IPYTHONDIR": str(job / ".ipython"), "JUPYTER_RUNTIME_DIR": str(job / ".runtime"),
                "JUPYTER_DATA_DIR": str(job / ".data"), "MPLCONFIGDIR": str(job / ".mpl")}

    def run(self, notebook: bytes, limits: SandboxLimits, slot: int) -> Outcome:
        account = self.accounts[slot]
        job = Path(tempfile.mkdtemp(prefix=f"job{slot}-", dir=self.root))
        started = time.monotonic()
        try:
            _write_job(job, notebook, limits)
            if account:
                uid, gid = account
                for path in [job, *job.rglob("*")]:
                    os.chown(path, uid, gid)
                os.chmod(job, 0o700)
                return self._run_forked(job, limits, slot, account, started)
            return self._run_process(job, limits, started)
        finally:
            shutil.rmtree(job, ignore_errors=True)

    def _zygote(self, slot: int, account: tuple[int, int]) -> subprocess.Popen:
        zygote = self.zygotes[slot]
        if zygote is None or zygote.poll() is not None:
            # As root, in a network namespace of its own with no interface up (see zygote.py).
            zygote = subprocess.Popen(["unshare", "--net", "--", self.python, "-m", "pasaporte.grading.zygote",
                                       str(account[0]), str(account[1])],
                                      stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd="/",
                                      env={**HARNESS_ENV, "PATH": f"{Path(self.python).parent}:/usr/bin:/bin",
                                           "HOME": "/nonexistent", "MPLCONFIGDIR": str(self.root / ".mpl")})
            self.zygotes[slot] = zygote
        return zygote

    def _run_forked(self, job: Path, limits: SandboxLimits, slot: int, account: tuple[int, int],
                    started: float) -> Outcome:
        import select

        zygote = self._zygote(slot, account)
        request = {"job": str(job), "env": self.env(job), "limits": rlimits(limits)}
        try:
            zygote.stdin.write(json.dumps(request) + "\n")
            zygote.stdin.flush()
        except BrokenPipeError:
            self.zygotes[slot] = None
            return Outcome("failed", detail="the sandbox's fork server had stopped; try again", seconds=0.0)
        ready, _, _ = select.select([zygote.stdout], [], [], limits.wall_seconds)
        timed_out = not ready
        _kill_account(account)  # whatever the job left behind (or all of it, past its time)
        line = zygote.stdout.readline()  # the zygote answers once its child is gone
        if not line:
            self.zygotes[slot] = None
        if timed_out:
            return Outcome("timeout", detail=f"stopped after {limits.wall_seconds} s (the submission's limit)",
                           seconds=time.monotonic() - started)
        outcome = _read_job(job, limits, started)
        if outcome.status == "failed":
            log = job / "harness.log"
            tail = log.read_bytes()[-300:].decode(errors="replace") if log.exists() else ""
            outcome.detail += f"; {line.strip()} {tail}"
        return outcome

    def _run_process(self, job: Path, limits: SandboxLimits, started: float) -> Outcome:
        """Without root: the harness as a plain child process with rlimits."""
        argv = [self.python, "-m", "pasaporte.grading.harness", str(job)]

        def limit():
            os.setsid()
            apply_rlimits(rlimits(limits))

        proc = subprocess.Popen(argv, cwd=job, env=self.env(job), preexec_fn=limit, stdin=subprocess.DEVNULL,
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        tail = _drain(proc)
        try:
            proc.wait(timeout=limits.wall_seconds)
            timed_out = False
        except subprocess.TimeoutExpired:
            timed_out = True
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.wait()
        if timed_out:
            return Outcome("timeout", detail=f"stopped after {limits.wall_seconds} s (the submission's limit)",
                           seconds=time.monotonic() - started)
        outcome = _read_job(job, limits, started)
        if outcome.status == "failed":
            outcome.detail += f"; harness exit {proc.returncode}: {b''.join(tail)[-300:].decode(errors='replace')}"
        return outcome


def _kill_account(account: tuple[int, int]) -> None:
    """Every process of a slot account dies (forked daemons, fork bombs): kill(-1) as that
    account reaches exactly its processes, and cannot reach the root zygote."""
    for _ in range(5):
        if not _processes_of(account[0]):
            return
        subprocess.run(["setpriv", f"--reuid={account[0]}", f"--regid={account[1]}", "--clear-groups", sys.executable,
                        "-S", "-c", "import os, signal\ntry: os.kill(-1, signal.SIGKILL)\nexcept ProcessLookupError: pass"],
                       capture_output=True)


def _processes_of(uid: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                if os.stat(f"/proc/{entry}").st_uid == uid:
                    found.append(int(entry))
            except FileNotFoundError:
                continue
    return found


def _drain(proc: subprocess.Popen, keep: int = 50) -> list[bytes]:
    """Read the harness's own output in the background (bounded), so it can never block on a pipe."""
    tail: list[bytes] = []

    def read():
        for line in proc.stdout:
            tail.append(line[-500:])
            del tail[:-keep]

    threading.Thread(target=read, daemon=True).start()
    return tail


class DockerSandbox:
    USER = "65534:65534"

    def __init__(self, image: str, root: Path):
        import docker

        self.image = image
        self.client = docker.from_env(timeout=60)
        self.root = root  # must be a path the engine can mount (the state dir)
        self.root.mkdir(parents=True, exist_ok=True)
        os.chmod(self.root, 0o711)

    def run(self, notebook: bytes, limits: SandboxLimits, slot: int) -> Outcome:
        import requests

        job = Path(tempfile.mkdtemp(prefix=f"job{slot}-", dir=self.root))
        started = time.monotonic()
        container = None
        try:
            _write_job(job, notebook, limits)
            uid, gid = map(int, self.USER.split(":"))
            for path in [job, *job.rglob("*")]:
                os.chown(path, uid, gid)
            container = self.client.containers.create(
                self.image, ["python", "-m", "pasaporte.grading.harness", "/job"], user=self.USER,
                network_mode="none", mem_limit=limits.mem_bytes, memswap_limit=limits.mem_bytes,
                nano_cpus=int(limits.cpus * 1e9), pids_limit=limits.processes, read_only=True,
                tmpfs={"/tmp": "rw,nosuid,nodev,size=64m"}, cap_drop=["ALL"], security_opt=["no-new-privileges"],
                ulimits=[{"name": "fsize", "soft": limits.file_bytes, "hard": limits.file_bytes}],
                volumes={str(job): {"bind": "/job", "mode": "rw"}}, working_dir="/job/work",
                environment={**HARNESS_ENV, "HOME": "/job/work", "IPYTHONDIR": "/tmp/ipython",
                             "JUPYTER_RUNTIME_DIR": "/tmp/runtime", "MPLCONFIGDIR": "/tmp/mpl"},
                labels={"org.pasaporte.sandbox": "1"}, detach=True)
            container.start()
            try:
                status = container.wait(timeout=limits.wall_seconds)
            except (requests.exceptions.ReadTimeout, requests.exceptions.ConnectionError):
                container.kill()
                return Outcome("timeout", detail=f"stopped after {limits.wall_seconds} s (the submission's limit)",
                               seconds=time.monotonic() - started)
            outcome = _read_job(job, limits, started)
            if outcome.status == "failed":
                container.reload()
                killed = " (killed for memory)" if container.attrs["State"].get("OOMKilled") else ""
                outcome.detail += f"; exit {status.get('StatusCode')}{killed}"
            return outcome
        finally:
            if container is not None:
                try:
                    container.remove(force=True)
                except Exception as exc:  # noqa: BLE001 - the engine may already have removed it
                    log.warning("could not remove sandbox container: %s", exc)
            shutil.rmtree(job, ignore_errors=True)
