import os
import shutil
import tempfile
from pathlib import Path

import pytest

from portal import Portal, free_port_block


@pytest.fixture(scope="session")
def portal():
    """The real portal (hub + proxy + formgrader service) on the demo roster, in a temporary state dir."""
    base = Path(tempfile.mkdtemp(prefix="pasaporte-test-"))
    os.chmod(base, 0o755)
    p = Portal(state_dir=base / "state", homes_dir=base / "homes", port=free_port_block(), log_path=base / "hub.log")
    p.start()
    yield p
    p.stop()
    if os.environ.get("PASAPORTE_KEEP_TEST_STATE"):
        print(f"test state kept in {base}")
    else:
        shutil.rmtree(base, ignore_errors=True)
