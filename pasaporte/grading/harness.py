"""Runs inside a grading sandbox: executes one prepared notebook and writes what it got.

`python -m pasaporte.grading.harness JOB` reads JOB/in.ipynb and JOB/job.json
({"cell_timeout": s, "max_output_bytes": n}), executes it with nbclient configured as
nbgrader's own `Execute` preprocessor is (errors allowed, a cell past its timeout interrupted
and recorded as CellTimeoutError, history in memory), so scores match stock nbgrader; keeps
at most max_output_bytes of outputs; and writes JOB/out.ipynb and JOB/result.json
({"status": "ok" | "kernel_died", "detail": …}). Cells that never ran (the kernel died before
them) get an error output, so a test that never ran can never earn its points.

It imports only nbclient and nbformat (not nbgrader, not nbconvert): a sandbox starts for
every submission, and its start-up is most of a submission's cost.
"""
from __future__ import annotations

import sys

import json
import os
import signal
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbformat.notebooknode import NotebookNode
from traitlets import Integer

NOT_RUN = "SandboxError"
# What a student reads in a cell that never ran because the kernel died.
NOT_RUN_NOTE = ("esta celda no se ejecutó porque el programa se detuvo antes "
                "(¿demasiada memoria o un error grave?)")


class SandboxClient(NotebookClient):
    """nbclient as nbgrader's Execute sets it up, with every cell's outputs counted against one budget."""

    max_output_bytes = Integer(2 * 1024 * 1024)

    def __init__(self, nb, cell_timeout: int, **kwargs):
        super().__init__(
            nb, timeout=cell_timeout, interrupt_on_timeout=True, allow_errors=True, raise_on_iopub_timeout=True,
            error_on_timeout={"ename": "CellTimeoutError", "evalue": "",
                              "traceback": ["\x1b[0;31mCellTimeoutError\x1b[0m: No reply from kernel before timeout"]},
            extra_arguments=["--HistoryManager.hist_file=:memory:"], shutdown_kernel="immediate",
            kernel_name="python3", on_cell_executed=self.cell_executed, **kwargs)
        self._used = 0
        self._truncated: set[int] = set()
        self.replied: set[int] = set()  # cells the kernel finished (an execute_reply came)

    def cell_executed(self, cell, cell_index, execute_reply, **_):
        """Remember that the cell finished; as nbgrader's Execute, an error reply with no matching
        output (a timeout) becomes an output."""
        self.replied.add(cell_index)
        content = execute_reply["content"]
        if content["status"] != "error":
            return
        if any(o.output_type == "error" and o.ename == content["ename"] for o in cell.outputs):
            return
        cell.outputs.append(NotebookNode(output_type="error", ename=content["ename"], evalue=content["evalue"],
                                         traceback=content["traceback"] or ["ERROR: An error occurred while"
                                                                            " showtraceback was disabled"]))

    def output(self, outs, msg, display_id, cell_index):
        self._used += len(json.dumps(msg.get("content", {})))
        if self._used <= self.max_output_bytes:
            return super().output(outs, msg, display_id, cell_index)
        if cell_index not in self._truncated:
            self._truncated.add(cell_index)
            outs.append(NotebookNode(output_type="stream", name="stderr",
                                     text=f"[Salida recortada: el cuaderno produjo más de "
                                          f"{self.max_output_bytes // 1024} KB de salida.]\n"))
        return None


def mark_not_run(nb, why: str, finished: set[int] | None = None) -> int:
    """Give every code cell that did not run to its end an error output, so a test that never ran
    (or whose kernel died in the middle of it) can never earn its points; return how many.
    `finished`: indices of the cells the kernel answered for; without it, a cell with an execution
    count or an error counts as run."""
    count = 0
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code" or not cell.source.strip():
            continue
        outputs = cell.get("outputs", [])
        if any(o.output_type == "error" for o in outputs):
            continue
        ran = (index in finished) if finished is not None else cell.get("execution_count") is not None
        if ran:
            continue
        cell.outputs = [*outputs, NotebookNode(output_type="error", ename=NOT_RUN, evalue=why,
                                               traceback=[f"{NOT_RUN}: {why}"])]
        count += 1
    return count


class ForkedProcess:
    """What jupyter_client's provisioner needs of a kernel process (as of a Popen), for a fork."""

    def __init__(self, pid: int):
        self.pid, self.returncode = pid, None
        self.stdin = self.stdout = self.stderr = None

    def poll(self):
        if self.returncode is None:
            try:
                pid, status = os.waitpid(self.pid, os.WNOHANG)
            except ChildProcessError:
                self.returncode = -9
                return self.returncode
            if pid:
                self.returncode = os.waitstatus_to_exitcode(status)
        return self.returncode

    def wait(self, timeout=None):
        while self.poll() is None:
            time.sleep(0.02)
        return self.returncode

    def send_signal(self, signum):
        if self.poll() is None:
            os.kill(self.pid, signum)

    def kill(self):
        self.send_signal(signal.SIGKILL)

    def terminate(self):
        self.send_signal(signal.SIGTERM)


def prefork_kernel() -> tuple[int, int]:
    """Fork the future kernel now, while this process has no event loop, thread or zmq context:
    it waits for its connection file on a pipe, then becomes an IPython kernel in its own
    process group (so an interrupt reaches it alone). Returns (pid, write end of the pipe)."""
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(write)
        os.setpgid(0, 0)
        path = b""
        while chunk := os.read(read, 4096):
            path += chunk
        code = 0
        try:
            if path:
                from ipykernel.kernelapp import IPKernelApp

                app = IPKernelApp.instance()
                app.initialize(["-f", path.decode(), "--HistoryManager.hist_file=:memory:"])
                app.start()
        except BaseException:  # noqa: BLE001 - the driver sees a dead kernel and says so
            code = 1
        finally:
            os._exit(code)
    os.close(read)
    return pid, write


def kernel_manager(forked: tuple[int, int] | None, **kwargs):
    """jupyter_client's AsyncKernelManager whose client is ready as soon as the kernel has answered
    on both channels. With `forked` (from prefork_kernel) the connection file is written and handed
    to the pre-forked kernel at once, so the kernel starts while the notebook is read, and
    `launch` only adopts it."""
    from queue import Empty

    from jupyter_client.asynchronous import AsyncKernelClient
    from jupyter_client.manager import AsyncKernelManager

    class ReadyClient(AsyncKernelClient):
        async def wait_for_ready(self, timeout=None):
            """As jupyter_client's, without its closing 0.2 s of iopub silence (a fifth of a
            submission's time): ready once the reply to kernel_info has come and the kernel's idle
            status for that same request has come over iopub, which proves the subscription live."""
            deadline = time.monotonic() + (float("inf") if timeout is None else timeout)
            while True:
                msg_id = self.kernel_info()
                try:
                    reply = await self.shell_channel.get_msg(timeout=1)
                    while reply["parent_header"].get("msg_id") != msg_id:
                        reply = await self.shell_channel.get_msg(timeout=1)
                    while True:
                        msg = await self.iopub_channel.get_msg(timeout=0.2)
                        if (msg["parent_header"].get("msg_id") == msg_id and msg["msg_type"] == "status"
                                and msg["content"]["execution_state"] == "idle"):
                            self._handle_kernel_info_reply(reply)
                            return
                except Empty:
                    pass
                if not await self._async_is_alive():
                    raise RuntimeError("Kernel died before replying to kernel_info")
                if time.monotonic() > deadline:
                    raise RuntimeError(f"Kernel didn't respond in {timeout} seconds")

    class SandboxKernelManager(AsyncKernelManager):
        client_factory = ReadyClient

        async def _async_launch_kernel(self, kernel_cmd, **kw):
            if forked is None:
                return await super()._async_launch_kernel(kernel_cmd, **kw)
            provisioner = self.provisioner
            provisioner.process = ForkedProcess(forked[0])
            provisioner.pid = provisioner.pgid = forked[0]
            self._reconcile_connection_info(provisioner.connection_info)

    km = SandboxKernelManager(**kwargs)
    if forked is not None:
        km.connection_file = str(Path(kwargs["ip"]).parent / "kernel.json")
        km.write_connection_file()  # jupyter_client's launch finds it written and keeps it
        os.write(forked[1], km.connection_file.encode())
        os.close(forked[1])
    return km


def stop_kernel(km, forked: tuple[int, int] | None) -> None:
    """nbclient leaves running a kernel it was handed: it dies here with its process group. A
    pre-forked kernel is reaped at once (jupyter_client would poll for it every 0.1 s)."""
    if forked is None:
        if km.has_kernel:
            from jupyter_core.utils import run_sync

            run_sync(km.shutdown_kernel)(now=True)
        return
    try:
        os.killpg(forked[0], signal.SIGKILL)
    except ProcessLookupError:
        pass
    try:
        os.waitpid(forked[0], 0)
    except ChildProcessError:  # already reaped (it died while the notebook ran)
        pass


def main(job: Path, fork_kernel: bool = False) -> int:
    # The kernel speaks over Unix sockets in the job folder: the sandbox has no network.
    where = {"kernel_name": "python3", "transport": "ipc", "ip": str(job / "kernel")}
    forked = prefork_kernel() if fork_kernel else None
    km = kernel_manager(forked, **where)
    settings = json.loads((job / "job.json").read_text())
    nb = nbformat.read(job / "in.ipynb", as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    client = SandboxClient(nb, settings["cell_timeout"], km=km, max_output_bytes=settings["max_output_bytes"],
                           resources={"metadata": {"path": str(job / "work")}})
    result = {"status": "ok", "detail": ""}
    try:
        client.execute()
    except Exception as exc:  # a kernel that died (memory, os._exit, a signal) or would not start
        result = {"status": "kernel_died", "detail": f"{type(exc).__name__}: {str(exc)[:300]}"}
    finally:
        stop_kernel(km, forked)
    result["not_run"] = mark_not_run(nb, NOT_RUN_NOTE, client.replied)
    nbformat.write(nb, job / "out.ipynb")
    (job / "result.json").write_text(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1])))
