"""Building the wheel, installing it into a fresh virtual environment and serving the site from elsewhere.

`tests/packaging/test_wheel.py` does it without the network, lending the installed wheel this interpreter's
dependencies; `python -m tests.packaging.wheel` (CI, `make wheel-check`) installs the dependencies from PyPI, as
an administrator's `pip install` would.
"""

from __future__ import annotations

import http.client
import os
import shutil
import subprocess
import sys
import sysconfig
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from tests.servers import free_port, wait_until_answering

ROOT = Path(__file__).resolve().parents[2]
#: What a source distribution of the project holds; everything else (tests, .venv, node_modules) stays out.
SOURCES = ("pyproject.toml", "README.md", "cms", "templates", "static")
_IGNORED = shutil.ignore_patterns("__pycache__", "node_modules", "*.pyc")


def build_wheel(folder: Path) -> Path:
    """Build the project's wheel from a copy of its sources (so the build leaves nothing in the checkout).

    What the build printed is kept beside it in build.log.
    """
    source = folder / "source"
    for name in SOURCES:
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, source / name, ignore=_IGNORED)
        else:
            source.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, source / name)
    build = subprocess.run([sys.executable, "-m", "pip", "wheel", "--verbose", "--no-deps", "--wheel-dir",
                            str(folder / "dist"), str(source)],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, check=False)
    (folder / "build.log").write_text(build.stdout)
    if build.returncode != 0:
        raise AssertionError(f"building the wheel failed:\n{build.stdout}")
    return next((folder / "dist").glob("*.whl"))


def install(wheel: Path, venv: Path, *, with_dependencies: bool) -> Path:
    """Install `wheel` into a new virtual environment at `venv`; return its python.

    Without dependencies from PyPI, the new environment borrows this interpreter's installed packages through a
    .pth line (which runs none of their .pth files, so an editable install of the project there stays out).
    """
    run([sys.executable, "-m", "venv", "--without-pip", str(venv)])
    python = venv / "bin" / "python"
    pip = [sys.executable, "-m", "pip", "--python", str(python), "install", "--quiet"]
    if with_dependencies:
        run([*pip, str(wheel)])
    else:
        run([*pip, "--no-deps", str(wheel)])
        site_packages = Path(run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"]))
        (site_packages / "borrowed_dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    return python


@contextmanager
def served(python: Path, workdir: Path) -> Iterator[int]:
    """Create a site with the sample content and serve it under gunicorn from `workdir`; yield its port."""
    environment = clean_environment()
    for command in ("init", "demo"):
        run([str(python), "-m", "flask", "--app", "cms", "cms", command], cwd=workdir, env=environment)
    port = free_port()
    server = subprocess.Popen([str(python), "-m", "gunicorn", "--workers", "1", "--bind", f"127.0.0.1:{port}",
                               "cms:create_app()"], cwd=workdir, env=environment,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        if not wait_until_answering(port, "/healthz"):
            server.terminate()
            raise AssertionError(f"gunicorn did not answer: {server.communicate(timeout=10)[1]}")
        yield port
    finally:
        server.terminate()
        server.wait(timeout=30)


def get(port: int, path: str) -> tuple[int, str]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        return response.status, response.read().decode("utf-8", "replace")
    finally:
        connection.close()


def clean_environment() -> dict[str, str]:
    """This process's environment without what would point Python or Flask at the checkout."""
    hidden = {"PYTHONPATH", "FLASK_APP", "INSTANCE_PATH", "DATABASE_URL", "VIRTUAL_ENV", "PYTHONHOME"}
    return {name: value for name, value in os.environ.items() if name not in hidden}


def run(command: list[str], **options: Any) -> str:
    result = subprocess.run(command, capture_output=True, text=True, check=False, **options)
    if result.returncode != 0:
        raise AssertionError(f"{' '.join(command)} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout.strip()


def main() -> None:
    """Install the wheel with its dependencies from PyPI and serve the home page and a stylesheet from /tmp."""
    with tempfile.TemporaryDirectory(prefix="cms-wheel-") as name:
        folder = Path(name)
        python = install(build_wheel(folder), folder / "venv", with_dependencies=True)
        (folder / "elsewhere").mkdir()
        with served(python, folder / "elsewhere") as port:
            status, _ = get(port, "/")
            css_status, _ = get(port, "/static/css/site.css")
        if (status, css_status) != (200, 200):
            sys.exit(f"The installed wheel answered {status} for / and {css_status} for its stylesheet.")
        print(f"The wheel installed into a fresh virtual environment serves the site from {folder / 'elsewhere'}.")


if __name__ == "__main__":
    main()
