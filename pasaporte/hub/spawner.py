"""The `local` profile's spawner: one process per user on this machine.

Run as root, every portal user's server runs under its own system account with a
private home (0700), the isolation TLJH uses. Run as a normal user, every server runs
as that user (no isolation; said at start-up). In both cases the user's course
lessons are copied into their home before the server starts.
"""
from __future__ import annotations

import asyncio
import os
import pwd
from pathlib import Path

from jupyterhub.spawner import LocalProcessSpawner, set_user_setuid
from traitlets import Bool, Dict, Unicode

from ..system import account_name, ensure_account

def sync_tree(files: dict[str, str], home: Path, uid: int | None, gid: int | None) -> None:
    """Copy {relative destination: source path} into home, replacing changed copies."""
    for rel, src in files.items():
        dest = home / rel
        src_bytes = Path(src).read_bytes()
        if dest.exists() and dest.read_bytes() == src_bytes:
            continue
        created = []
        parent = dest.parent
        while not parent.exists():
            created.append(parent)
            parent = parent.parent
        dest.parent.mkdir(parents=True, exist_ok=True)
        dest.write_bytes(src_bytes)
        if uid is not None:
            for path in [dest, *created]:
                os.chown(path, uid, gid)


class PasaporteLocalSpawner(LocalProcessSpawner):
    homes_dir = Unicode(help="Folder that holds every user's home").tag(config=True)
    isolate = Bool(True, help="Run each user under their own system account (needs root)").tag(config=True)
    lesson_files = Dict(
        help="course id -> {relative path in home: source file}; copied for the courses the user belongs to"
    ).tag(config=True)

    @property
    def account(self) -> str:
        return account_name(self.user.name) if self.isolate else pwd.getpwuid(os.getuid()).pw_name

    @property
    def home(self) -> Path:
        return Path(self.homes_dir) / (account_name(self.user.name) if self.isolate else self.user.name)

    def course_ids(self) -> list[str]:
        ids = []
        for group in self.user.groups:
            for prefix in ("nbgrader-", "formgrade-"):
                if group.name.startswith(prefix):
                    ids.append(group.name[len(prefix):])
        return sorted(set(ids))

    def prepare_home(self) -> None:
        home = self.home
        uid = gid = None
        if self.isolate:
            entry = ensure_account(self.account, home, comment="Pasaporte portal user")
            uid, gid = entry.pw_uid, entry.pw_gid
        home.mkdir(parents=True, exist_ok=True)
        if uid is not None:
            os.chown(home, uid, gid)
        os.chmod(home, 0o700)
        files = {}
        for course_id in self.course_ids():
            files.update(self.lesson_files.get(course_id, {}))
        sync_tree(files, home, uid, gid)

    def make_preexec_fn(self, name):
        home = str(self.home)
        setuid = set_user_setuid(self.account, chdir=False) if self.isolate else None

        def preexec():
            if setuid:
                setuid()
            os.chdir(home)

        return preexec

    def user_env(self, env):
        env["USER"] = self.account
        env["HOME"] = str(self.home)
        env["SHELL"] = "/bin/bash"
        return env

    async def start(self):
        await asyncio.to_thread(self.prepare_home)
        return await super().start()

    def move_certs(self, paths):
        return paths
