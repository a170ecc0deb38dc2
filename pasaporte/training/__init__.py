"""The teachers' digital-skills (ICT) track: its progress and its certificates."""
from __future__ import annotations

from ..config import Settings
from ..state import secret
from .certificates import Register


def certificate_register(settings: Settings) -> Register:
    """The portal's register of certificates (<state>/training/certificados.sqlite)."""
    return Register(settings.state_dir / "training" / "certificados.sqlite", secret(settings, "certificates"))
