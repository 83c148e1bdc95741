"""The test tools npm installs into tests/browser/node_modules, exactly as package.json and its lockfile pin them:
axe-core, Lighthouse and the Nu HTML checker."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
NODE_MODULES = HERE / "node_modules"


def installed(relative: str, what: str) -> Path:
    """Return NODE_MODULES/`relative`, running `npm ci` first when it is missing (`make install` runs it too);
    skip the calling test, naming `what`, when npm is not there to install it."""
    path = NODE_MODULES / relative
    if not path.exists():
        npm = shutil.which("npm")
        if npm is None:
            pytest.skip(f"{what} is not installed and npm is not available to install it")
        subprocess.run([npm, "ci", "--prefix", str(HERE), "--no-audit", "--no-fund"], check=True,
                       capture_output=True, timeout=600)
    return path
