"""Production on one server, as the README says: `scripts/production.sh up` runs the hub and
PostgreSQL from the images built here with docker-compose; a student logs in and the hub,
itself in a container, starts her server in another; the hub's database and the course's
gradebook live in PostgreSQL; `down` stops it all."""
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from portal import REPO, VENV_BIN, Portal, free_port_block, portal_instance, remove_docker_objects, run_in_kernel

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="needs root (make test runs as root)")


def production(env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(REPO / "scripts" / "production.sh"), *args], env=env, capture_output=True, text=True,
                          timeout=900)


@pytest.fixture(scope="module")
def deployment():
    built = subprocess.run([str(VENV_BIN / "pasaporte"), "images", "build"], capture_output=True, text=True,
                           timeout=1800)
    assert built.returncode == 0, built.stdout + built.stderr
    base = Path(tempfile.mkdtemp(prefix="pasaporte-prod-test-"))
    os.chmod(base, 0o755)
    port = free_port_block()
    project = f"pasaporte-test-{port}"
    env = dict(os.environ, PASAPORTE_VENV=str(VENV_BIN.parent), PASAPORTE_STATE_DIR=str(base / "state"),
               PASAPORTE_PORT=str(port), PASAPORTE_DB_PORT=str(port + 9), COMPOSE_PROJECT_NAME=project,
               PASAPORTE_MEM_LIMIT="512M")
    up = production(env, "up")
    portal = Portal(state_dir=base / "state", homes_dir=base / "homes", port=port, log_path=base / "hub.log")
    try:
        assert up.returncode == 0, up.stdout + up.stderr + production(env, "logs").stdout
        yield portal, env
    finally:
        logs = production(env, "logs").stdout
        (base / "compose.log").write_text(logs)
        down = production(env, "down")
        assert down.returncode == 0, down.stderr
        remove_docker_objects(portal_instance(env), extra_volumes=(f"{project}_db",))
        shutil.rmtree(base, ignore_errors=True)


def test_compose_runs_hub_and_postgres_and_spawns_user_containers(deployment):
    portal, env = deployment
    ana = portal.client("ana.garcia")
    ana.start_server(timeout=300)
    assert "1000" in run_in_kernel(ana, "import os; print(os.getuid())")
    running = subprocess.run(["docker", "ps", "--format", "{{.Names}} {{.Image}}"], capture_output=True,
                             text=True).stdout
    assert f"{env['COMPOSE_PROJECT_NAME']}_hub_1 pasaporte/hub:" in running
    assert "-ana-2egarcia pasaporte/singleuser:" in running

    import psycopg2

    password = (portal.state_dir / "secrets" / "postgres_password").read_text().strip()
    conn = psycopg2.connect(host="127.0.0.1", port=int(env["PASAPORTE_DB_PORT"]), user="pasaporte",
                            password=password, dbname="jupyterhub")
    with conn, conn.cursor() as cur:
        cur.execute("SELECT name FROM users ORDER BY name")
        users = [row[0] for row in cur.fetchall()]
        cur.execute("SELECT datname FROM pg_database")
        databases = {row[0] for row in cur.fetchall()}
    conn.close()
    gradebook = psycopg2.connect(host="127.0.0.1", port=int(env["PASAPORTE_DB_PORT"]), user="pasaporte",
                                 password=password, dbname="gradebook_mate1_funciones")
    with gradebook, gradebook.cursor() as cur:
        cur.execute("SELECT id FROM student ORDER BY id")
        students = [row[0] for row in cur.fetchall()]
    gradebook.close()
    assert "ana.garcia" in students and "docente1" not in students
    assert "ana.garcia" in users and "docente1" in users
    assert "gradebook_mate1_funciones" in databases
    # The hub database is not in the state directory: SQLite is not used.
    assert not (portal.state_dir / "jupyterhub.sqlite").exists()
    # A wrong database password is refused (the server is not open to anyone on loopback).
    with pytest.raises(psycopg2.OperationalError):
        psycopg2.connect(host="127.0.0.1", port=int(env["PASAPORTE_DB_PORT"]), user="pasaporte",
                         password="equivocada", dbname="jupyterhub")
