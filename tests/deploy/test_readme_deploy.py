"""The README's deploy steps, run in order as written, give a site that serves (issue 17).

The steps come from the fenced blocks of "Deploying with gunicorn and PostgreSQL" (before its subsections), with
the few changes a test needs, each of which must still match the README: the virtual environment is this one
(tests/packaging installs the wheel into a fresh one), PostgreSQL's superuser is reached without sudo, the role
and database get names of their own, the instance folder is a temporary one, and gunicorn binds a free port.
On SQLite (no TEST_DATABASE_URL) the PostgreSQL block is left out and DATABASE_URL names a SQLite file.
"""

import os
import re
import secrets
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from tests.packaging.wheel import ROOT, get
from tests.servers import free_port

SECTION = "## Deploying with gunicorn and PostgreSQL"
PASSWORD = "a long enough password"


def _blocks() -> list[str]:
    readme = (ROOT / "README.md").read_text()
    section = readme.split(f"\n{SECTION}\n", 1)[1].split("\n### ", 1)[0].split("\n## ", 1)[0]
    return re.findall(r"^```sh\n(.*?)^```$", section, flags=re.MULTILINE | re.DOTALL)


def _replace(text: str, old: str, new: str) -> str:
    assert old in text, f"the README's deploy steps no longer hold {old!r}: update this test with them"
    return text.replace(old, new)


def _script(tmp_path: Path, port: int) -> tuple[str, dict[str, str]]:
    database, steps = _blocks()
    bin_folder = f"{Path(sys.executable).parent}/"
    steps = _replace(steps, "python3 -m venv .venv && .venv/bin/pip install .", ": tests/packaging checks this")
    steps = _replace(steps, ".venv/bin/", bin_folder)
    steps = _replace(steps, "--bind 127.0.0.1:8000", f"--bind 127.0.0.1:{port}")
    steps = _replace(steps, f"{bin_folder}gunicorn", f"exec {bin_folder}gunicorn")
    environment = {name: value for name, value in os.environ.items()
                   if name not in ("DATABASE_URL", "SECRET_KEY", "SITE_URL", "FLASK_APP", "PYTHONPATH")}
    environment["INSTANCE_PATH"] = str(tmp_path / "instance")
    test_url = os.environ.get("TEST_DATABASE_URL", "")
    if test_url.startswith("postgresql"):
        server = make_url(test_url)
        environment.update(PGHOST=server.host or "127.0.0.1", PGPORT=str(server.port or 5432),
                           PGUSER=server.username or "postgres", PGDATABASE=server.database or "postgres")
        if server.password:
            environment["PGPASSWORD"] = server.password
        name = f"cms_site_{secrets.token_hex(4)}"
        database = _replace(database, "sudo -u postgres psql", "psql")
        address = f"@{environment['PGHOST']}:{environment['PGPORT']}/"
        script = _replace(database + steps, "@127.0.0.1/", address).replace("cms_site", name)
        return script, environment
    sqlite = f"sqlite:///{tmp_path / 'site.sqlite'}"
    url = re.search(r"^export DATABASE_URL=(\S+)$", steps, flags=re.MULTILINE)
    assert url, "the README's deploy steps no longer export DATABASE_URL"
    return steps.replace(url.group(1), sqlite), environment


def _drop_database(script: str, environment: dict[str, str]) -> None:
    created = re.search(r"CREATE ROLE (\w+)", script)
    if created:
        name = created.group(1)
        for statement in (f"DROP DATABASE IF EXISTS {name} WITH (FORCE)", f"DROP ROLE IF EXISTS {name}"):
            subprocess.run(["psql", "-c", statement], env=environment, capture_output=True, check=False)


def test_readme_deploy_steps_run_in_order_and_serve_the_site(tmp_path):
    port = free_port()
    script, environment = _script(tmp_path, port)
    (tmp_path / "deploy.sh").write_text("set -euo pipefail\n" + script)
    # A new session has no terminal, so create-user reads the password (twice, to confirm it) from stdin.
    (tmp_path / "typed").write_text(f"{PASSWORD}\n{PASSWORD}\n")
    with (tmp_path / "typed").open() as typed:
        server = subprocess.Popen(["bash", str(tmp_path / "deploy.sh")], cwd=ROOT, env=environment, stdin=typed,
                                  stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                  start_new_session=True)
    try:
        status, home = _first_answer(server, port)
        assert status == 200 and "Mother–Daughter" in home  # the sample site, loaded by `flask cms demo`
        assert get(port, "/readyz")[0] == 200
        assert get(port, "/login")[0] == 200
    finally:
        server.terminate()
        output = server.communicate(timeout=30)[0]
        _drop_database(script, environment)
    assert "Created admin you@example.org." in output
    assert "Loaded the sample site." in output
    assert re.search(r'^access remote=127\.0\.0\.1 .* path="/" ', output, flags=re.MULTILINE)


def _first_answer(server: subprocess.Popen[str], port: int) -> tuple[int, str]:
    """The home page once gunicorn answers; a step that fails ends the script, and the test with its output."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"a deploy step failed:\n{server.stdout.read()}")
        try:
            return get(port, "/")
        except OSError:
            time.sleep(0.1)  # the steps are still running, or gunicorn is starting its workers
    pytest.fail("gunicorn did not answer within 120 s")
