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

from ..homes import lessons_for, sync_tree
from ..state import grant_traverse
from ..system import account_name, ensure_account

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

    def prepare_home(self) -> None:
        home = self.home
        uid = gid = None
        if self.isolate:
            entry = ensure_account(self.account, home, comment="Pasaporte portal user")
            uid, gid = entry.pw_uid, entry.pw_gid
        homes = Path(self.homes_dir)
        if not homes.exists():
            homes.mkdir(parents=True)
            if self.isolate:  # each account must traverse to its own home (the hub's umask is 077)
                os.chmod(homes, 0o711)
                grant_traverse(homes)
        home.mkdir(exist_ok=True)
        if uid is not None:
            os.chown(home, uid, gid)
        os.chmod(home, 0o700)
        sync_tree(lessons_for([g.name for g in self.user.groups], self.lesson_files), home, uid, gid)

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
