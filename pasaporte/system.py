"""System accounts on the `local` profile (root only): one per portal user, one per course grader."""
from __future__ import annotations

import hashlib
import pwd
import re
import subprocess
from pathlib import Path

USER_PREFIX = "pp-"
GRADER_PREFIX = "pg-"


def account_name(name: str, prefix: str = USER_PREFIX) -> str:
    """Map a portal username (or course id) to a valid, collision-free Linux account name (≤ 32 chars).

    Names that are already safe keep their shape ("ana.garcia" -> "pp-ana.garcia");
    anything altered or shortened gets a hash suffix, so two names never meet.
    """
    safe = re.sub(r"[^a-z0-9._-]", "-", name.lower())
    base = prefix + safe
    if safe == name and len(base) <= 32 and not safe.startswith(("-", ".")):
        return base
    digest = hashlib.sha256(name.encode()).hexdigest()[:8]
    return f"{prefix}{safe.strip('-.')[:20]}-{digest}"


def ensure_account(account: str, home: Path, system: bool = False, comment: str = "Pasaporte") -> pwd.struct_passwd:
    """Create the account if needed (its home is created by the caller); return its passwd entry."""
    try:
        return pwd.getpwnam(account)
    except KeyError:
        pass
    cmd = ["useradd", "--no-create-home", "--home-dir", str(home), "--user-group", "--comment", comment,
           "--shell", "/usr/sbin/nologin" if system else "/bin/bash"]
    if system:
        cmd.append("--system")
    subprocess.run([*cmd, account], check=True, capture_output=True, text=True)
    return pwd.getpwnam(account)
