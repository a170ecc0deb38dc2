"""Pure logic: settings, roster parsing and derived groups, account names, passwords file, messages."""
import stat

import pytest

from pasaporte.config import Settings, SettingsError
from pasaporte.hub.messages import spanish
from pasaporte.system import GRADER_PREFIX, account_name
from pasaporte.roster import RosterError, derive_membership, ensure_accounts_file, read_roster

HEADER = "cct,subsistema,estado,grupo,rol,nombre,apellidos,usuario,correo,cursos\n"


def write(tmp_path, text, encoding="utf-8", name="roster.csv"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def test_settings_defaults_and_bad_values(tmp_path):
    s = Settings.from_env({"PASAPORTE_STATE_DIR": str(tmp_path)})
    assert s.profile == "local" and s.port == 8000 and s.state_dir == tmp_path
    assert Settings.from_env({"PASAPORTE_PORT": "8123"}).hub_url == "http://127.0.0.1:8123"
    with pytest.raises(SettingsError, match="not a profile"):
        Settings.from_env({"PASAPORTE_PROFILE": "kubernetes-ya"})
    with pytest.raises(SettingsError, match="not available yet"):
        Settings.from_env({"PASAPORTE_PROFILE": "kubernetes"})
    docker = Settings.from_env({"PASAPORTE_PROFILE": "docker", "PASAPORTE_MEM_LIMIT": "512M"})
    assert (docker.profile, docker.mem_limit, docker.cpu_limit, docker.pids_limit) == ("docker", "512M", 1.0, 512)
    for name, value, message in [("PASAPORTE_MEM_LIMIT", "mucho", "512M or 2G"),
                                 ("PASAPORTE_CPU_LIMIT", "dos", "not a number"),
                                 ("PASAPORTE_PIDS_LIMIT", "5", "between 32"),
                                 ("PASAPORTE_IDLE_TIMEOUT", "-1", "between 0")]:
        with pytest.raises(SettingsError, match=message):
            Settings.from_env({name: value})
    with pytest.raises(SettingsError, match="not a port"):
        Settings.from_env({"PASAPORTE_PORT": "ocho mil"})


@pytest.mark.parametrize("encoding,bom,sep", [("utf-8", "", ","), ("utf-8", "\ufeff", ";"), ("latin-1", "", ";")])
def test_roster_reads_what_spreadsheets_save(tmp_path, encoding, bom, sep):
    text = bom + (HEADER + "21EBH0001Z,DGB,Puebla,1A,Estudiante,José,Núñez Peña,jose.nunez,,mate1-funciones\r\n"
                  ).replace(",", sep)
    people = read_roster(write(tmp_path, text, encoding))
    assert len(people) == 1
    p = people[0]
    assert (p.username, p.role, p.family_name, p.section) == ("jose.nunez", "estudiante", "Núñez Peña",
                                                             "seccion-21ebh0001z-1a")


def test_roster_reports_bad_lines_by_number(tmp_path):
    text = HEADER + ("21EBH0001Z,DGB,Puebla,1A,estudiante,Ana,García,ana,,\n"
                     "21EBH0001Z,DGB,Puebla,1A,astronauta,Beto,Pérez,beto,,\n"
                     "21EBH0001Z,DGB,Puebla,1A,estudiante,Ana,Otra,ana,,\n"
                     "21EBH0001Z,DGB,Puebla,1A,estudiante,Sin,Usuario,,,\n")
    with pytest.raises(RosterError) as err:
        read_roster(write(tmp_path, text))
    lines = dict(err.value.problems)
    assert set(lines) == {3, 4, 5}
    assert "unknown role" in lines[3] and "duplicate username" in lines[4] and "invalid username" in lines[5]


def test_membership_is_derived(tmp_path):
    text = HEADER + ("X1,DGB,Puebla,,coordinador,C,C,coord,,\n"
                     "X1,DGB,Puebla,1A,docente,D,D,doc,,mate1\n"
                     "X1,DGB,Puebla,1A,estudiante,E,E,est,,mate1\n"
                     "X2,DGB,Puebla,1A,coordinador,O,O,otra,,\n")
    m = derive_membership(read_roster(write(tmp_path, text)), ["mate1", "fisica1"])
    assert m.groups["nbgrader-mate1"] == ["est"]
    assert m.groups["formgrade-mate1"] == ["doc", "coord"]  # only the coordinator of the school teaching it
    assert m.groups["nbgrader-fisica1"] == [] and m.groups["formgrade-fisica1"] == []
    assert m.groups["seccion-x1-1a"] == ["doc", "est"]
    with pytest.raises(RosterError, match="unknown course"):
        derive_membership(read_roster(write(tmp_path, text)), ["fisica1"])


def test_system_usernames_are_valid_and_distinct():
    names = ["ana.garcia", "Ana.Garcia", "ana_garcia", "josé.núñez", "jose.nunez", "maria@escuela.mx",
             "a" * 60, "a" * 61, "-raro"]
    mapped = [account_name(n) for n in names]
    assert len(set(mapped)) == len(names)
    assert mapped[0] == "pp-ana.garcia"
    for m in mapped:
        assert len(m) <= 32 and m.startswith("pp-")
        assert all(ch.isascii() and (ch.isalnum() or ch in "._-") for ch in m) and m == m.lower()
    assert account_name("mate1-funciones", GRADER_PREFIX) == "pg-mate1-funciones"
    assert len(account_name("quimica2-reacciones-equilibrio-y-ph", GRADER_PREFIX)) <= 32


def test_accounts_file_keeps_passwords_and_adds_new_people(tmp_path):
    people = read_roster(write(tmp_path, HEADER + "X1,DGB,Puebla,1A,estudiante,E,E,est,,\n"))
    path = tmp_path / "state" / "demo-accounts.csv"
    first = ensure_accounts_file(path, people)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert ensure_accounts_file(path, people) == first
    more = read_roster(write(tmp_path, HEADER + "X1,DGB,Puebla,1A,estudiante,E,E,est,,\n"
                                                "X1,DGB,Puebla,1A,docente,D,D,doc,,\n"))
    second = ensure_accounts_file(path, more)
    assert second["est"] == first["est"] and len(second["doc"]) == 12


def test_spanish_messages():
    assert spanish("The password for ana has been changed successfully") == "La contraseña de ana se cambió correctamente."
    assert spanish("Not Found") == "No encontrado"
    assert spanish("something new") == "something new"


def test_run_refuses_a_broken_roster_with_every_problem(tmp_path):
    import os
    import subprocess
    import sys
    from pathlib import Path

    roster = write(tmp_path, HEADER + "X1,DGB,Puebla,1A,astronauta,A,B,ana,,\nX1,DGB,Puebla,1A,estudiante,A,B,luis,,fisica9\n")
    env = dict(os.environ, PASAPORTE_ROSTER=str(roster), PASAPORTE_STATE_DIR=str(tmp_path / "state"))
    proc = subprocess.run([str(Path(sys.executable).parent / "pasaporte"), "run"], env=env, capture_output=True,
                          text=True, timeout=60)
    assert proc.returncode == 1
    assert "line 2: unknown role 'astronauta'" in proc.stderr
    assert not (tmp_path / "state").exists()  # nothing was created


def test_busy_ports_are_refused_with_a_clear_message(tmp_path, capsys):
    import socket

    from pasaporte.cli import ports_free

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        busy = s.getsockname()[1]
        settings = Settings.from_env({"PASAPORTE_STATE_DIR": str(tmp_path), "PASAPORTE_PORT": str(busy - 1)})
        assert ports_free(settings) is False
    err = capsys.readouterr().err
    # (other ports of the block may happen to be busy too; ours must be named)
    assert str(busy) in err.split("are in use")[0] and "PASAPORTE_PORT" in err


def test_database_urls(tmp_path):
    """SQLite in the state dir by default; a PostgreSQL URL uses the shipped driver (psycopg2) and
    takes the password file of `make production` when it names none."""
    env = {"PASAPORTE_STATE_DIR": str(tmp_path)}
    assert Settings.from_env(env).hub_db_url == f"sqlite:///{tmp_path / 'jupyterhub.sqlite'}"
    (tmp_path / "secrets").mkdir()
    (tmp_path / "secrets" / "postgres_password").write_text("s3creto\n")
    url = Settings.from_env({**env, "PASAPORTE_DB_URL": "postgresql://pasaporte@127.0.0.1:5432/jupyterhub"}).hub_db_url
    assert url == "postgresql+psycopg2://pasaporte:s3creto@127.0.0.1:5432/jupyterhub"
    explicit = "postgresql+psycopg2://otro:clave@db:5432/hub"
    assert Settings.from_env({**env, "PASAPORTE_DB_URL": explicit}).hub_db_url == explicit


def test_environment_never_imports_the_slow_iri_grammar():
    """The installed .pth keeps rfc3987_syntax out of every process; jsonschema still validates."""
    import subprocess
    import sys

    code = ("import sys, jsonschema, nbformat; print(sys.modules['rfc3987_syntax']); "
            "jsonschema.validate(1, {'type': 'integer'}); nbformat.validate(nbformat.v4.new_notebook()); print('ok')")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert out == ["None", "ok"]


def test_archive_of_many_empty_folders_is_refused_early(tmp_path):
    """Folders count toward the entry limit, so an archive of empty folders cannot keep the exchange busy."""
    import io
    import tarfile

    from pasaporte.grading.archive import ArchiveError, Limits, unpack

    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        for i in range(1000):
            info = tarfile.TarInfo(f"d{i}")
            info.type = tarfile.DIRTYPE
            tar.addfile(info)
    limits = Limits(max_bytes=1_000_000, max_files=100)
    with pytest.raises(ArchiveError) as err:
        unpack(buf.getvalue(), tmp_path / "x", limits)
    assert "demasiadas carpetas" in err.value.spanish and "200" in str(err.value)


def test_only_outputs_come_back_from_a_sandbox():
    """Student code runs in the sandbox and could rewrite its result file: sources and grading
    metadata stay those of the prepared notebook; a result that does not match is a failed run."""
    import nbformat

    from pasaporte.grading.harness import NOT_RUN
    from pasaporte.grading.preprocessors import with_outcome

    def prepared():
        test = nbformat.v4.new_code_cell("assert r1 == 2", metadata={"nbgrader": {"grade": True, "points": 1}})
        return nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("¿Cuánto?"),
                                               nbformat.v4.new_code_cell("r1 = 2"), test])

    forged = {"cells": [{"cell_type": "markdown", "source": "x", "metadata": {}},
                        {"cell_type": "code", "source": "r1 = 3", "execution_count": 1, "metadata": {},
                         "outputs": [{"output_type": "stream", "name": "stdout", "text": ["uno\n", "dos\n"]}, "basura"]},
                        {"cell_type": "code", "source": "pass", "execution_count": 2, "outputs": [],
                         "metadata": {"nbgrader": {"grade": True, "points": 100}}}]}
    outcome = {"status": "ok", "notebook": forged}
    nb = with_outcome(prepared(), outcome)
    assert outcome["status"] == "ok"
    assert [c.source for c in nb.cells] == ["¿Cuánto?", "r1 = 2", "assert r1 == 2"]
    assert nb.cells[2].metadata.nbgrader.points == 1 and nb.cells[2].execution_count == 2
    assert nb.cells[1].outputs == [{"output_type": "stream", "name": "stdout", "text": "uno\ndos\n"}]

    # One cell fewer (or a cell of another type): nothing of it is taken, and no test earns points.
    outcome = {"status": "ok", "notebook": {"cells": forged["cells"][:2]}}
    nb = with_outcome(prepared(), outcome)
    assert outcome["status"] == "failed" and "does not match" in outcome["detail"]
    assert all(c.outputs[0].ename == NOT_RUN for c in nb.cells if c.cell_type == "code")


def test_a_test_whose_kernel_dies_midway_never_earns_its_points(tmp_path):
    """The kernel dies inside a test cell (the student's function calls os._exit): the cell got an
    execution count but never finished, so it must score 0, not full points."""
    import json

    import nbformat
    from nbgrader.utils import determine_grade

    from pasaporte.grading import harness

    test = nbformat.v4.new_code_cell("assert f(1) == 2", metadata={"nbgrader": {
        "grade": True, "grade_id": "t", "points": 5, "solution": False, "locked": True, "schema_version": 3,
        "task": False}})
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("import os\ndef f(x):\n    os._exit(0)"), test])
    (tmp_path / "work").mkdir()
    nbformat.write(nb, tmp_path / "in.ipynb")
    (tmp_path / "job.json").write_text(json.dumps({"cell_timeout": 10, "max_output_bytes": 1 << 20}))
    assert harness.main(tmp_path) == 0
    assert json.loads((tmp_path / "result.json").read_text())["status"] == "kernel_died"
    ran = nbformat.read(tmp_path / "out.ipynb", as_version=4)
    assert determine_grade(ran.cells[1])[0] == 0
    assert ran.cells[1].outputs[-1].ename == harness.NOT_RUN


def test_a_second_autograde_batch_of_a_course_is_refused_while_one_runs(tmp_path):
    """One writer per gradebook: a batch started while another holds the course's lock does nothing
    and says why (it exits before reading any configuration)."""
    import subprocess
    import sys

    from pasaporte.grading.batch import BUSY, hold_course_lock

    first = hold_course_lock(tmp_path)
    assert first is not None
    second = subprocess.run([sys.executable, "-m", "pasaporte.grading.batch", "diagnostico"], cwd=tmp_path,
                            capture_output=True, text=True)
    assert second.returncode == BUSY and "Another autograde batch" in second.stdout
    first.close()
    assert hold_course_lock(tmp_path) is not None  # free again once the first one ends
