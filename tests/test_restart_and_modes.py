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


def test_removed_students_lose_sessions_and_come_back_with_the_file_password(scratch):
    roster = (REPO / "hub_config" / "demo" / "roster.csv").read_text(encoding="utf-8")
    without_luis = scratch / "roster-sin-luis.csv"
    without_luis.write_text("".join(l for l in roster.splitlines(True) if ",luis.martinez," not in l), encoding="utf-8")
    portal = new_portal(scratch).start()
    try:
        luis = portal.client("luis.martinez")
        luis.start_server()
    finally:
        portal.stop()
    removed = portal.again(extra_env={"PASAPORTE_ROSTER": str(without_luis)}).start()
    try:
        luis.portal = removed
        r = luis.s.get(luis.url("/hub/home"))
        assert "/hub/login" in r.url  # the old session cookie no longer works
        assert luis.hub_api("POST", "/users/luis.martinez/server").status_code == 403
        r = Client(removed).login("luis.martinez", removed.accounts().get("luis.martinez", {}).get("password", "x"),
                                  expect_ok=False)
        assert r.status_code == 403
        assert (removed.homes_dir / "pp-luis.martinez").is_dir()  # his work is kept
    finally:
        removed.stop()
    back = portal.again().start()
    try:
        back.client("luis.martinez")  # the password in demo-accounts.csv works again
    finally:
        back.stop()


def test_second_run_keeps_state_and_passwords(scratch):
    portal = new_portal(scratch).start()
    try:
        accounts = portal.accounts()
        cookie_secret = (portal.state_dir / "secrets" / "cookie_secret").read_bytes()
        assert portal.client("admin").reset_password("ana.garcia", "Clave-Reiniciada-1").status_code == 200
    finally:
        portal.stop()
    again = portal.again().start()
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
    # its own copy of the content: as root the portal closes evaluation sources to other accounts
    shutil.copytree(REPO / "courses", scratch / "content" / "courses")
    portal = new_portal(scratch, run_as=account, extra_env={"PASAPORTE_CONTENT_DIR": str(scratch / "content")})
    scratch_owner = pwd.getpwnam(account)
    subprocess.run(["chown", "-R", f"{scratch_owner.pw_uid}:{scratch_owner.pw_gid}", str(scratch)], check=True)
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
