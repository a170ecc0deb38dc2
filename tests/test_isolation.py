"""Isolation on the `local` profile run as root: each portal user's server runs under its
own system account with a private home; a student cannot read another student's files,
the gradebook, the hub database or the secrets."""
import os
import pwd
import stat

import pytest

from portal import run_in_kernel

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="per-user accounts need root (CI runs as root)")

PROBE = """
import os, pwd
print("whoami", pwd.getpwuid(os.getuid()).pw_name, os.getuid())
for p in {paths!r}:
    try:
        if os.path.isdir(p):
            os.listdir(p)
        else:
            open(p, "rb").read(1)
        print("READ", p)
    except PermissionError:
        print("DENIED", p)
"""


def test_servers_run_as_own_account_with_private_home(portal):
    ana = portal.client("ana.garcia")
    ana.start_server()
    luis = portal.client("luis.martinez")
    luis.start_server()
    ana_home = portal.homes_dir / "pp-ana.garcia"
    luis_home = portal.homes_dir / "pp-luis.martinez"
    for home, account in ((ana_home, "pp-ana.garcia"), (luis_home, "pp-luis.martinez")):
        st = home.stat()
        assert stat.S_IMODE(st.st_mode) == 0o700
        assert st.st_uid == pwd.getpwnam(account).pw_uid
    # Luis has a file of his own
    r = luis.user_api("PUT", "api/contents/secreto.txt", json={"type": "file", "format": "text", "content": "mío"})
    assert r.status_code in (200, 201), r.text
    state = portal.state_dir
    paths = [
        str(luis_home), str(luis_home / "secreto.txt"),
        str(state / "grading" / "mate1-funciones"), str(state / "grading" / "mate1-funciones" / "gradebook.db"),
        str(state / "jupyterhub.sqlite"), str(state / "secrets"), str(state / "secrets" / "cookie_secret"),
        str(state / "demo-accounts.csv"), str(state),
    ]
    out = run_in_kernel(ana, PROBE.format(paths=paths))
    lines = out.splitlines()
    assert lines[0].startswith("whoami pp-ana.garcia ") and not lines[0].endswith(" 0"), out
    assert [l for l in lines if l.startswith("READ")] == [], out
    assert len([l for l in lines if l.startswith("DENIED")]) == len(paths), out
    # and she can still read her own lessons
    own = run_in_kernel(ana, "import os; print(sorted(os.listdir('cursos/mate1-funciones')))")
    assert "01-funcion-lineal.ipynb" in own
