"""Settings: where things live and which profile runs. Read once from the environment.

Every other module takes a `Settings`; none reads the environment or knows how the
profile was chosen.
"""
from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path

PROFILES = ("local",)
PLANNED_PROFILES = ("docker", "kubernetes")
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
        return f"sqlite:///{self.state_dir / 'jupyterhub.sqlite'}"

    @property
    def accounts_file(self) -> Path:
        return self.state_dir / "demo-accounts.csv"

    @property
    def exchange_dir(self) -> Path:
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
        )
