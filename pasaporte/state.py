"""The state directory: hub database, secrets, gradebooks, exchange, homes (non-root).
Nothing in it is ever written to the source tree."""
from __future__ import annotations

import os
import secrets
import stat
from pathlib import Path

from .config import Settings


def prepare_state_dir(settings: Settings) -> list[Path]:
    """Create the state dir; return folders that were given o+x so portal accounts can traverse them."""
    state = settings.state_dir
    state.mkdir(parents=True, exist_ok=True)
    # Others may traverse (to reach the exchange) but never list it.
    os.chmod(state, 0o711 if settings.run_as_root else 0o700)
    settings.secrets_dir.mkdir(exist_ok=True)
    os.chmod(settings.secrets_dir, 0o700)
    return grant_traverse(state) if settings.run_as_root else []


def grant_traverse(path: Path) -> list[Path]:
    """Portal accounts must reach the exchange inside the state dir: give o+x (search,
    not list) to any ancestor that lacks it. Returns the folders changed."""
    changed = []
    for parent in reversed(Path(path).parents):
        mode = parent.stat().st_mode
        if not mode & stat.S_IXOTH:
            os.chmod(parent, stat.S_IMODE(mode) | stat.S_IXOTH)
            changed.append(parent)
    return changed


def secret(settings: Settings, name: str, nbytes: int = 32) -> str:
    """A hex secret kept in <state>/secrets/<name> (0600), generated on first use. Never printed."""
    path = settings.secrets_dir / name
    try:
        value = path.read_text().strip()
        if value:
            return value
    except FileNotFoundError:
        pass
    value = secrets.token_hex(nbytes)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(value + "\n")
    return value
