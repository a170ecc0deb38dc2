"""The `docker` profile against a real Docker engine (make test starts one): one container
per user from the image built here, limits, a home volume that outlives the container,
isolation, memory kills told in Spanish, only allowed images, and the whole flow of
test_flow.py run again on containers."""
import json
import os
import re
import shutil
import subprocess
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

import pytest

from portal import Portal, free_port_block, portal_instance, remove_docker_objects, run_in_kernel

# The end-to-end flow (student → lesson view → submit → autograde → feedback), collected here a
# second time: the module's `portal` fixture below makes it run on the docker profile.
from test_flow import *  # noqa: F401,F403

# No skip when the engine is missing: `make test` installs and starts one, and a missing one must fail.
pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="the docker profile needs root (make test runs as root)")

MEM_LIMIT = "512M"


def docker(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["docker", *args], capture_output=True, text=True, timeout=120)


def inspect(name: str) -> dict:
    r = docker("inspect", name)
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)[0]


@contextmanager
def docker_portal(**env):
    """A portal on the docker profile in a temporary state dir; afterwards its containers and
    volumes are removed from the engine."""
    base = Path(tempfile.mkdtemp(prefix="pasaporte-docker-test-"))
    os.chmod(base, 0o755)
    p = Portal(state_dir=base / "state", homes_dir=base / "homes", port=free_port_block(), log_path=base / "hub.log",
               extra_env={"PASAPORTE_PROFILE": "docker", "PASAPORTE_MEM_LIMIT": MEM_LIMIT, **env})
    try:
        p.start(timeout=600)  # builds the single-user image first if it is missing
        yield p
    finally:
        p.stop()
        remove_docker_objects(portal_instance(p.env))
        if not os.environ.get("PASAPORTE_KEEP_TEST_STATE"):
            shutil.rmtree(base, ignore_errors=True)


@pytest.fixture(scope="module")
def portal():
    with docker_portal() as p:
        yield p


def container_prefix(portal) -> str:
    """pasaporte-<instance>: the prefix of this portal's containers and volumes."""
    return f"pasaporte-{portal_instance(portal.env)}"


def container_of(portal, username: str) -> str:
    from dockerspawner import DockerSpawner

    return f"{container_prefix(portal)}-{DockerSpawner._escape(username)}"


def wait_until(predicate, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(1)
    raise AssertionError(f"timed out waiting for {what}")


def stop_server(client) -> None:
    r = client.hub_api("DELETE", f"/users/{client.username}/server")
    assert r.status_code in (202, 204), r.text
    wait_until(lambda: not client.hub_api("GET", f"/users/{client.username}").json()["servers"], 60, "server stop")


def test_spawn_creates_container_with_limits(portal):
    ana = portal.client("ana.garcia")
    ana.start_server()
    info = inspect(container_of(portal, "ana.garcia"))
    host = info["HostConfig"]
    assert host["Memory"] == host["MemorySwap"] == 512 * 1024 * 1024  # no swap on top
    assert host["CpuQuota"] == 100_000 and host["CpuPeriod"] == 100_000  # 1 CPU
    assert host["PidsLimit"] == 512
    assert host["CapDrop"] == ["ALL"] and not host.get("CapAdd")
    assert "no-new-privileges" in host["SecurityOpt"]
    assert host["ReadonlyRootfs"] is True and host["Privileged"] is False
    assert host["NetworkMode"] == "host"
    assert info["Config"]["User"] == "1000:1000"
    assert info["Config"]["Image"].startswith("pasaporte/singleuser:")
    homes = [m for m in info["Mounts"] if m["Destination"] == "/home/pasaporte"]
    assert homes and homes[0]["Type"] == "volume" and homes[0]["Name"].endswith("-home-ana-2egarcia")
    # Inside: an unprivileged user with no capabilities, the lessons in the home.
    out = run_in_kernel(ana, "import os\nprint(os.getuid(), os.getgid())\n"
                             "print(open('/proc/self/status').read().split('CapEff:')[1].split()[0])\n"
                             "print(sorted(os.listdir('cursos/mate1-funciones')))")
    assert "1000 1000" in out and "0000000000000000" in out
    assert "01-funcion-lineal.ipynb" in out
    # Of the courses, only lesson folders are mounted: no evaluation source (answers, hidden tests).
    out = run_in_kernel(ana, "import os\nprint([os.path.join(d, f) for d, _, fs in os.walk('/srv/pasaporte') for f in fs])")
    assert "lecciones/01-funcion-lineal.ipynb" in out and "evaluaciones" not in out and "diagnostico" not in out, out


def test_student_file_survives_stop_and_start(portal):
    ana = portal.client("ana.garcia")
    ana.start_server()
    r = ana.user_api("PUT", "api/contents/mis-notas.txt",
                     json={"type": "file", "format": "text", "content": "Pendiente: repasar pendiente ✓"})
    assert r.status_code in (200, 201), r.text
    stop_server(ana)
    # The container is removed on stop; the home volume stays.
    assert docker("inspect", container_of(portal, "ana.garcia")).returncode != 0
    ana.start_server()
    r = ana.user_api("GET", "api/contents/mis-notas.txt")
    assert r.status_code == 200 and r.json()["content"] == "Pendiente: repasar pendiente ✓"


def test_student_cannot_reach_another_students_home(portal):
    luis = portal.client("luis.martinez")
    luis.start_server()
    r = luis.user_api("PUT", "api/contents/secreto.txt", json={"type": "file", "format": "text", "content": "de Luis"})
    assert r.status_code in (200, 201)
    luis_port = re.findall(r"proxy /user/luis\.martinez/ => http://127\.0\.0\.1:(\d+)", portal.log_path.read_text())[-1]
    ana = portal.client("ana.garcia")
    ana.start_server()
    probe = f"""
import os, urllib.request, urllib.error
print("homes", os.listdir("/home"))
found = [os.path.join(d, f) for d, _, fs in os.walk("/", onerror=None) for f in fs
         if f == "secreto.txt" and not d.startswith(("/proc", "/sys"))]
print("found", found)
try:
    urllib.request.urlopen("http://127.0.0.1:{luis_port}/user/luis.martinez/api/contents/secreto.txt", timeout=10)
    print("status 200")
except urllib.error.HTTPError as e:
    print("status", e.code)
"""
    out = run_in_kernel(ana, probe, timeout=120)
    assert "homes ['pasaporte']" in out
    assert "found []" in out, out  # Luis's volume is not mounted in Ana's container
    assert "status 403" in out, out  # his server on loopback refuses her without his token
    # Through the proxy, Ana cannot use Luis's server either.
    r = ana.s.get(ana.url("/user/luis.martinez/api/contents/secreto.txt"), allow_redirects=False)
    assert r.status_code in (302, 403, 404) and "de Luis" not in r.text


def test_kernel_past_memory_limit_is_killed_and_explained(portal):
    sofia = portal.client("sofia.nunez")
    sofia.start_server()
    r = sofia.user_api("POST", "api/kernels", json={"name": "python3"})
    kernel = r.json()["id"]
    hog = "x = bytearray(900 * 1024 * 1024)\nx[::4096] = b'1' * len(x[::4096])\nprint('sobrevivió')"
    out = run_in_kernel(sofia, hog, timeout=120, kernel_id=kernel)
    assert "KernelDied" in out and "sobrevivió" not in out, out
    # The hub is healthy and the server still runs; the restarted kernel tells the student why.
    assert portal.client("diego.lopez").hub_api("GET", "/").status_code == 200
    server = sofia.hub_api("GET", "/users/sofia.nunez").json()["servers"][""]
    assert server["ready"]
    after = wait_until(lambda: (o := run_in_kernel(sofia, "print('hola')", timeout=60, kernel_id=kernel))
                       and "KernelDied" not in o and o, 60, "the restarted kernel")
    assert "más memoria de la permitida (512 MB)" in after and "hola" in after, after
    sofia.user_api("DELETE", f"api/kernels/{kernel}")


def test_container_killed_for_memory_gets_spanish_message(portal):
    diego = portal.client("diego.lopez")
    diego.start_server()
    # The server itself becomes the memory killer's first choice (any process may raise that of
    # its own user's processes), then a kernel fills the container: the container dies for memory.
    code = ("import os\nserver = os.getppid()\n"
            "open(f'/proc/{server}/oom_score_adj', 'w').write('1000')\n"
            "x = bytearray(900 * 1024 * 1024)\nx[::4096] = b'1' * len(x[::4096])")
    out = run_in_kernel(diego, code, timeout=120)
    assert "ConnectionLost" in out or "KernelDied" in out, out
    wait_until(lambda: not diego.hub_api("GET", "/users/diego.lopez").json()["servers"], 120,
               "the hub to notice the dead container")
    html = diego.s.get(diego.url("/hub/home")).content.decode("utf-8")
    assert "usó más memoria de la permitida" in html
    # The container is gone, the hub is healthy, and starting again works and clears the notice.
    assert docker("inspect", container_of(portal, "diego.lopez")).returncode != 0
    diego.start_server()
    assert "usó más memoria" not in diego.s.get(diego.url("/hub/home")).content.decode("utf-8")


def test_image_not_allowed_cannot_be_requested(portal):
    valeria = portal.client("valeria.ramirez")
    for image in ("debian:bookworm", "pasaporte/base-singleuser"):
        r = valeria.hub_api("POST", "/users/valeria.ramirez/server", json={"image": image})
        assert r.status_code == 400 and "not in allowed list" in r.text, r.text
    assert docker("inspect", container_of(portal, "valeria.ramirez")).returncode != 0
    assert not valeria.hub_api("GET", "/users/valeria.ramirez").json()["servers"]


@pytest.mark.parametrize("names", [
    ["ana.garcia", "ana_garcia", "ana-garcia", "Ana.Garcia"],
    ["josé.núñez", "jose.nunez", "jos-c3-a9.n-c3-bag-c3-bcez"],
    ["maria@sep.gob.mx", "maria-40sep.gob.mx", "MARIA@SEP.GOB.MX"],
])
def test_usernames_map_to_distinct_valid_docker_names(names):
    from dockerspawner import DockerSpawner

    escaped = [DockerSpawner._escape(n) for n in names]
    assert len(set(escaped)) == len(names), escaped
    for name in escaped:  # the real engine accepts each as a volume name
        volume = f"pasaporte-test-home-{name}"
        r = docker("volume", "create", volume)
        assert r.returncode == 0, r.stderr
        docker("volume", "rm", volume)


def test_idle_server_is_culled_and_work_kept():
    """jupyterhub-idle-culler (a hub service) stops a server nobody uses; the home volume stays."""
    with docker_portal(PASAPORTE_IDLE_TIMEOUT="20") as p:
        jose = p.client("jose.pena")
        jose.start_server()
        r = jose.user_api("PUT", "api/contents/tarea.txt", json={"type": "file", "format": "text", "content": "x²"})
        assert r.status_code in (200, 201)
        name = container_of(p, "jose.pena")
        assert docker("inspect", name).returncode == 0
        wait_until(lambda: not jose.hub_api("GET", "/users/jose.pena").json()["servers"], 120, "the culler")
        assert docker("inspect", name).returncode != 0  # container removed
        # ... by the culler's own token, not by anyone else
        assert re.search(r"DELETE /hub/api/users/jose\.pena/server.*\(idle-culler@", p.log_path.read_text())
        jose.start_server()
        assert jose.user_api("GET", "api/contents/tarea.txt").json()["content"] == "x²"


def test_container_that_cannot_start_gets_spanish_message():
    """An image that is gone (say, removed by hand): the student reads Spanish, the log the cause."""
    with docker_portal(PASAPORTE_SINGLEUSER_IMAGE="pasaporte/singleuser:no-existe") as p:
        jose = p.client("jose.pena")
        r = jose.hub_api("POST", "/users/jose.pena/server")
        assert r.status_code == 500, r.text
        assert r.json()["message"].startswith("No pudimos iniciar tu espacio de trabajo")
        assert re.search(r"Container for jose\.pena did not start: .*no-existe", p.log_path.read_text())
        assert p.client("ana.garcia").hub_api("GET", "/").status_code == 200  # the hub carries on
