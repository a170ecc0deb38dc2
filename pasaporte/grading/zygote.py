"""A fork server for the local grading sandboxes, one per slot.

Starting Python, nbclient and an IPython kernel costs most of a second of CPU, paid again for
every submission. The zygote pays it once (and compiles nbformat's schema validator once): started as root inside a network namespace of its
own (no interface up), it imports the harness and the kernel's modules, then for each job
forks a child that drops to the slot's account for good (setgroups, setgid, setuid,
no_new_privs), takes the job's rlimits and runs the harness, which forks the kernel from
itself too. Every job is still a fresh pair of processes that started from the same clean
image and never saw another job; the zygote itself runs no student code and, being root,
cannot be signalled or traced by a job.

Protocol (the grader service's LocalSandbox): one JSON line in per job
{"job": dir, "limits": {...}, "env": {...}}, one JSON line out when its child has exited
{"pid": n, "exit": code}.
"""
from __future__ import annotations

import sys

import ctypes
import importlib
import json
import os
import resource
from pathlib import Path

# What a job would otherwise import itself: the harness's, the kernel's, and what courses use.
PRELOAD = ("pasaporte.grading.harness", "jupyter_client.manager", "ipykernel.kernelapp", "ipykernel.ipkernel",
           "ipykernel.debugger",
           "IPython", "numpy", "matplotlib", "matplotlib.pyplot")
PR_SET_NO_NEW_PRIVS = 38


def apply_rlimits(limits: dict) -> None:
    for kind, value in ((resource.RLIMIT_AS, limits["mem_bytes"]), (resource.RLIMIT_CPU, limits["cpu_seconds"]),
                        (resource.RLIMIT_FSIZE, limits["file_bytes"]), (resource.RLIMIT_NOFILE, 256),
                        (resource.RLIMIT_CORE, 0), (resource.RLIMIT_NPROC, limits["processes"])):
        resource.setrlimit(kind, (value, value))


def become(uid: int, gid: int) -> None:
    os.setgroups([])
    os.setgid(gid)
    os.setuid(uid)
    if os.getuid() == 0 or os.geteuid() == 0:
        raise SystemExit("could not leave root")
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)


def child(request: dict, uid: int, gid: int) -> int:
    job = Path(request["job"])
    os.setsid()
    apply_rlimits(request["limits"])
    become(uid, gid)
    os.environ.clear()
    os.environ.update(request["env"])
    os.chdir(job / "work")
    log = os.open(job / "harness.log", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.dup2(log, 1)
    os.dup2(log, 2)
    from .harness import main

    return main(job, fork_kernel=True)


def main(uid: int, gid: int) -> int:
    for name in PRELOAD:
        try:
            importlib.import_module(name)
        except ImportError:
            pass
    # nbformat compiles its notebook schema into a validator on first use: once, here.
    import nbformat

    nbformat.validate(nbformat.v4.new_notebook())
    out = os.fdopen(os.dup(1), "w")
    for line in sys.stdin:
        request = json.loads(line)
        pid = os.fork()
        if pid == 0:
            code = 70
            try:
                code = child(request, uid, gid)
            finally:
                os._exit(code)
        _, status = os.waitpid(pid, 0)
        out.write(json.dumps({"pid": pid, "exit": os.waitstatus_to_exitcode(status)}) + "\n")
        out.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main(int(sys.argv[1]), int(sys.argv[2])))
