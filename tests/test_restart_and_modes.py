"""Running again keeps all state and passwords; run as a normal user, the portal runs every
server as that user and says so."""
import os
import pwd
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from portal import REPO, Client, Portal, free_port_block, run_in_kernel


@pytest.fixture
def scratch():
    base = Path(tempfile.mkdtemp(prefix="pasaporte-test-"))
    os.chmod(base, 0o755)
    yield base
    if not os.environ.get("PASAPORTE_KEEP_TEST_STATE"):
        shutil.rmtree(base, ignore_errors=True)


def new_portal(base: Path, **kw) -> Portal:
    return Portal(state_dir=base / "state", homes_dir=base / "homes", port=free_port_block(),
                  log_path=base / "hub.log", **kw)


def test_second_run_keeps_state_and_passwords(scratch):
    portal = new_portal(scratch).start()
    try:
        accounts = portal.accounts()
        cookie_secret = (portal.state_dir / "secrets" / "cookie_secret").read_bytes()
        admin = portal.client("admin")
        r = admin.s.post(admin.url("/hub/change-password/ana.garcia"),
                         data={"new_password": "Clave-Reiniciada-1", "new_password_confirmation": "Clave-Reiniciada-1",
                               "_xsrf": admin.xsrf("/hub/")})
        assert r.status_code == 200
    finally:
        portal.stop()
    again = new_portal(scratch)
    again.state_dir, again.homes_dir = portal.state_dir, portal.homes_dir
    again.start()
    try:
        assert again.accounts() == accounts
        assert (again.state_dir / "secrets" / "cookie_secret").read_bytes() == cookie_secret
        Client(again).login("ana.garcia", "Clave-Reiniciada-1")  # the reset survived the restart
        again.client("luis.martinez")  # generated passwords still work
    finally:
        again.stop()


def _account_can_read_repo(account: str) -> bool:
    probe = subprocess.run(["runuser", "-u", account, "--", "test", "-r", str(REPO / "hub_config" / "jupyterhub_config.py")])
    return probe.returncode == 0


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to create the unprivileged account")
def test_unprivileged_run_has_no_isolation_and_says_so(scratch):
    account = "pasaporte-test"
    try:
        pwd.getpwnam(account)
    except KeyError:
        subprocess.run(["useradd", "--system", "--create-home", "--home-dir", f"/var/lib/{account}",
                        "--shell", "/usr/sbin/nologin", account], check=True)
    entry = pwd.getpwnam(account)
    os.makedirs(entry.pw_dir, exist_ok=True)  # an operator's account has a home; Jupyter writes there
    os.chown(entry.pw_dir, entry.pw_uid, entry.pw_gid)
    if not _account_can_read_repo(account):
        pytest.skip(f"the clone at {REPO} is not readable by other accounts")
    portal = new_portal(scratch, run_as=account)
    scratch_owner = pwd.getpwnam(account)
    os.chown(scratch, scratch_owner.pw_uid, scratch_owner.pw_gid)
    portal.start()
    try:
        log = portal.log_path.read_text()
        assert f"Running as the unprivileged user '{account}'" in log and "NO isolation" in log
        ana = portal.client("ana.garcia")
        ana.start_server()
        out = run_in_kernel(ana, "import os, pwd; print(pwd.getpwuid(os.getuid()).pw_name, os.getcwd())")
        assert out.split()[0] == account
        assert out.split()[1] == str(portal.state_dir / "homes" / "ana.garcia")
    finally:
        portal.stop()
