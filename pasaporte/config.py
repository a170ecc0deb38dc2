"""Settings: where things live and which profile runs. Read once from the environment.

Every other module takes a `Settings`; none reads the environment or knows how the
profile was chosen.
"""
from __future__ import annotations

import os
import re
import sys
from dataclasses import dataclass
from pathlib import Path

PROFILES = ("local", "docker")
PLANNED_PROFILES = ("kubernetes",)
REPO_ROOT = Path(__file__).resolve().parent.parent


class SettingsError(ValueError):
    """A setting has a value we cannot use (message for the operator, in English)."""


@dataclass(frozen=True)
class Settings:
    profile: str
    state_dir: Path
    port: int
    ip: str
    roster_file: Path
    content_dir: Path  # holds courses/ and training/
    run_as_root: bool
    homes_root: Path | None = None  # PASAPORTE_HOMES_DIR; default below
    db_url: str = ""  # PASAPORTE_DB_URL: the hub database; SQLite in the state dir when empty
    # Limits of each user server in the docker profile.
    mem_limit: str = "1G"
    cpu_limit: float = 1.0
    pids_limit: int = 512
    idle_timeout: int = 3600  # seconds without activity before a server is stopped; 0: never
    singleuser_image: str = ""  # PASAPORTE_SINGLEUSER_IMAGE; default: the tag these sources build

    # --- derived locations -----------------------------------------------------
    @property
    def venv(self) -> Path:
        return Path(sys.prefix)

    @property
    def hub_config_dir(self) -> Path:
        return REPO_ROOT / "hub_config"

    @property
    def secrets_dir(self) -> Path:
        return self.state_dir / "secrets"

    @property
    def hub_db_url(self) -> str:
        """PASAPORTE_DB_URL, or SQLite in the state dir. A PostgreSQL URL without a password takes
        the one in <state>/secrets/postgres_password (what `make production` creates)."""
        if not self.db_url:
            return f"sqlite:///{self.state_dir / 'jupyterhub.sqlite'}"
        if self.db_url.startswith("postgresql"):
            from sqlalchemy.engine import make_url

            url = make_url(self.db_url)
            if url.drivername == "postgresql":  # SQLAlchemy 2.1 would pick psycopg 3; we ship psycopg2
                url = url.set(drivername="postgresql+psycopg2")
            password_file = self.secrets_dir / "postgres_password"
            if url.password is None and password_file.exists():
                url = url.set(password=password_file.read_text().strip())
            return url.render_as_string(hide_password=False)
        return self.db_url

    @property
    def instance(self) -> str:
        """A short id of this portal (from its state dir): names its containers and volumes."""
        import hashlib

        return hashlib.sha256(str(self.state_dir).encode()).hexdigest()[:6]

    @property
    def accounts_file(self) -> Path:
        return self.state_dir / "demo-accounts.csv"

    @property
    def exchange_dir(self) -> Path:
        """The exchange service's files and database."""
        return self.state_dir / "exchange"

    @property
    def grading_dir(self) -> Path:
        """nbgrader course directories (sources, submissions, gradebooks)."""
        return self.state_dir / "grading"

    @property
    def homes_dir(self) -> Path:
        """Where user homes live. As root: real system homes; otherwise inside the state dir."""
        if self.homes_root:
            return self.homes_root
        return Path("/home") if self.run_as_root else self.state_dir / "homes"

    @property
    def hub_url(self) -> str:
        return f"http://{self.ip}:{self.port}"

    @property
    def hub_api_port(self) -> int:
        return self.port + 1

    @property
    def proxy_api_port(self) -> int:
        return self.port + 2

    @property
    def exchange_port(self) -> int:
        return self.port + 3

    @property
    def grader_port(self) -> int:
        return self.port + 4

    @property
    def services_base_port(self) -> int:
        return self.port + 10

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> "Settings":
        env = os.environ if environ is None else environ
        profile = env.get("PASAPORTE_PROFILE", "local").strip() or "local"
        if profile in PLANNED_PROFILES:
            raise SettingsError(f"PASAPORTE_PROFILE={profile} is not available yet; use 'local'")
        if profile not in PROFILES:
            raise SettingsError(
                f"PASAPORTE_PROFILE={profile!r} is not a profile; choose one of {', '.join(PROFILES)}"
            )
        port_text = env.get("PASAPORTE_PORT", "8000").strip() or "8000"
        try:
            port = int(port_text)
        except ValueError:
            raise SettingsError(f"PASAPORTE_PORT={port_text!r} is not a port number") from None
        if not 1024 <= port <= 65000:
            raise SettingsError(f"PASAPORTE_PORT={port} must be between 1024 and 65000")
        mem_limit = env.get("PASAPORTE_MEM_LIMIT", "1G").strip()
        if not re.fullmatch(r"[1-9][0-9]*[KMG]", mem_limit):
            raise SettingsError(f"PASAPORTE_MEM_LIMIT={mem_limit!r} must look like 512M or 2G")
        cpu_limit = _number(env, "PASAPORTE_CPU_LIMIT", "1.0", float, 0.1, 64)
        pids_limit = _number(env, "PASAPORTE_PIDS_LIMIT", "512", int, 32, 100000)
        idle_timeout = _number(env, "PASAPORTE_IDLE_TIMEOUT", "3600", int, 0, 7 * 86400)
        state = Path(env.get("PASAPORTE_STATE_DIR") or REPO_ROOT / "var")
        roster = Path(env.get("PASAPORTE_ROSTER") or REPO_ROOT / "hub_config" / "demo" / "roster.csv")
        content = Path(env.get("PASAPORTE_CONTENT_DIR") or REPO_ROOT)
        return cls(
            profile=profile,
            state_dir=state.resolve(),
            port=port,
            ip=env.get("PASAPORTE_IP", "127.0.0.1"),
            roster_file=roster.resolve(),
            content_dir=content.resolve(),
            run_as_root=os.geteuid() == 0,
            homes_root=Path(env["PASAPORTE_HOMES_DIR"]).resolve() if env.get("PASAPORTE_HOMES_DIR") else None,
            db_url=env.get("PASAPORTE_DB_URL", "").strip(),
            mem_limit=mem_limit,
            cpu_limit=cpu_limit,
            pids_limit=pids_limit,
            idle_timeout=idle_timeout,
            singleuser_image=env.get("PASAPORTE_SINGLEUSER_IMAGE", "").strip(),
        )


def _number(env, name: str, default: str, kind, low, high):
    text = env.get(name, default).strip() or default
    try:
        value = kind(text)
    except ValueError:
        raise SettingsError(f"{name}={text!r} is not a number") from None
    if not low <= value <= high:
        raise SettingsError(f"{name}={value} must be between {low} and {high}")
    return value
