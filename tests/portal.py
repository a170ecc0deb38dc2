"""Test harness: a real hub + proxy started through `pasaporte run`, and an HTTP client
that logs in through the Spanish login form like a browser would."""
from __future__ import annotations

import csv
import io
import json
import os
import random
import re
import tarfile
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urljoin

import requests

REPO = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent


def free_port_block(span: int | None = None) -> int:
    """A base port such that base..base+span are all free on 127.0.0.1. The portal uses PORT..PORT+4
    and one port per course from PORT+10. Bases come from below the kernel's ephemeral range
    (32768 up), so outgoing connections of other processes do not take them meanwhile."""
    if span is None:
        from pasaporte.content import load_catalogue

        span = 10 + len(load_catalogue(REPO)) + 2
    rng = random.Random()
    for _ in range(500):
        base = rng.randrange(20000, 32700 - span)
        ok = True
        for p in range(base, base + span):
            with socket.socket() as s:
                try:
                    s.bind(("127.0.0.1", p))
                except OSError:
                    ok = False
                    break
        if ok:
            return base
    raise RuntimeError("no free block of ports")


@dataclass
class Portal:
    state_dir: Path
    homes_dir: Path
    port: int
    log_path: Path
    proc: subprocess.Popen | None = None
    env: dict = field(default_factory=dict)
    run_as: str | None = None  # start the hub as this system account instead of the current one
    extra_env: dict = field(default_factory=dict)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def roster_file(self) -> Path:
        return Path(self.extra_env.get("PASAPORTE_ROSTER") or REPO / "hub_config" / "demo" / "roster.csv")

    def start(self, timeout: float = 120) -> "Portal":
        self.env = dict(os.environ, PASAPORTE_STATE_DIR=str(self.state_dir), PASAPORTE_PORT=str(self.port),
                        PATH=f"{VENV_BIN}:{os.environ['PATH']}", **self.extra_env)
        if self.run_as:  # homes go to their default place, inside the state dir
            self.homes_dir = self.state_dir / "homes"
        else:
            self.env["PASAPORTE_HOMES_DIR"] = str(self.homes_dir)
            self.homes_dir.mkdir(parents=True, exist_ok=True)
            os.chmod(self.homes_dir, 0o755)
        log = open(self.log_path, "ab")
        prefix = ["runuser", "-u", self.run_as, "--"] if self.run_as else []
        self.proc = subprocess.Popen([*prefix, str(VENV_BIN / "pasaporte"), "run"], cwd=REPO, env=self.env,
                                     stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"hub exited with {self.proc.returncode}:\n{self.log_tail()}")
            try:
                if requests.get(self.url + "/hub/api/", timeout=2).status_code == 200 and \
                        b"JupyterHub is now running" in self.log_path.read_bytes():
                    return self
            except requests.ConnectionError:
                pass
            time.sleep(0.5)
        raise RuntimeError(f"hub did not come up in {timeout}s:\n{self.log_tail()}")

    def again(self, **changes) -> "Portal":
        """A new portal process on the same state, homes and port (a restart)."""
        return Portal(state_dir=self.state_dir, homes_dir=self.homes_dir, port=self.port,
                      log_path=self.log_path, run_as=self.run_as, **changes)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGINT if self.run_as else signal.SIGTERM)
            try:
                self.proc.wait(60)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(10)

    def log_tail(self, n: int = 60) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-n:])
        except FileNotFoundError:
            return ""

    def accounts(self) -> dict[str, dict]:
        with open(self.state_dir / "demo-accounts.csv", newline="", encoding="utf-8") as f:
            return {row["username"]: row for row in csv.DictReader(f)}

    def client(self, username: str, password: str | None = None) -> "Client":
        c = Client(self)
        c.login(username, password or self.accounts()[username]["password"])
        return c

    def pasaporte(self, *args: str) -> subprocess.CompletedProcess:
        return subprocess.run([str(VENV_BIN / "pasaporte"), *args], cwd=REPO, env=self.env,
                              capture_output=True, text=True, timeout=600)


class Client:
    """A logged-in browser-like session (cookies + XSRF), speaking HTTP to the proxy."""

    def __init__(self, portal: Portal):
        self.portal = portal
        self.s = requests.Session()
        self.username = None

    def url(self, path: str) -> str:
        return urljoin(self.portal.url, path)

    def login(self, username: str, password: str, expect_ok: bool = True) -> requests.Response:
        self.s.get(self.url("/hub/login"), timeout=30)
        r = self.s.post(self.url("/hub/login"), data={"username": username, "password": password,
                                                      "_xsrf": self.s.cookies.get("_xsrf", path="/hub/")},
                        timeout=60)
        if expect_ok:
            assert r.status_code == 200 and "/hub/login" not in r.url, f"login of {username} failed: {r.status_code} {r.url}"
        self.username = username
        return r

    def reset_password(self, username: str, new: str, confirmation: str | None = None) -> requests.Response:
        """The admin's password reset form."""
        return self.s.post(self.url(f"/hub/change-password/{username}"),
                           data={"new_password": new, "new_password_confirmation": confirmation or new,
                                 "_xsrf": self.xsrf("/hub/")}, timeout=60)

    def xsrf(self, path_prefix: str) -> str:
        matches = [c for c in self.s.cookies if c.name == "_xsrf" and path_prefix.startswith(c.path)]
        if not matches:
            return ""
        return max(matches, key=lambda c: len(c.path)).value

    def _send(self, method: str, path: str, xsrf_path: str, **kw) -> requests.Response:
        headers = kw.pop("headers", {})
        headers["X-XSRFToken"] = self.xsrf(xsrf_path)
        return self.s.request(method, self.url(path), headers=headers, timeout=kw.pop("timeout", 300), **kw)

    def hub_api(self, method: str, path: str, **kw) -> requests.Response:
        return self._send(method, "/hub/api" + path, "/hub/", **kw)

    def start_server(self, timeout: float = 120) -> None:
        r = self.hub_api("POST", f"/users/{self.username}/server")
        assert r.status_code in (201, 202, 400), r.text  # 400: already running
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            info = self.hub_api("GET", f"/users/{self.username}").json()
            server = info.get("servers", {}).get("", {})
            if server.get("ready"):
                # visit the server once so it sets its own _xsrf cookie
                self.s.get(self.url(f"/user/{self.username}/api/status"), timeout=30)
                self.s.get(self.url(f"/user/{self.username}/lab"), timeout=60)
                return
            time.sleep(0.5)
        raise AssertionError(f"server of {self.username} not ready in {timeout}s:\n{self.portal.log_tail()}")

    def user_api(self, method: str, path: str, **kw) -> requests.Response:
        prefix = f"/user/{self.username}/"
        return self._send(method, prefix + path.lstrip("/"), prefix, **kw)

    def service(self, name: str, method: str, path: str, **kw) -> requests.Response:
        prefix = f"/services/{name}/"
        return self._send(method, prefix + path.lstrip("/"), prefix, **kw)


def run_in_kernel(client: Client, code: str, timeout: float = 60, kernel_id: str | None = None) -> str:
    """Run `code` in a kernel of the client's own server (a fresh one unless `kernel_id` is
    given); return its stdout and stderr, errors, and "KernelDied: ..." if it died meanwhile."""
    import json
    import uuid

    import websocket

    own_kernel = kernel_id is None
    if own_kernel:
        r = client.user_api("POST", "api/kernels", json={"name": "python3"})
        assert r.status_code == 201, r.text
        kernel_id = r.json()["id"]
    try:
        ws_url = client.url(f"/user/{client.username}/api/kernels/{kernel_id}/channels").replace("http", "ws", 1)
        cookie = "; ".join(f"{c.name}={c.value}" for c in client.s.cookies)
        ws = websocket.create_connection(ws_url, cookie=cookie, timeout=timeout)
        msg_id = uuid.uuid4().hex
        ws.send(json.dumps({
            "header": {"msg_id": msg_id, "msg_type": "execute_request", "username": client.username,
                       "session": uuid.uuid4().hex, "version": "5.3"},
            "parent_header": {}, "metadata": {}, "channel": "shell",
            "content": {"code": code, "silent": False, "store_history": False, "user_expressions": {},
                        "allow_stdin": False, "stop_on_error": True},
        }))
        out = []
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                out.append("Timeout: no reply from the kernel")
                break
            ws.settimeout(min(remaining, 5))
            try:
                msg = json.loads(ws.recv())
            except websocket.WebSocketTimeoutException:
                continue
            except websocket.WebSocketConnectionClosedException:
                out.append("ConnectionLost: the server closed the kernel's connection")
                break
            kind = msg["header"]["msg_type"]
            if kind == "status" and msg["content"]["execution_state"] in ("restarting", "dead"):
                out.append(f"KernelDied: {msg['content']['execution_state']}")
                break
            if msg.get("parent_header", {}).get("msg_id") != msg_id:
                continue
            if kind == "stream":
                out.append(msg["content"]["text"])
            elif kind == "error":
                out.append(f"{msg['content']['ename']}: {msg['content']['evalue']}")
            elif kind == "status" and msg["content"]["execution_state"] == "idle":
                break
        ws.close()
        return "".join(out)
    finally:
        if own_kernel:
            client.user_api("DELETE", f"api/kernels/{kernel_id}")


def portal_instance(env: dict) -> str:
    """The short id that names a portal's containers and volumes (from its state dir)."""
    return subprocess.run([str(VENV_BIN / "python"), "-c",
                           "from pasaporte.config import Settings; print(Settings.from_env().instance)"],
                          env=env, capture_output=True, text=True, check=True).stdout.strip()


def remove_docker_objects(instance: str, extra_volumes: tuple[str, ...] = ()) -> None:
    """Remove a portal's user containers and home volumes (and any extra volumes) from the engine."""
    def docker(*args):
        return subprocess.run(["docker", *args], capture_output=True, text=True, timeout=120)

    ids = docker("ps", "-aq", "--filter", f"label=org.pasaporte.instance={instance}").stdout.split()
    if ids:
        docker("rm", "-f", *ids)
    volumes = [v for v in docker("volume", "ls", "-q").stdout.split()
               if v.startswith(f"pasaporte-{instance}-home-") or v in extra_volumes]
    if volumes:
        docker("volume", "rm", *volumes)



# The diagnostic's right answers (what a student types in place of `rN = None`).
CORRECT = {"r1": "2", "r2": "5", "r3": "-0.5", "r4": "10", "r5": "8", "r6": "15 + 8 * 12.5",
           "r7": "4", "r8": "5", "r9": "6", "r10": "4"}


def tar_gz(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def untar(data: bytes) -> dict[str, bytes]:
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as tar:
        return {m.name: tar.extractfile(m).read() for m in tar if m.isfile()}


class Exchange:
    """The exchange service's API, called with a person's own hub token (what nbgrader in her
    server does), through the proxy."""

    def __init__(self, portal: Portal, username: str):
        client = portal.client(username)
        r = client.hub_api("POST", f"/users/{username}/tokens",
                           json={"scopes": ["access:services!service=exchange"], "expires_in": 3600})
        assert r.status_code == 201, r.text
        self.token, self.base, self.username = r.json()["token"], portal.url + "/services/exchange/api/", username

    def __call__(self, method: str, path: str, **kw) -> requests.Response:
        return requests.request(method, self.base + path, headers={"Authorization": f"token {self.token}",
                                                                   **kw.pop("headers", {})}, timeout=60, **kw)


def answered(nb: dict, answers: dict[str, str]) -> dict:
    nb = json.loads(json.dumps(nb))
    for cell in nb["cells"]:
        source = "".join(cell["source"])
        m = re.match(r"^(r\d+) = None", source)
        if m and m.group(1) in answers:
            cell["source"] = f"{m.group(1)} = {answers[m.group(1)]}"
    return nb
