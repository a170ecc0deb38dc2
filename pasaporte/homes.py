"""What every user's home receives before their server starts: the lessons of their courses.

Used by the hub for local processes and inside user containers (`pasaporte singleuser`),
so both profiles fill a home the same way.
"""
from __future__ import annotations

import json
import os
from pathlib import Path

LESSONS_ENV = "PASAPORTE_LESSONS"  # JSON {relative path in home: source file}


def sync_tree(files: dict[str, str], home: Path, uid: int | None = None, gid: int | None = None) -> None:
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


def lessons_for(groups: list[str], lesson_files: dict[str, dict[str, str]]) -> dict[str, str]:
    """The lesson files of the courses a user belongs to (as student or grader)."""
    files: dict[str, str] = {}
    for group in sorted(groups):
        for prefix in ("nbgrader-", "formgrade-"):
            if group.startswith(prefix):
                files.update(lesson_files.get(group[len(prefix):], {}))
    return files


def sync_from_env(home: Path) -> None:
    """Inside a user container: copy the lessons named in $PASAPORTE_LESSONS into home."""
    files = json.loads(os.environ.get(LESSONS_ENV) or "{}")
    sync_tree(files, home)
