"""Isolation on the `local` profile run as root: each portal user's server runs under its
own system account with a private home; a student cannot read another student's files,
the gradebook, the hub database or the secrets."""
import os
import pwd
import stat

import pytest

from portal import REPO, run_in_kernel

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
        # the answer key: the evaluation source in the clone, and git's copy of it
        str(REPO / "courses" / "mate1-funciones" / "evaluaciones" / "diagnostico" / "diagnostico.ipynb"),
        str(REPO / ".git" / "HEAD"),
    ]
    out = run_in_kernel(ana, PROBE.format(paths=paths))
    lines = out.splitlines()
    assert lines[0].startswith("whoami pp-ana.garcia ") and not lines[0].endswith(" 0"), out
    assert [l for l in lines if l.startswith("READ")] == [], out
    assert len([l for l in lines if l.startswith("DENIED")]) == len(paths), out
    # and she can still read her own lessons
    own = run_in_kernel(ana, "import os; print(sorted(os.listdir('cursos/mate1-funciones')))")
    assert "01-funcion-lineal.ipynb" in own


def test_student_cannot_touch_the_exchange_store(portal):
    """Releases, submissions and feedback live in the exchange service's folder: closed to students."""
    sofia = portal.client("sofia.nunez")
    sofia.start_server()
    store = portal.state_dir / "exchange"
    code = f"""
import os
for action, call in (("list", lambda: os.listdir({str(store)!r})),
                     ("read", lambda: open({str(store / 'exchange.sqlite')!r}, 'rb').read(1)),
                     ("write", lambda: open({str(store / 'mine.txt')!r}, 'w'))):
    try:
        call()
        print("DONE", action)
    except OSError as e:
        print("REFUSED", action, type(e).__name__)
"""
    out = run_in_kernel(sofia, code)
    assert "DONE" not in out and out.count("REFUSED") == 3, out
    assert store.stat().st_mode & 0o077 == 0 and store.stat().st_uid != pwd.getpwnam("pp-sofia.nunez").pw_uid
